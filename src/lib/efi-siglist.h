/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* EFI signature lists: the contents of the PK, KEK and db variables (UEFI 2.10 section 32.4.1,
 * EFI_SIGNATURE_LIST and EFI_SIGNATURE_DATA). No OpenSSL: a list only carries the certificate's
 * DER bytes. GUIDs are passed in RFC 9562 byte order (uuid-util.h) and stored in the EFI_GUID
 * memory layout. */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* EFI_CERT_X509_GUID and EFI_CERT_SHA256_GUID (UEFI 2.10 section 32.4.1). */
#define EFI_CERT_X509_GUID "a5c059a1-94e4-4aa7-87b5-ab155c2bf072"
#define EFI_CERT_SHA256_GUID "c1c41626-504c-4092-aca9-41f936934328"

/* sizeof(EFI_SIGNATURE_LIST) without the header and signatures: GUID + 3 x UINT32. */
#define EFI_SIGNATURE_LIST_HEADER_SIZE 28
/* Limit for parsed input: far above any firmware's variable store. */
#define EFI_SIGLIST_MAX (1024u * 1024)

/* Appends one EFI_SIGNATURE_LIST of type EFI_CERT_X509_GUID holding one certificate (DER),
 * SignatureOwner = owner, to the buffer *buf of *size bytes (reallocated). */
int efi_siglist_append_x509(uint8_t **buf, size_t *size, const uint8_t owner[16], const void *der,
                            size_t der_size);

typedef struct EfiSignature {
        uint8_t type[16];    /* SignatureType of its list, RFC 9562 byte order */
        uint8_t owner[16];   /* SignatureOwner, RFC 9562 byte order */
        const uint8_t *data; /* SignatureData: points into the parsed buffer */
        size_t size;
        /* The whole EFI_SIGNATURE_DATA exactly as it is stored (SignatureOwner in EFI_GUID
         * byte order, then SignatureData: SignatureSize bytes), pointing into the parsed
         * buffer. This is what the firmware measures as the data of an
         * EV_EFI_VARIABLE_AUTHORITY event (TCG PC Client PFP 10.4.4), so a PCR 7 prediction
         * must hash these bytes, not a re-encoding of owner and data. */
        const uint8_t *entry;
        size_t entry_size;
} EfiSignature;

/* Parses a concatenation of EFI_SIGNATURE_LISTs (a variable's contents). Every size field is
 * checked against the buffer; a list must hold at least one signature; SignatureHeaderSize
 * must be 0 for the X.509 and SHA-256 types and SignatureSize must be 16 + 32 for SHA-256.
 * -EBADMSG when malformed, -EFBIG above EFI_SIGLIST_MAX. *ret is an array of *ret_n entries
 * pointing into data. */
int efi_siglist_parse(const void *data, size_t size, EfiSignature **ret, size_t *ret_n);

/* Finds the first EFI_CERT_X509_GUID entry whose certificate is exactly der (the db entry
 * that verified an image) in a signature list that efi_siglist_parse() accepts. *ret_entry
 * and *ret_entry_size are the raw EFI_SIGNATURE_DATA (EfiSignature.entry), pointing into
 * data. -EBADMSG/-EFBIG as efi_siglist_parse(), -ENOENT when no entry holds that
 * certificate. */
int efi_siglist_find_x509(const void *data, size_t size, const void *der, size_t der_size,
                          const uint8_t **ret_entry, size_t *ret_entry_size);
