/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "firmware.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "efi-siglist.h"
#include "fileio.h"
#include "json.h"
#include "path-util.h"
#include "string-util.h"
#include "uuid-util.h"

#define ESL_MAX (256u * 1024)

static const struct {
        const char *name;
        const EfiGuid *vendor;
        const char *esl;    /* keyset file with the variable's contents */
        const char *signer; /* keyset key (and .crt) that signs the .auth */
} auth_info[_FIRMWARE_AUTH_MAX] = {
        [FIRMWARE_AUTH_PK] = { "PK", &EFI_GLOBAL_VARIABLE_GUID, "efi/PK.esl", "uefi-pk" },
        [FIRMWARE_AUTH_KEK] = { "KEK", &EFI_GLOBAL_VARIABLE_GUID, "efi/KEK.esl", "uefi-pk" },
        [FIRMWARE_AUTH_DB] = { "db", &EFI_IMAGE_SECURITY_DATABASE_GUID, "efi/db.esl", "uefi-kek" },
        [FIRMWARE_AUTH_DBX] = { "dbx", &EFI_IMAGE_SECURITY_DATABASE_GUID, "efi/dbx.esl",
                                "uefi-kek" },
};

const char *firmware_auth_variable_name(FirmwareAuthVariable v) {
        return (size_t) v < _FIRMWARE_AUTH_MAX ? auth_info[v].name : NULL;
}

static int read_keyset_file(const char *keyset_dir, const char *name, size_t max, char **ret,
                            size_t *ret_size) {
        _cleanup_free_ char *p = path_join(keyset_dir, name);
        int r;

        if (!p)
                return -ENOMEM;
        r = read_full_file(p, max, ret, ret_size);
        return r == -ENOENT ? -ENOKEY : r;
}

static int read_esl(const char *keyset_dir, FirmwareAuthVariable v, char **ret, size_t *ret_size) {
        _cleanup_free_ char *d = NULL;
        size_t n;
        int r;

        _cleanup_free_ EfiSignature *sigs = NULL;
        size_t k;

        r = read_keyset_file(keyset_dir, auth_info[v].esl, ESL_MAX, &d, &n);
        if (r == -ENOKEY && v == FIRMWARE_AUTH_DBX)
                return -ENOENT; /* optional */
        if (r < 0)
                return r;
        if (n == 0 || efi_siglist_parse(d, n, &sigs, &k) < 0 || k == 0)
                return -EBADMSG;
        *ret = TAKE_PTR(d);
        *ret_size = n;
        return 0;
}

int firmware_vars_build(const char *keyset_dir, const uint8_t *template_image, size_t template_size,
                        uint8_t **ret, size_t *ret_size) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL;
        _cleanup_free_ char *pk = NULL, *kek = NULL, *db = NULL, *dbx = NULL;
        size_t pk_n, kek_n, db_n, dbx_n = 0;
        int r;

        r = read_esl(keyset_dir, FIRMWARE_AUTH_PK, &pk, &pk_n);
        if (r >= 0)
                r = read_esl(keyset_dir, FIRMWARE_AUTH_KEK, &kek, &kek_n);
        if (r >= 0)
                r = read_esl(keyset_dir, FIRMWARE_AUTH_DB, &db, &db_n);
        if (r >= 0) {
                r = read_esl(keyset_dir, FIRMWARE_AUTH_DBX, &dbx, &dbx_n);
                if (r == -ENOENT)
                        r = 0;
        }
        if (r < 0)
                return r;
        r = efi_varstore_parse(template_image, template_size, &s);
        if (r < 0)
                return r;
        r = efi_varstore_enroll_secure_boot(s, (const uint8_t *) pk, pk_n, (const uint8_t *) kek,
                                            kek_n, (const uint8_t *) db, db_n,
                                            (const uint8_t *) dbx, dbx_n);
        if (r < 0)
                return r;
        return efi_varstore_serialize(s, ret, ret_size);
}

static int load_signer(const char *keyset_dir, const char *name, CryptoSigner **ret) {
        _cleanup_free_ char *key = NULL, *crt = NULL, *k = strjoin(name, ".key"),
                            *c = strjoin(name, ".crt");
        int r;

        if (!k || !c)
                return -ENOMEM;
        key = path_join(keyset_dir, k);
        crt = path_join(keyset_dir, c);
        if (!key || !crt)
                return -ENOMEM;
        r = crypto_signer_load(key, crt, ret);
        return r == -ENOENT ? -ENOKEY : r;
}

int firmware_auth_build(const char *keyset_dir, FirmwareAuthVariable v, const EfiTime *t,
                        uint8_t **ret, size_t *ret_size) {
        _cleanup_(crypto_signer_freep) CryptoSigner *signer = NULL;
        _cleanup_free_ uint8_t *payload = NULL, *sig = NULL;
        _cleanup_free_ char *esl = NULL;
        size_t esl_n, payload_n, sig_n;
        int r;

        if ((size_t) v >= _FIRMWARE_AUTH_MAX)
                return -EINVAL;
        r = read_esl(keyset_dir, v, &esl, &esl_n);
        if (r < 0)
                return r;
        r = load_signer(keyset_dir, auth_info[v].signer, &signer);
        if (r < 0)
                return r;
        r = efi_auth_payload(auth_info[v].name, auth_info[v].vendor,
                             EFI_VARIABLE_SECURE_BOOT_POLICY, t, (const uint8_t *) esl, esl_n,
                             &payload, &payload_n);
        if (r < 0)
                return r;
        r = crypto_pkcs7_sign_uefi_variable(signer, payload, payload_n, &sig, &sig_n);
        if (r < 0)
                return r;
        return efi_auth_build(t, sig, sig_n, (const uint8_t *) esl, esl_n, ret, ret_size);
}

static int load_cert_der(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
        int r;

        r = crypto_cert_load(path, &c);
        if (r < 0)
                return r;
        return crypto_cert_to_der(c, ret, ret_size);
}

int firmware_auth_verify(const char *keyset_dir, FirmwareAuthVariable v, const uint8_t *auth,
                         size_t size) {
        _cleanup_free_ char *esl = NULL, *crt_name = NULL, *crt = NULL;
        _cleanup_free_ uint8_t *payload = NULL, *der = NULL;
        const uint8_t *sig, *data;
        size_t esl_n, sig_n, data_n, payload_n, der_n;
        EfiTime t;
        int r;

        if ((size_t) v >= _FIRMWARE_AUTH_MAX)
                return -EINVAL;
        r = efi_auth_parse(auth, size, &t, &sig, &sig_n, &data, &data_n);
        if (r < 0)
                return r;
        r = read_esl(keyset_dir, v, &esl, &esl_n);
        if (r < 0)
                return r;
        if (data_n != esl_n || memcmp(data, esl, esl_n) != 0)
                return -EKEYREJECTED;
        crt_name = strjoin(auth_info[v].signer, ".crt");
        if (!crt_name)
                return -ENOMEM;
        crt = path_join(keyset_dir, crt_name);
        if (!crt)
                return -ENOMEM;
        r = load_cert_der(crt, &der, &der_n);
        if (r < 0)
                return r == -ENOENT ? -ENOKEY : r;
        r = efi_auth_payload(auth_info[v].name, auth_info[v].vendor,
                             EFI_VARIABLE_SECURE_BOOT_POLICY, &t, data, data_n, &payload,
                             &payload_n);
        if (r < 0)
                return r;
        return crypto_pkcs7_verify_uefi_variable(sig, sig_n, payload, payload_n, der, der_n);
}

static bool is_signature_database(const EfiVariable *v) {
        if (efi_guid_equal(&v->vendor, &EFI_GLOBAL_VARIABLE_GUID))
                return STR_IN_SET(v->name, "PK", "KEK", "PKDefault", "KEKDefault");
        if (efi_guid_equal(&v->vendor, &EFI_IMAGE_SECURITY_DATABASE_GUID))
                return STR_IN_SET(v->name, "db", "dbx", "dbt", "dbr");
        return false;
}

static int describe_signature(json_t *list, const EfiSignature *sig) {
        _cleanup_(crypto_cert_freep) CryptoCert *cert = NULL;
        _cleanup_free_ char *hex = NULL, *subject = NULL;
        uint8_t fp[SHA256_DIGEST_SIZE], x509[UUID_SIZE], sha256[UUID_SIZE];
        char owner[UUID_STRING_MAX], type[UUID_STRING_MAX];
        json_t *e = json_object();
        int r;

        if (!e || json_array_append_new(list, e) < 0)
                return -ENOMEM;
        (void) uuid_to_string(sig->owner, owner);
        if (json_object_set_new(e, "owner", json_string(owner)) < 0)
                return -ENOMEM;
        if (uuid_from_string(EFI_CERT_X509_GUID, x509) < 0 ||
            uuid_from_string(EFI_CERT_SHA256_GUID, sha256) < 0)
                return -EINVAL;
        if (memcmp(sig->type, x509, UUID_SIZE) == 0) {
                r = crypto_sha256(sig->data, sig->size, fp);
                if (r < 0)
                        return r;
                hex = hexmem(fp, sizeof fp);
                if (!hex)
                        return -ENOMEM;
                json_object_set_new(e, "type", json_string("x509"));
                json_object_set_new(e, "sha256", json_string(hex));
                if (crypto_cert_from_data(sig->data, sig->size, &cert) >= 0 &&
                    crypto_cert_subject(cert, &subject) >= 0)
                        json_object_set_new(e, "subject", json_string(subject));
                else
                        json_object_set_new(e, "subject", json_null());
        } else if (memcmp(sig->type, sha256, UUID_SIZE) == 0) {
                hex = hexmem(sig->data, sig->size);
                if (!hex)
                        return -ENOMEM;
                json_object_set_new(e, "type", json_string("sha256"));
                json_object_set_new(e, "hash", json_string(hex));
        } else {
                (void) uuid_to_string(sig->type, type);
                json_object_set_new(e, "type", json_string(type));
                json_object_set_new(e, "size", json_integer((json_int_t) sig->size));
        }
        return 0;
}

static json_t *byte_value(const EfiVarStore *s, const char *name, const EfiGuid *g) {
        const EfiVariable *v = efi_varstore_find(s, name, g);
        return v && v->size == 1 ? json_integer(v->data[0]) : json_null();
}

int firmware_vars_describe(const uint8_t *image, size_t size, json_t **ret) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL;
        _cleanup_json_ json_t *root = NULL;
        json_t *vars, *sb;
        int r;

        r = efi_varstore_parse(image, size, &s);
        if (r < 0)
                return r;
        root = json_object();
        vars = json_array();
        sb = json_object();
        if (!root || !vars || !sb || json_object_set_new(root, "variables", vars) < 0 ||
            json_object_set_new(root, "secure-boot", sb) < 0)
                return -ENOMEM;
        json_object_set_new(sb, "pk-enrolled",
                            json_boolean(efi_varstore_find(s, "PK", &EFI_GLOBAL_VARIABLE_GUID)));
        json_object_set_new(sb, "secure-boot-enable",
                            byte_value(s, "SecureBootEnable", &EDKII_SECURE_BOOT_ENABLE_GUID));
        json_object_set_new(sb, "custom-mode",
                            byte_value(s, "CustomMode", &EDKII_CUSTOM_MODE_GUID));

        for (size_t i = 0; i < efi_varstore_count(s); i++) {
                const EfiVariable *v = efi_varstore_get(s, i);
                _cleanup_free_ char *attrs = efi_attributes_to_string(v->attributes);
                char guid[EFI_GUID_STRING_SIZE];
                json_t *e = json_object();

                if (!e || !attrs || json_array_append_new(vars, e) < 0)
                        return -ENOMEM;
                efi_guid_format(&v->vendor, guid);
                json_object_set_new(e, "name", json_string(v->name));
                json_object_set_new(e, "guid", json_string(guid));
                json_object_set_new(e, "attributes", json_string(attrs));
                json_object_set_new(e, "size", json_integer((json_int_t) v->size));
                if (is_signature_database(v)) {
                        _cleanup_free_ EfiSignature *sigs = NULL;
                        json_t *list = json_array();
                        size_t n;

                        if (!list || json_object_set_new(e, "signatures", list) < 0)
                                return -ENOMEM;
                        r = efi_siglist_parse(v->data, v->size, &sigs, &n);
                        if (r == -EBADMSG || r == -EFBIG)
                                json_object_set_new(e, "malformed", json_true());
                        else if (r < 0)
                                return r;
                        for (size_t k = 0; r >= 0 && k < n; k++) {
                                r = describe_signature(list, &sigs[k]);
                                if (r < 0)
                                        return r;
                        }
                } else if (v->size <= 64) {
                        _cleanup_free_ char *hex = hexmem(v->data, v->size);
                        if (!hex)
                                return -ENOMEM;
                        json_object_set_new(e, "data", json_string(hex));
                }
        }
        *ret = TAKE_PTR(root);
        return 0;
}
