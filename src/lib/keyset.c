/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "keyset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dir-util.h"
#include "efi-siglist.h"
#include "fd-util.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"

#define KEYSET_JSON_MAX (64u * 1024)
#define HOUR 3600
#define YEAR (365 * 86400 + 86400 / 4)
/* Certificates start one hour in the past, for clocks a little behind the build host's. */
#define BACKDATE HOUR
/* RFC 5280 section 4.1.2.5: "no well-defined expiration date" (IEEE 802.1AR uses it for
 * device identities): 9999-12-31T23:59:59Z. */
#define NO_EXPIRY ((int64_t) 253402300799)

static const struct {
        const char *name;
        CertProfile profile;
        KeysetCert issuer;
        const char *cn_suffix;
} certs[_KEYSET_CERT_MAX] = {
        [KEYSET_UEFI_PK] = { "uefi-pk", CERT_PROFILE_UEFI_PK, KEYSET_UEFI_PK, "UEFI Platform Key" },
        [KEYSET_UEFI_KEK] = { "uefi-kek", CERT_PROFILE_UEFI_KEK, KEYSET_UEFI_PK,
                              "UEFI Key Exchange Key" },
        [KEYSET_UEFI_DB] = { "uefi-db", CERT_PROFILE_UEFI_DB, KEYSET_UEFI_KEK, "UEFI db" },
        [KEYSET_UEFI_DB_PROVISION] = { "uefi-db-provision", CERT_PROFILE_UEFI_DB, KEYSET_UEFI_KEK,
                                       "UEFI db provisioning" },
        [KEYSET_MANIFEST_CA] = { "manifest-ca", CERT_PROFILE_CA, KEYSET_MANIFEST_CA,
                                 "Manifest CA" },
        [KEYSET_SUDI_CA] = { "sudi-ca", CERT_PROFILE_CA, KEYSET_SUDI_CA, "Device Identity CA" },
};

const char *keyset_cert_name(KeysetCert c) {
        return (size_t) c < _KEYSET_CERT_MAX ? certs[c].name : NULL;
}

CertProfile keyset_cert_profile(KeysetCert c) {
        return certs[c].profile;
}

KeysetCert keyset_cert_issuer(KeysetCert c) {
        return certs[c].issuer;
}

Keyset *keyset_free(Keyset *k) {
        if (!k)
                return NULL;
        free(k->dir);
        free(k->org);
        free(k->created);
        free(k);
        return NULL;
}

KeysetProduct *keyset_product_free(KeysetProduct *p) {
        if (!p)
                return NULL;
        free(p->name);
        crypto_cert_free(p->cert);
        free(p);
        return NULL;
}

bool keyset_org_is_valid(const char *org) {
        size_t n = org ? strlen(org) : 0;

        return n > 0 && n <= KEYSET_ORG_MAX && string_is_printable_ascii(org, n) && org[0] != ' ' &&
               org[n - 1] != ' ';
}

bool keyset_product_name_is_valid(const char *name) {
        size_t n = name ? strlen(name) : 0;

        if (n == 0 || n > KEYSET_PRODUCT_NAME_MAX || name[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '-'))
                        return false;
        return true;
}

char *keyset_path(const Keyset *k, const char *name) {
        return path_join(k->dir, name);
}

static int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static char *file_name(const char *stem, const char *suffix) {
        return strjoin(stem, suffix);
}

/* ---- creating ---- */

static int save_pair(const char *dir, const char *stem, const CryptoKey *key,
                     const CryptoCert *cert) {
        _cleanup_free_ char *kn = file_name(stem, ".key"), *cn = file_name(stem, ".crt");
        _cleanup_free_ char *kp = NULL, *cp = NULL;
        int r;

        if (!kn || !cn)
                return -ENOMEM;
        kp = path_join(dir, kn);
        cp = path_join(dir, cn);
        if (!kp || !cp)
                return -ENOMEM;
        r = crypto_key_save_private_pem(key, kp);
        if (r < 0)
                return r;
        return cert ? crypto_cert_save_pem(cert, cp) : 0;
}

static int issue(const char *org, KeysetCert which, CryptoKey *key, const CryptoCert *issuer,
                 const CryptoKey *issuer_key, int64_t nb, int64_t na, CryptoCert **ret) {
        _cleanup_free_ char *cn = strjoin(org, " ", certs[which].cn_suffix);
        CertRequest req = {
                .profile = certs[which].profile,
                .common_name = cn,
                .organization = org,
                .public_key = key,
                .issuer = issuer,
                .issuer_key = issuer_key ?: key,
                .not_before = nb,
                .not_after = na,
        };

        if (!cn)
                return -ENOMEM;
        return crypto_cert_issue(&req, ret);
}

static int write_esl(const char *dir, const char *name, const uint8_t owner[16],
                     CryptoCert *const *list, size_t n) {
        _cleanup_free_ uint8_t *esl = NULL;
        _cleanup_free_ char *p = path_join(dir, name);
        size_t size = 0;
        int r;

        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ uint8_t *der = NULL;
                size_t dn;

                r = crypto_cert_to_der(list[i], &der, &dn);
                if (r < 0)
                        return r;
                r = efi_siglist_append_x509(&esl, &size, owner, der, dn);
                if (r < 0)
                        return r;
        }
        return write_file_atomic(p, esl, size, 0644, WRITE_NO_REPLACE);
}

static int write_json(const char *path, json_t *j) {
        _cleanup_free_ char *s = NULL, *line = NULL;
        size_t n;
        int r;

        if (!j)
                return -ENOMEM;
        r = json_dump_canonical(j, &s, &n);
        if (r < 0)
                return r;
        line = strjoin(s, "\n");
        if (!line)
                return -ENOMEM;
        return write_file_atomic(path, line, n + 1, 0644, WRITE_NO_REPLACE);
}

static int populate(const char *dir, const char *org) {
        CryptoKey *keys[_KEYSET_CERT_MAX] = {};
        CryptoCert *crts[_KEYSET_CERT_MAX] = {};
        _cleanup_(crypto_key_freep) CryptoKey *policy = NULL;
        _cleanup_free_ char *efi = path_join(dir, "efi"), *products = path_join(dir, "products");
        _cleanup_free_ char *pub = NULL, *pub_path = path_join(dir, KEYSET_TPM_POLICY_PUB);
        _cleanup_free_ char *json_path = path_join(dir, KEYSET_JSON);
        _cleanup_json_ json_t *j = NULL;
        char guid_text[UUID_STRING_MAX], created[RFC3339_MAX];
        uint8_t owner[UUID_SIZE];
        int64_t now = (int64_t) time(NULL), nb = now - BACKDATE;
        size_t pub_size;
        int r;

        if (!efi || !products || !pub_path || !json_path)
                return -ENOMEM;
        r = uuid_generate_random(owner);
        if (r < 0)
                return r;
        r = rfc3339_format((time_t) now, created);
        if (r < 0)
                return r;

        for (KeysetCert c = 0; c < _KEYSET_CERT_MAX; c++) {
                bool rsa = certs[c].profile != CERT_PROFILE_CA;
                KeysetCert i = certs[c].issuer;
                int64_t na = c == KEYSET_SUDI_CA ? NO_EXPIRY : nb + 30 * (int64_t) YEAR;

                r = crypto_key_generate(rsa ? KEY_RSA_2048 : KEY_EC_P256, &keys[c]);
                if (r < 0)
                        goto finish;
                r = issue(org, c, keys[c], i == c ? NULL : crts[i], i == c ? NULL : keys[i], nb, na,
                          &crts[c]);
                if (r < 0)
                        goto finish;
                r = save_pair(dir, certs[c].name, keys[c], crts[c]);
                if (r < 0)
                        goto finish;
        }

        if (mkdir(efi, 0755) < 0 || mkdir(products, 0700) < 0) {
                r = -errno;
                goto finish;
        }
        /* The exact contents of the PK, KEK and db variables. */
        r = write_esl(efi, "PK.esl", owner, &crts[KEYSET_UEFI_PK], 1);
        if (r >= 0)
                r = write_esl(efi, "KEK.esl", owner, &crts[KEYSET_UEFI_KEK], 1);
        if (r >= 0)
                r = write_esl(efi, "db.esl", owner,
                              (CryptoCert *const[]){ crts[KEYSET_UEFI_DB],
                                                     crts[KEYSET_UEFI_DB_PROVISION] },
                              2);
        if (r < 0)
                goto finish;

        r = crypto_key_generate(KEY_EC_P256, &policy);
        if (r >= 0)
                r = save_pair(dir, "tpm-policy", policy, NULL);
        if (r >= 0)
                r = crypto_key_public_pem(policy, &pub, &pub_size);
        if (r >= 0)
                r = write_file_atomic(pub_path, pub, pub_size, 0644, WRITE_NO_REPLACE);
        if (r < 0)
                goto finish;

        j = json_pack("{s:i, s:s, s:s, s:s}", "format", KEYSET_FORMAT, "org", org, "owner-guid",
                      uuid_to_string(owner, guid_text), "created", created);
        r = write_json(json_path, j);
finish:
        for (size_t c = 0; c < _KEYSET_CERT_MAX; c++) {
                crypto_key_free(keys[c]);
                crypto_cert_free(crts[c]);
        }
        return r;
}

static int dir_is_empty(const char *path) {
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return 0;
        return 1;
}

static int make_temp_dir_beside(const char *path, char **ret) {
        _cleanup_free_ char *parent = NULL, *base = NULL, *tmpl = NULL;
        int r;

        r = path_dirname(path, &parent);
        if (r < 0)
                return r;
        r = path_basename(path, &base);
        if (r < 0)
                return r;
        tmpl = strprintf("%s/.#%s.XXXXXX", parent, base);
        if (!tmpl)
                return -ENOMEM;
        if (!mkdtemp(tmpl)) /* mode 0700 */
                return -errno;
        *ret = TAKE_PTR(tmpl);
        return 0;
}

int keyset_create(const char *dir, const char *org) {
        _cleanup_free_ char *tmp = NULL;
        struct stat st;
        int r;

        if (!keyset_org_is_valid(org))
                return -EINVAL;
        if (stat(dir, &st) >= 0) {
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                r = dir_is_empty(dir);
                if (r < 0)
                        return r;
                if (r == 0)
                        return -ENOTEMPTY;
        } else if (errno != ENOENT)
                return -errno;

        r = make_temp_dir_beside(dir, &tmp);
        if (r < 0)
                return r;
        r = populate(tmp, org);
        if (r < 0) {
                (void) rm_rf(tmp);
                return r;
        }
        /* rename(2) replaces an empty directory and fails with ENOTEMPTY/EEXIST if something
         * appeared in it meanwhile. */
        if (rename(tmp, dir) < 0) {
                r = errno == EEXIST ? -ENOTEMPTY : -errno;
                (void) rm_rf(tmp);
                return r;
        }
        return fsync_parent_at(AT_FDCWD, dir);
}

/* ---- reading ---- */

typedef struct KeysetJson {
        uint64_t format;
        char *org, *owner_guid, *created;
} KeysetJson;

static int read_json(const char *path, const JsonField *fields, void *userdata) {
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_free_ char *buf = NULL, *err = NULL;
        _cleanup_json_ json_t *j = NULL;
        size_t n;
        int r;

        r = read_full_file(path, KEYSET_JSON_MAX, &buf, &n);
        if (r < 0)
                return r;
        r = json_parse_strict(buf, n, KEYSET_JSON_MAX, &j, &err);
        if (r < 0) {
                log_debug("%s: %s", path, strempty(err));
                return r;
        }
        c = json_dispatch_context_new();
        if (!c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, userdata);
        if (r < 0)
                log_debug("%s: %s", path, json_dispatch_error_message(c));
        return r;
}

int keyset_open(const char *dir, Keyset **ret) {
        static const JsonField fields[] = {
                { "format", JSON_INTEGER, json_parse_field_uint64, offsetof(KeysetJson, format),
                  JSON_MANDATORY },
                { "org", JSON_STRING, json_parse_field_string, offsetof(KeysetJson, org),
                  JSON_MANDATORY },
                { "owner-guid", JSON_STRING, json_parse_field_string,
                  offsetof(KeysetJson, owner_guid), JSON_MANDATORY },
                { "created", JSON_STRING, json_parse_field_string, offsetof(KeysetJson, created),
                  JSON_MANDATORY },
                {},
        };
        _cleanup_free_ char *path = path_join(dir, KEYSET_JSON);
        _cleanup_(keyset_freep) Keyset *k = NULL;
        KeysetJson kj = {};
        time_t t;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_json(path, fields, &kj);
        k = calloc(1, sizeof *k);
        if (r >= 0 && !k)
                r = -ENOMEM;
        if (r >= 0 &&
            (kj.format != KEYSET_FORMAT || !keyset_org_is_valid(kj.org) ||
             !uuid_string_is_canonical(kj.owner_guid) || rfc3339_parse(kj.created, &t) < 0))
                r = -EBADMSG;
        if (r >= 0) {
                (void) uuid_from_string(kj.owner_guid, k->owner_guid);
                k->org = TAKE_PTR(kj.org);
                k->created = TAKE_PTR(kj.created);
                k->dir = strdup(dir);
                if (!k->dir)
                        r = -ENOMEM;
        }
        free(kj.org);
        free(kj.owner_guid);
        free(kj.created);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(k);
        return 0;
}

int keyset_load_cert(const Keyset *k, KeysetCert c, CryptoCert **ret) {
        _cleanup_free_ char *n = file_name(certs[c].name, ".crt"), *p = NULL;

        if (!n || !(p = keyset_path(k, n)))
                return -ENOMEM;
        return crypto_cert_load(p, ret);
}

int keyset_load_key(const Keyset *k, KeysetCert c, CryptoKey **ret) {
        _cleanup_free_ char *n = file_name(certs[c].name, ".key"), *p = NULL;

        if (!n || !(p = keyset_path(k, n)))
                return -ENOMEM;
        return crypto_key_load_private_pem(p, ret);
}

/* Loads a CA certificate and its key, checking that they belong together. */
static int load_ca(const Keyset *k, KeysetCert c, CryptoCert **ret_cert, CryptoKey **ret_key) {
        _cleanup_(crypto_cert_freep) CryptoCert *cert = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        int r;

        r = keyset_load_cert(k, c, &cert);
        if (r < 0)
                return r;
        r = keyset_load_key(k, c, &key);
        if (r < 0)
                return r;
        r = crypto_cert_matches_key(cert, key);
        if (r < 0)
                return r;
        r = crypto_cert_check_profile(cert, CERT_PROFILE_CA, NULL);
        if (r < 0)
                return r;
        *ret_cert = TAKE_PTR(cert);
        *ret_key = TAKE_PTR(key);
        return 0;
}

/* ---- products ---- */

static char *product_dir(const Keyset *k, const char *name) {
        return strjoin(k->dir, "/" KEYSET_PRODUCTS_DIR "/", name);
}

typedef struct ProductJson {
        char *name, *uuid;
} ProductJson;

static int read_product_json(const char *dir, char **ret_name, uint8_t ret_uuid[UUID_SIZE]) {
        static const JsonField fields[] = {
                { "name", JSON_STRING, json_parse_field_string, offsetof(ProductJson, name),
                  JSON_MANDATORY },
                { "uuid", JSON_STRING, json_parse_field_string, offsetof(ProductJson, uuid),
                  JSON_MANDATORY },
                {},
        };
        _cleanup_free_ char *path = path_join(dir, KEYSET_PRODUCT_JSON);
        ProductJson pj = {};
        int r;

        if (!path)
                return -ENOMEM;
        r = read_json(path, fields, &pj);
        if (r >= 0 &&
            (!keyset_product_name_is_valid(pj.name) || !uuid_string_is_canonical(pj.uuid)))
                r = -EBADMSG;
        if (r >= 0) {
                (void) uuid_from_string(pj.uuid, ret_uuid);
                *ret_name = TAKE_PTR(pj.name);
        }
        free(pj.name);
        free(pj.uuid);
        return r;
}

int keyset_product_list(const Keyset *k, char ***ret) {
        _cleanup_free_ char *path = keyset_path(k, KEYSET_PRODUCTS_DIR);
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        size_t n;
        int r;

        if (!path)
                return -ENOMEM;
        d = opendir(path);
        if (!d)
                return -errno;
        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while ((de = readdir(d)))
                if (keyset_product_name_is_valid(de->d_name)) {
                        r = strv_extend(&l, de->d_name);
                        if (r < 0)
                                return r;
                }
        n = strv_length(l);
        qsort(l, n, sizeof(char *), strcmp_ptr);
        *ret = TAKE_PTR(l);
        return 0;
}

int keyset_product_load(const Keyset *k, const char *name, KeysetProduct **ret) {
        _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL;
        _cleanup_free_ char *dir = NULL, *crt = NULL, *json_name = NULL;
        uint8_t cert_uuid[UUID_SIZE];
        int r;

        if (!keyset_product_name_is_valid(name))
                return -EINVAL;
        dir = product_dir(k, name);
        crt = dir ? path_join(dir, KEYSET_PRODUCT_CRT) : NULL;
        p = calloc(1, sizeof *p);
        if (!crt || !p)
                return -ENOMEM;
        r = read_product_json(dir, &json_name, p->uuid);
        if (r < 0)
                return r;
        if (!streq(json_name, name))
                return -EBADMSG;
        p->name = TAKE_PTR(json_name);
        r = crypto_cert_load(crt, &p->cert);
        if (r < 0)
                return r;
        r = crypto_cert_check_profile(p->cert, CERT_PROFILE_MANIFEST_SIGNER, NULL);
        if (r < 0)
                return r;
        r = crypto_cert_product_uuid(p->cert, cert_uuid);
        if (r < 0)
                return r;
        if (memcmp(cert_uuid, p->uuid, UUID_SIZE) != 0)
                return -EBADMSG;
        r = keyset_load_cert(k, KEYSET_MANIFEST_CA, &ca);
        if (r < 0)
                return r;
        r = crypto_cert_verify_issued(p->cert, ca, CRYPTO_NO_CHECK_TIME, NULL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

int keyset_product_load_key(const Keyset *k, const KeysetProduct *p, CryptoKey **ret) {
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        _cleanup_free_ char *dir = product_dir(k, p->name), *path = NULL;
        int r;

        if (!dir || !(path = path_join(dir, KEYSET_PRODUCT_KEY)))
                return -ENOMEM;
        r = crypto_key_load_private_pem(path, &key);
        if (r < 0)
                return r;
        r = crypto_cert_matches_key(p->cert, key);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(key);
        return 0;
}

static int uuid_in_use(const Keyset *k, const uint8_t uuid[UUID_SIZE]) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = keyset_product_list(k, &names);
        if (r < 0)
                return r;
        for (char **n = names; *n; n++) {
                _cleanup_free_ char *dir = product_dir(k, *n), *json_name = NULL;
                uint8_t other[UUID_SIZE];

                if (!dir)
                        return -ENOMEM;
                r = read_product_json(dir, &json_name, other);
                if (r < 0)
                        return r;
                if (memcmp(other, uuid, UUID_SIZE) == 0)
                        return 1;
        }
        return 0;
}

int keyset_product_add(const Keyset *k, const char *name, const uint8_t *uuid,
                       KeysetProduct **ret) {
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL, *cert = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *ca_key = NULL, *key = NULL;
        _cleanup_free_ char *dir = NULL, *tmp = NULL, *cn = NULL, *json_path = NULL;
        _cleanup_json_ json_t *j = NULL;
        char text[UUID_STRING_MAX];
        uint8_t u[UUID_SIZE];
        int64_t nb, ca_nb, ca_na;
        CertRequest req;
        struct stat st;
        int r;

        if (!keyset_product_name_is_valid(name))
                return -EINVAL;
        if (uuid && uuid_is_null(uuid))
                return -EINVAL;
        dir = product_dir(k, name);
        if (!dir)
                return -ENOMEM;
        if (lstat(dir, &st) >= 0)
                return -EEXIST;
        if (uuid)
                memcpy(u, uuid, UUID_SIZE);
        else {
                r = uuid_generate_random(u);
                if (r < 0)
                        return r;
        }
        r = uuid_in_use(k, u);
        if (r < 0)
                return r;
        if (r > 0)
                return -EADDRINUSE;

        r = load_ca(k, KEYSET_MANIFEST_CA, &ca, &ca_key);
        if (r < 0)
                return r;
        r = crypto_cert_validity(ca, &ca_nb, &ca_na);
        if (r < 0)
                return r;
        r = crypto_key_generate(KEY_EC_P256, &key);
        if (r < 0)
                return r;
        cn = strjoin(name, " manifest signing");
        if (!cn)
                return -ENOMEM;
        nb = MAX((int64_t) time(NULL) - BACKDATE, ca_nb);
        /* Valid as long as its CA. */
        req = (CertRequest){
                .profile = CERT_PROFILE_MANIFEST_SIGNER,
                .common_name = cn,
                .organization = k->org,
                .product_uuid = u,
                .public_key = key,
                .issuer = ca,
                .issuer_key = ca_key,
                .not_before = nb,
                .not_after = ca_na,
        };
        r = crypto_cert_issue(&req, &cert);
        if (r < 0)
                return r;

        r = make_temp_dir_beside(dir, &tmp);
        if (r < 0)
                return r;
        json_path = path_join(tmp, KEYSET_PRODUCT_JSON);
        j = json_pack("{s:s, s:s}", "name", name, "uuid", uuid_to_string(u, text));
        r = json_path ? write_json(json_path, j) : -ENOMEM;
        if (r >= 0)
                r = save_pair(tmp, "manifest", key, cert);
        /* RENAME_NOREPLACE: two concurrent adds of one name cannot both win. */
        if (r >= 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_NOREPLACE) < 0)
                r = -errno;
        if (r < 0) {
                (void) rm_rf(tmp);
                return r;
        }
        r = fsync_parent_at(AT_FDCWD, dir);
        if (r < 0)
                return r;
        if (ret) {
                KeysetProduct *p = calloc(1, sizeof *p);
                if (!p || !(p->name = strdup(name))) {
                        free(p);
                        return -ENOMEM;
                }
                memcpy(p->uuid, u, UUID_SIZE);
                p->cert = TAKE_PTR(cert);
                *ret = p;
        }
        return 0;
}

/* ---- devices ---- */

static int write_new(const char *dir, const char *name, const void *data, size_t size, mode_t mode,
                     char ***written) {
        _cleanup_free_ char *p = path_join(dir, name);
        int r;

        if (!p)
                return -ENOMEM;
        r = write_file_atomic(p, data, size, mode, WRITE_NO_REPLACE);
        if (r < 0)
                return r;
        return strv_extend(written, p);
}

int keyset_device_add(const Keyset *k, const char *product, const char *serial, const char *outdir,
                      const CryptoKey *pubkey, CryptoCert **ret) {
        _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL, *cert = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *ca_key = NULL, *generated = NULL;
        _cleanup_free_ char *devices = NULL, *record_name = NULL, *record = NULL, *pem = NULL;
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_strv_free_ char **written = NULL;
        int64_t ca_nb;
        size_t pem_size, der_size;
        CertRequest req;
        KeyType t;
        int r;

        if (!cert_serial_number_is_valid(serial))
                return -EINVAL;
        if (pubkey && (crypto_key_get_type(pubkey, &t) < 0 || t != KEY_EC_P256))
                return -EINVAL;
        r = keyset_product_load(k, product, &p);
        if (r < 0)
                return r;
        r = load_ca(k, KEYSET_SUDI_CA, &ca, &ca_key);
        if (r < 0)
                return r;
        r = crypto_cert_validity(ca, &ca_nb, NULL);
        if (r < 0)
                return r;
        if (!pubkey) {
                r = crypto_key_generate(KEY_EC_P256, &generated);
                if (r < 0)
                        return r;
                pubkey = generated;
        }
        req = (CertRequest){
                .profile = CERT_PROFILE_DEVICE_IDENTITY,
                .common_name = serial,
                .organization = k->org,
                .serial_number = serial,
                .product_uuid = p->uuid,
                .public_key = pubkey,
                .issuer = ca,
                .issuer_key = ca_key,
                .not_before = MAX((int64_t) time(NULL) - BACKDATE, ca_nb),
                .not_after = NO_EXPIRY,
        };
        r = crypto_cert_issue(&req, &cert);
        if (r < 0)
                return r;
        r = crypto_cert_to_pem(cert, &pem, &pem_size);
        if (r < 0)
                return r;
        r = crypto_cert_to_der(cert, &der, &der_size);
        if (r < 0)
                return r;

        /* Claim the serial number first: the keyset's record is what makes it unique. */
        devices = strjoin(k->dir, "/" KEYSET_PRODUCTS_DIR "/", product,
                          "/" KEYSET_PRODUCT_DEVICES_DIR);
        record_name = strjoin(serial, ".crt");
        if (!devices || !record_name || !(record = path_join(devices, record_name)))
                return -ENOMEM;
        if (mkdir(devices, 0700) < 0 && errno != EEXIST)
                return -errno;
        r = write_file_atomic(record, pem, pem_size, 0644, WRITE_NO_REPLACE);
        if (r == -EEXIST)
                return -EADDRINUSE;
        if (r < 0)
                return r;

        written = calloc(1, sizeof(char *));
        if (!written)
                r = -ENOMEM;
        else if (mkdir(outdir, 0755) < 0 && errno != EEXIST)
                r = -errno;
        if (r >= 0 && generated) {
                /* The key first: a failure after it leaves no certificate without its key. */
                _cleanup_free_ char *kp = path_join(outdir, DEVICE_KEY);
                r = kp ? crypto_key_save_private_pem(generated, kp) : -ENOMEM;
                if (r >= 0)
                        r = strv_extend(&written, kp);
        }
        if (r >= 0)
                r = write_new(outdir, DEVICE_CRT, pem, pem_size, 0644, &written);
        if (r >= 0)
                r = write_new(outdir, DEVICE_DER, der, der_size, 0644, &written);
        if (r < 0) {
                for (char **w = written; w && *w; w++)
                        (void) unlink(*w);
                (void) unlink(record);
                return r;
        }
        if (ret)
                *ret = TAKE_PTR(cert);
        return 0;
}
