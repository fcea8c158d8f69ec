/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "efi-siglist.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "uuid-util.h"

static void put_le32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
        p[2] = (uint8_t) (v >> 16);
        p[3] = (uint8_t) (v >> 24);
}

static uint32_t get_le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

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
        put_le32(p + 16, (uint32_t) list_size);
        put_le32(p + 20, 0);
        put_le32(p + 24, (uint32_t) (16 + der_size));
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
                list_size = get_le32(p + 16);
                header_size = get_le32(p + 20);
                sig_size = get_le32(p + 24);
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
                        n++;
                }
                p += list_size;
        }
        *ret = TAKE_PTR(sigs);
        *ret_n = n;
        return 0;
}
