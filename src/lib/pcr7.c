/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "pcr7.h"

#include <errno.h>
#include <string.h>

#include "byte-buffer.h"
#include "efi-siglist.h"
#include "efivars.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "tpm-policy.h"

void pcr7_prediction_done(Pcr7Prediction *p) {
        for (size_t i = 0; i < p->n_events; i++)
                free(p->events[i].data);
        p->n_events = 0;
}

int uefi_variable_data(const uint8_t guid[16], const char *name, const void *data, size_t size,
                       uint8_t **ret, size_t *ret_size) {
        size_t name_len = strlen(name), total;
        uint8_t *b;

        if (size > EFI_SIGLIST_MAX)
                return -EFBIG;
        total = 16 + 8 + 8 + 2 * name_len + size;
        b = malloc(total);
        if (!b)
                return -ENOMEM;
        memcpy(b, guid, 16);
        le64_write(b + 16, name_len);
        le64_write(b + 24, size);
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
        return read_full_file(path, EFI_SIGLIST_MAX, ret, ret_size);
}

int pcr7_predict(const char *keyset_dir, const char *signer_cert, Pcr7Prediction *ret) {
        _cleanup_free_ char *pk = NULL, *kek = NULL, *db = NULL, *dbx = NULL, *cert = NULL;
        _cleanup_free_ uint8_t *der = NULL, *sep = NULL;
        _cleanup_(pcr7_prediction_done) Pcr7Prediction p = {};
        size_t pk_size, kek_size, db_size, dbx_size = 0, cert_size, der_size, entry_size;
        const uint8_t *entry;
        uint8_t secure_boot = 1;
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
        r = efi_siglist_find_x509(db, db_size, der, der_size, &entry, &entry_size);
        if (r < 0)
                return r == -ENOENT ? -ENOKEY : r;

        r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, EFI_GLOBAL_VARIABLE_GUID.bytes,
                         "SecureBoot", &secure_boot, 1);
        if (r >= 0)
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, EFI_GLOBAL_VARIABLE_GUID.bytes,
                                 "PK", pk, pk_size);
        if (r >= 0)
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG, EFI_GLOBAL_VARIABLE_GUID.bytes,
                                 "KEK", kek, kek_size);
        if (r >= 0)
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG,
                                 EFI_IMAGE_SECURITY_DATABASE_GUID.bytes, "db", db, db_size);
        if (r >= 0) /* when absent, edk2 measures it with VariableDataLength 0 */
                r = add_variable(&p, EV_EFI_VARIABLE_DRIVER_CONFIG,
                                 EFI_IMAGE_SECURITY_DATABASE_GUID.bytes, "dbx", dbx, dbx_size);
        if (r < 0)
                return r;
        sep = calloc(1, 4);
        if (!sep)
                return -ENOMEM;
        r = add_event(&p, EV_SEPARATOR, "", TAKE_PTR(sep), 4);
        if (r < 0)
                return r;
        r = add_variable(&p, EV_EFI_VARIABLE_AUTHORITY, EFI_IMAGE_SECURITY_DATABASE_GUID.bytes,
                         "db", entry, entry_size);
        if (r < 0)
                return r;
        *ret = p;
        p.n_events = 0; /* ownership of the event data moved to *ret */
        return 0;
}
