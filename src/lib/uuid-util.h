/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* UUIDs (RFC 9562, formerly RFC 4122): product identifiers, the keyset's EFI owner GUID.
 * Binary form is the 16 bytes in network (big-endian) order of RFC 9562 section 4. */

#include <stdbool.h>
#include <stdint.h>

#define UUID_SIZE 16
#define UUID_STRING_MAX 37 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */

/* Parses the 8-4-4-4-12 hex form (either case, nothing else around it): -EINVAL otherwise. */
int uuid_from_string(const char *s, uint8_t ret[UUID_SIZE]);
/* True when s is a UUID in the canonical lower-case form uuid_to_string() writes: the only
 * form signed documents accept, so that one UUID has one spelling. */
bool uuid_string_is_canonical(const char *s);
/* Lower-case 8-4-4-4-12 form. */
char *uuid_to_string(const uint8_t u[UUID_SIZE], char ret[UUID_STRING_MAX]);

/* A random (version 4) UUID, RFC 9562 section 5.4, from getrandom(). */
int uuid_generate_random(uint8_t ret[UUID_SIZE]);
bool uuid_is_null(const uint8_t u[UUID_SIZE]);

/* The EFI_GUID memory layout of a UUID (UEFI 2.10 appendix A: Data1, Data2 and Data3 are
 * little-endian, Data4 is a byte array), as stored in signature lists and variables. */
void uuid_to_efi_guid(const uint8_t u[UUID_SIZE], uint8_t ret[UUID_SIZE]);
void uuid_from_efi_guid(const uint8_t guid[UUID_SIZE], uint8_t ret[UUID_SIZE]);
