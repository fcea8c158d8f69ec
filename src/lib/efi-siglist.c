/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "efi-siglist.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "byte-buffer.h"
#include "uuid-util.h"

static void type_guid(const char *text, uint8_t ret[16]) {
        uint8_t u[16];
        /* Constant strings of this file: they parse. */
        (void) uuid_from_string(text, u);
        memcpy(ret, u, 16);
}

int efi_siglist_append_x509(uint8_t **buf, size_t *size, const uint8_t owner[16], const void *der,
                            size_t der_size) {
        uint8_t type[16], *p, *n;
        size_t list_size, total;

        /* EFI_SIGNATURE_LIST { EFI_GUID SignatureType; UINT32 SignatureListSize;
         *   UINT32 SignatureHeaderSize; UINT32 SignatureSize; UINT8 SignatureHeader[];
         *   EFI_SIGNATURE_DATA Signatures[]; }
         * EFI_SIGNATURE_DATA { EFI_GUID SignatureOwner; UINT8 SignatureData[]; } */
        if (der_size == 0 || der_size > EFI_SIGLIST_MAX)
                return -EINVAL;
        list_size = EFI_SIGNATURE_LIST_HEADER_SIZE + 16 + der_size;
        if (size_add(*size, list_size, &total) < 0)
                return -EFBIG;
        n = realloc(*buf, total);
        if (!n)
                return -ENOMEM;
        p = n + *size;
        type_guid(EFI_CERT_X509_GUID, type);
        uuid_to_efi_guid(type, p);
        le32_write(p + 16, (uint32_t) list_size);
        le32_write(p + 20, 0);
        le32_write(p + 24, (uint32_t) (16 + der_size));
        uuid_to_efi_guid(owner, p + 28);
        memcpy(p + 44, der, der_size);
        *buf = n;
        *size = total;
        return 0;
}

int efi_siglist_parse(const void *data, size_t size, EfiSignature **ret, size_t *ret_n) {
        _cleanup_free_ EfiSignature *sigs = NULL;
        const uint8_t *p = data, *end = p + size;
        uint8_t x509[16], sha256[16];
        size_t n = 0;

        if (size > EFI_SIGLIST_MAX)
                return -EFBIG;
        type_guid(EFI_CERT_X509_GUID, x509);
        type_guid(EFI_CERT_SHA256_GUID, sha256);

        while (p < end) {
                uint32_t list_size, header_size, sig_size;
                uint8_t type[16];
                size_t count;
                bool is_x509, is_sha256;

                if ((size_t) (end - p) < EFI_SIGNATURE_LIST_HEADER_SIZE)
                        return -EBADMSG;
                uuid_from_efi_guid(p, type);
                list_size = le32_read(p + 16);
                header_size = le32_read(p + 20);
                sig_size = le32_read(p + 24);
                if (list_size > (size_t) (end - p) || sig_size < 16 ||
                    (uint64_t) EFI_SIGNATURE_LIST_HEADER_SIZE + header_size > list_size ||
                    (list_size - EFI_SIGNATURE_LIST_HEADER_SIZE - header_size) % sig_size != 0)
                        return -EBADMSG;
                count = (list_size - EFI_SIGNATURE_LIST_HEADER_SIZE - header_size) / sig_size;
                is_x509 = memcmp(type, x509, 16) == 0;
                is_sha256 = memcmp(type, sha256, 16) == 0;
                if (count == 0 || ((is_x509 || is_sha256) && header_size != 0) ||
                    (is_sha256 && sig_size != 16 + 32))
                        return -EBADMSG;

                for (size_t i = 0; i < count; i++) {
                        const uint8_t *s =
                                p + EFI_SIGNATURE_LIST_HEADER_SIZE + header_size + i * sig_size;
                        EfiSignature *m = reallocarray(sigs, n + 1, sizeof *sigs);
                        if (!m)
                                return -ENOMEM;
                        sigs = m;
                        memcpy(sigs[n].type, type, 16);
                        uuid_from_efi_guid(s, sigs[n].owner);
                        sigs[n].data = s + 16;
                        sigs[n].size = sig_size - 16;
                        sigs[n].entry = s;
                        sigs[n].entry_size = sig_size;
                        n++;
                }
                p += list_size;
        }
        *ret = TAKE_PTR(sigs);
        *ret_n = n;
        return 0;
}

int efi_siglist_find_x509(const void *data, size_t size, const void *der, size_t der_size,
                          const uint8_t **ret_entry, size_t *ret_entry_size) {
        _cleanup_free_ EfiSignature *sigs = NULL;
        uint8_t x509[16];
        size_t n;
        int r;

        r = efi_siglist_parse(data, size, &sigs, &n);
        if (r < 0)
                return r;
        type_guid(EFI_CERT_X509_GUID, x509);
        for (size_t i = 0; i < n; i++)
                if (memcmp(sigs[i].type, x509, 16) == 0 && sigs[i].size == der_size &&
                    memcmp(sigs[i].data, der, der_size) == 0) {
                        *ret_entry = sigs[i].entry;
                        *ret_entry_size = sigs[i].entry_size;
                        return 0;
                }
        return -ENOENT;
}
