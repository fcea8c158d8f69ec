/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The firmware side of a keyset (docs/firmware.md): an OVMF vars image with the keyset's PK,
 * KEK and db enrolled and Secure Boot enforcing, and the signed .auth files that enroll the same
 * keys on real hardware. */

#include <stddef.h>
#include <stdint.h>

#include "efivars.h"
#include "json.h"

#define FIRMWARE_OVMF_VARS_TEMPLATE "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define FIRMWARE_OVMF_CODE_SECBOOT "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"

/* Reads efi/PK.esl, efi/KEK.esl, efi/db.esl (and efi/dbx.esl when the keyset has one) and
 * enrolls them into the vars image template (efi_varstore_enroll_secure_boot()). -ENOKEY when
 * a list is missing, -EBADMSG when a list or the template is malformed. */
int firmware_vars_build(const char *keyset_dir, const uint8_t *template_image, size_t template_size,
                        uint8_t **ret, size_t *ret_size);

/* The Secure Boot variables an .auth file can set, and who signs each (UEFI 2.10 section
 * 32.3.3: PK is self-signed for enrollment in setup mode, KEK is signed by PK, db by KEK). */
typedef enum FirmwareAuthVariable {
        FIRMWARE_AUTH_PK,
        FIRMWARE_AUTH_KEK,
        FIRMWARE_AUTH_DB,
        FIRMWARE_AUTH_DBX, /* only when the keyset has efi/dbx.esl */
        _FIRMWARE_AUTH_MAX,
} FirmwareAuthVariable;
const char *firmware_auth_variable_name(FirmwareAuthVariable v); /* "PK", "KEK", "db", "dbx" */

/* The .auth file for one variable, timestamped t. -ENOENT for dbx when the keyset has none. */
int firmware_auth_build(const char *keyset_dir, FirmwareAuthVariable v, const EfiTime *t,
                        uint8_t **ret, size_t *ret_size);

/* Checks an .auth file against the keyset: well-formed, the signature verifies against the
 * certificate that must have signed it, the data is the keyset's list. */
int firmware_auth_verify(const char *keyset_dir, FirmwareAuthVariable v, const uint8_t *auth,
                         size_t size);

/* Describes what a vars image holds, as JSON (docs/firmware.md):
 *   {"secure-boot":{"pk-enrolled":B,"secure-boot-enable":N|null,"custom-mode":N|null},
 *    "variables":[{"name","guid","attributes","size",
 *                  "signatures":[{"type","owner","subject","sha256"}]   (signature lists)
 *                  or "data":"<hex>" (values up to 64 bytes)}]}
 * Variables are listed in store order. -EBADMSG when the image is not a vars image. */

int firmware_vars_describe(const uint8_t *image, size_t size, json_t **ret);
