/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* UEFI variables, offline: GUIDs, EFI_SIGNATURE_LISTs, time-based authenticated variable
 * payloads (.auth files) and the edk2 authenticated variable store inside an OVMF vars image.
 *
 * References: UEFI 2.10 section 8.2 (variable services, EFI_VARIABLE_AUTHENTICATION_2),
 * section 32.4.1 (EFI_SIGNATURE_LIST), section 32.3 (global variables PK, KEK, db, dbx);
 * edk2 MdeModulePkg/Include/Guid/VariableFormat.h and PI 1.8 volume 3 section 3.2.1
 * (EFI_FIRMWARE_VOLUME_HEADER) for the store layout. No OpenSSL here: signing is done by the
 * caller (crypto.h) over the bytes efi_auth_payload() returns. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* A GUID in its on-disk byte order (the first three fields little-endian). */
typedef struct EfiGuid {
        uint8_t bytes[16];
} EfiGuid;

/* An EfiGuid initializer from the usual {Data1, Data2, Data3, {Data4[8]}} notation. */
#define EFI_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                     \
        {                                                                                          \
                .bytes = {                                                                         \
                        (a) &0xff,                                                                 \
                        ((a) >> 8) & 0xff,                                                         \
                        ((a) >> 16) & 0xff,                                                        \
                        ((a) >> 24) & 0xff,                                                        \
                        (b) &0xff,                                                                 \
                        ((b) >> 8) & 0xff,                                                         \
                        (c) &0xff,                                                                 \
                        ((c) >> 8) & 0xff,                                                         \
                        d0,                                                                        \
                        d1,                                                                        \
                        d2,                                                                        \
                        d3,                                                                        \
                        d4,                                                                        \
                        d5,                                                                        \
                        d6,                                                                        \
                        d7                                                                         \
                }                                                                                  \
        }

#define EFI_GUID_STRING_SIZE 37
/* Text form through uuid-util.h (RFC 9562 order) and its EFI_GUID layout conversion. */
int efi_guid_from_string(const char *s, EfiGuid *ret); /* -EINVAL unless 8-4-4-4-12 hex */
void efi_guid_format(const EfiGuid *g, char ret[static EFI_GUID_STRING_SIZE]);
bool efi_guid_equal(const EfiGuid *a, const EfiGuid *b);

extern const EfiGuid EFI_GLOBAL_VARIABLE_GUID;         /* PK, KEK, SecureBoot, SetupMode */
extern const EfiGuid EFI_IMAGE_SECURITY_DATABASE_GUID; /* db, dbx */
extern const EfiGuid EFI_CERT_TYPE_PKCS7_GUID;
extern const EfiGuid EDKII_SECURE_BOOT_ENABLE_GUID; /* SecureBootEnable */
extern const EfiGuid EDKII_CUSTOM_MODE_GUID;        /* CustomMode */

/* Variable attributes (UEFI 2.10 section 8.2.1). */
#define EFI_VARIABLE_NON_VOLATILE 0x00000001u
#define EFI_VARIABLE_BOOTSERVICE_ACCESS 0x00000002u
#define EFI_VARIABLE_RUNTIME_ACCESS 0x00000004u
#define EFI_VARIABLE_HARDWARE_ERROR_RECORD 0x00000008u
#define EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS 0x00000010u
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x00000020u
#define EFI_VARIABLE_APPEND_WRITE 0x00000040u
/* What PK, KEK, db and dbx carry: NV | BS | RT | time-based authenticated write. */
#define EFI_VARIABLE_SECURE_BOOT_POLICY 0x00000027u

/* EFI_TIME (UEFI 2.10 section 8.3), serialized as 16 bytes. For authenticated variables Pad1,
 * Nanosecond, TimeZone, Daylight and Pad2 must be zero. */
#define EFI_TIME_SIZE 16
typedef struct EfiTime {
        uint16_t year;
        uint8_t month, day, hour, minute, second;
} EfiTime;
int efi_time_from_unix(uint64_t t, EfiTime *ret);
void efi_time_serialize(const EfiTime *t, uint8_t ret[static EFI_TIME_SIZE]);

/* EFI_SIGNATURE_LISTs: efi-siglist.h. */

/* ---- time-based authenticated variables (UEFI 2.10 section 8.2.2) ---- */

/* The bytes the signer signs: VariableName (UTF-16, no NUL) || VendorGuid || Attributes ||
 * TimeStamp || Data. */
int efi_auth_payload(const char *name, const EfiGuid *vendor, uint32_t attributes, const EfiTime *t,
                     const uint8_t *data, size_t size, uint8_t **ret, size_t *ret_size);
/* An .auth file (what efitools' sign-efi-sig-list writes and efi-updatevar/KeyTool and
 * firmware setup menus read): EFI_VARIABLE_AUTHENTICATION_2 (TimeStamp,
 * WIN_CERTIFICATE_UEFI_GUID with CertType EFI_CERT_TYPE_PKCS7_GUID and a DER PKCS#7 SignedData)
 * followed by the variable data. */
int efi_auth_build(const EfiTime *t, const uint8_t *signed_data, size_t signed_data_size,
                   const uint8_t *data, size_t size, uint8_t **ret, size_t *ret_size);
/* Splits an .auth file; pointers point into p. -EBADMSG when malformed. */
int efi_auth_parse(const uint8_t *p, size_t n, EfiTime *ret_time, const uint8_t **ret_signed_data,
                   size_t *ret_signed_data_size, const uint8_t **ret_data, size_t *ret_size);

/* ---- the edk2 authenticated variable store of an OVMF vars image ---- */

typedef struct EfiVariable {
        char *name; /* UTF-8 (the store holds UCS-2) */
        EfiGuid vendor;
        uint32_t attributes;
        uint64_t monotonic_count;
        uint8_t timestamp[EFI_TIME_SIZE];
        uint32_t pubkey_index;
        uint8_t *data;
        size_t size;
} EfiVariable;

typedef struct EfiVarStore EfiVarStore;

/* Parses an OVMF vars image (firmware volume with EFI_SYSTEM_NV_DATA_FV_GUID holding an
 * authenticated variable store). Keeps the live variables (state ADDED, or IN_DELETED_TRANSITION
 * without an ADDED copy) and the image itself as the template for efi_varstore_serialize().
 * -EBADMSG for anything else, -EFBIG for images over 64 MiB. */
#define EFI_VARSTORE_IMAGE_MAX (64u * 1024 * 1024)
int efi_varstore_parse(const uint8_t *image, size_t size, EfiVarStore **ret);
EfiVarStore *efi_varstore_free(EfiVarStore *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(EfiVarStore *, efi_varstore_free);

size_t efi_varstore_count(const EfiVarStore *s);
const EfiVariable *efi_varstore_get(const EfiVarStore *s, size_t i);
const EfiVariable *efi_varstore_find(const EfiVarStore *s, const char *name, const EfiGuid *vendor);

/* Adds or replaces a variable (name: printable ASCII). timestamp may be NULL (zero). */
int efi_varstore_set(EfiVarStore *s, const char *name, const EfiGuid *vendor, uint32_t attributes,
                     const uint8_t *timestamp, const void *data, size_t size);
/* Removes a variable; 0 also when it was not there. */
int efi_varstore_remove(EfiVarStore *s, const char *name, const EfiGuid *vendor);

/* Writes the image: the template's bytes with the variable store region rewritten compactly
 * (every variable in state ADDED, in the order of the store, free space erased to 0xff). The
 * same store gives the same bytes. -EFBIG when the variables do not fit. */
int efi_varstore_serialize(const EfiVarStore *s, uint8_t **ret, size_t *ret_size);

/* Puts a keyset's Secure Boot databases into the store: PK, KEK, db and dbx (given as
 * EFI_SIGNATURE_LIST bytes; dbx may be NULL: no dbx variable) with
 * EFI_VARIABLE_SECURE_BOOT_POLICY attributes and a zero timestamp; dbt/dbr removed (the keyset
 * alone defines the Secure Boot state, so PCR 7 can be predicted from it); SecureBootEnable = 1
 * and CustomMode = 0 (edk2: standard mode, enforcing once a PK is enrolled). Each list is
 * checked with efi_siglist_parse() first. */
int efi_varstore_enroll_secure_boot(EfiVarStore *s, const uint8_t *pk, size_t pk_size,
                                    const uint8_t *kek, size_t kek_size, const uint8_t *db,
                                    size_t db_size, const uint8_t *dbx, size_t dbx_size);

/* A readable list of attribute names ("NV|BS|RT|TIME_AUTH"), newly allocated. */
char *efi_attributes_to_string(uint32_t attributes);
