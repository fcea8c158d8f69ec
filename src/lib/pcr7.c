/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "pcr7.h"

#include <errno.h>
#include <string.h>

#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "tpm-policy.h"

/* GUIDs in EFI byte order: Data1 (32 bit), Data2, Data3 (16 bit) little-endian, Data4 as is. */
/* EFI_GLOBAL_VARIABLE 8BE4DF61-93CA-11D2-AA0D-00E098032B8C (UEFI 2.10, 3.3) */
static const uint8_t efi_global_variable[16] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
                                                 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
/* EFI_IMAGE_SECURITY_DATABASE_GUID D719B2CB-3D3A-4596-A3BC-DAD00E67656F (UEFI 2.10, 32.6.1) */
static const uint8_t efi_image_security_db[16] = { 0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45,
                                                   0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f };
/* EFI_CERT_X509_GUID A5C059A1-94E4-4AA7-87B5-AB155C2BF072 (UEFI 2.10, 32.4.1) */
static const uint8_t efi_cert_x509[16] = { 0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a,
                                           0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

static void put_le64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

void pcr7_prediction_done(Pcr7Prediction *p) {
        for (size_t i = 0; i < p->n_events; i++)
                free(p->events[i].data);
        p->n_events = 0;
}

int efi_siglist_find_x509(const uint8_t *esl, size_t size, const uint8_t *der, size_t der_size,
                          const uint8_t **ret_entry, size_t *ret_entry_size) {
        const uint8_t *found = NULL;
        size_t found_size = 0;

        if (size > PCR7_ESL_MAX)
                return -EFBIG;
        /* EFI_SIGNATURE_LIST: GUID SignatureType, UINT32 SignatureListSize, UINT32
         * SignatureHeaderSize, UINT32 SignatureSize, header, then (ListSize - 28 - HeaderSize) /
         * SignatureSize entries of EFI_SIGNATURE_DATA (GUID SignatureOwner, data). */
        while (size > 0) {
                uint32_t list_size, header_size, sig_size;
                size_t body;

                if (size < 28)
                        return -EBADMSG;
                list_size = le32(esl + 16);
                header_size = le32(esl + 20);
                sig_size = le32(esl + 24);
                if (list_size < 28 || list_size > size || header_size > list_size - 28)
                        return -EBADMSG;
                body = list_size - 28 - header_size;
                if (sig_size < 16 || body % sig_size != 0)
                        return -EBADMSG;
                for (size_t o = 28 + header_size; o < list_size; o += sig_size) {
                        if (found || memcmp(esl, efi_cert_x509, 16) != 0)
                                continue;
                        if (sig_size - 16 == der_size && memcmp(esl + o + 16, der, der_size) == 0) {
                                found = esl + o;
                                found_size = sig_size;
                        }
                }
                esl += list_size;
                size -= list_size;
        }
        if (!found)
                return -ENOENT;
        *ret_entry = found;
        *ret_entry_size = found_size;
        return 0;
}

int uefi_variable_data(const uint8_t guid[16], const char *name, const void *data, size_t size,
                       uint8_t **ret, size_t *ret_size) {
        size_t name_len = strlen(name), total;
        uint8_t *b;

        if (size > PCR7_ESL_MAX)
                return -EFBIG;
        total = 16 + 8 + 8 + 2 * name_len + size;
        b = malloc(total);
        if (!b)
                return -ENOMEM;
        memcpy(b, guid, 16);
        put_le64(b + 16, name_len);
        put_le64(b + 24, size);
        for (size_t i = 0; i < name_len; i++) { /* UCS-2 little-endian, no NUL */
                b[32 + 2 * i] = (uint8_t) name[i];
                b[33 + 2 * i] = 0;
        }
        if (size > 0)
                memcpy(b + 32 + 2 * name_len, data, size);
        *ret = b;
        *ret_size = total;
        return 0;
}

static int add_event(Pcr7Prediction *p, uint32_t type, const char *name, uint8_t *data,
                     size_t size) {
        Pcr7Event *e;
        int r;

        if (p->n_events >= ELEMENTSOF(p->events)) {
                free(data);
                return -E2BIG;
        }
        e = &p->events[p->n_events++];
        e->type = type;
        (void) strscpy(e->name, sizeof e->name, name);
        e->data = data;
        e->size = size;
        r = crypto_sha256(data, size, e->digest);
        if (r < 0)
                return r;
        tpm_pcr_extend_sha256(p->pcr7, e->digest, p->pcr7);
        return 0;
}

static int add_variable(Pcr7Prediction *p, uint32_t type, const uint8_t guid[16], const char *name,
                        const void *data, size_t size) {
        uint8_t *d;
        size_t n;
        int r;

        r = uefi_variable_data(guid, name, data, size, &d, &n);
        if (r < 0)
                return r;
        return add_event(p, type, name, d, n);
}

static int read_keyset_file(const char *dir, const char *name, char **ret, size_t *ret_size) {
        _cleanup_free_ char *path = path_join(dir, name);

        if (!path)
                return -ENOMEM;
        return read_full_file(path, PCR7_ESL_MAX, ret, ret_size);
}

int pcr7_predict(const char *keyset_dir, const char *signer_cert, Pcr7Prediction *ret) {
        _cleanup_free_ char *pk = NULL, *kek = NULL, *db = NULL, *dbx = NULL, *cert = NULL;
        _cleanup_free_ uint8_t *der = NULL, *sep = NULL;
        _cleanup_(pcr7_prediction_done) Pcr7Prediction p = {};
        size_t pk_size, kek_size, db_size, dbx_size = 0, cert_size, der_size, entry_size;
        const uint8_t *entry;
        uint8_t secure_boot = 1, *copy;
        int r;

        r = read_keyset_file(keyset_dir, "efi/PK.esl", &pk, &pk_size);
        if (r < 0)
                return r;
        r = read_keyset_file(keyset_dir, "efi/KEK.esl", &kek, &kek_size);
        if (r < 0)
                return r;
        r = read_keyset_file(keyset_dir, "efi/db.esl", &db, &db_size);
        if (r < 0)
                return r;
        r = read_keyset_file(keyset_dir, "efi/dbx.esl", &dbx, &dbx_size);
        if (r < 0 && r != -ENOENT)
                return r;
        r = read_keyset_file(keyset_dir, signer_cert, &cert, &cert_size);
        if (r < 0)
                return r;
        {
                _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
                r = crypto_cert_from_data(cert, cert_size, &c);
                if (r < 0)
                        return r;
                r = crypto_cert_to_der(c, &der, &der_size);
                if (r < 0)
                        return r;
        }
        r = efi_siglist_find_x509((const uint8_t *) db, db_size, der, der_size, &entry,
                                  &entry_size);
        if (r < 0)
                return r == -ENOENT ? -ENOKEY : r;

        r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, efi_global_variable, "SecureBoot",
                         &secure_boot, 1);
        if (r >= 0)
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, efi_global_variable, "PK", pk,
                                 pk_size);
        if (r >= 0)
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, efi_global_variable, "KEK", kek,
                                 kek_size);
        if (r >= 0)
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, efi_image_security_db, "db", db,
                                 db_size);
        if (r >= 0) /* when absent, edk2 measures it with VariableDataLength 0 */
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, efi_image_security_db, "dbx",
                                 dbx, dbx_size);
        if (r < 0)
                return r;
        sep = calloc(1, 4);
        if (!sep)
                return -ENOMEM;
        r = add_event(&p, EV_SEPARATOR, "", TAKE_PTR(sep), 4);
        if (r < 0)
                return r;
        copy = malloc(entry_size);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, entry, entry_size);
        r = add_variable(&p, EV_EFI_VARIABLE_AUTHORITY, efi_image_security_db, "db", copy,
                         entry_size);
        free(copy);
        if (r < 0)
                return r;
        *ret = p;
        p.n_events = 0; /* ownership of the event data moved to *ret */
        return 0;
}
