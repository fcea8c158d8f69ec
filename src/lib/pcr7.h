/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* PCR 7 prediction from a keyset (docs/tpm.md, "PCR 7"). The firmware (edk2/OVMF: Tcg2Dxe
 * MeasureSecureBootPolicy and DxeImageVerificationLib) measures into PCR 7, per the TCG PC
 * Client Platform Firmware Profile (PFP) section 3.3.4.8 / 10.4.4:
 *
 *   1. EV_EFI_VARIABLE_DRIVER_CONFIG  SecureBoot  (EFI_GLOBAL_VARIABLE)   data 01
 *   2. EV_EFI_VARIABLE_DRIVER_CONFIG  PK          (EFI_GLOBAL_VARIABLE)   efi/PK.esl
 *   3. EV_EFI_VARIABLE_DRIVER_CONFIG  KEK         (EFI_GLOBAL_VARIABLE)   efi/KEK.esl
 *   4. EV_EFI_VARIABLE_DRIVER_CONFIG  db          (IMAGE_SECURITY_DB)     efi/db.esl
 *   5. EV_EFI_VARIABLE_DRIVER_CONFIG  dbx         (IMAGE_SECURITY_DB)     efi/dbx.esl if the
 *      keyset has one, else empty (an absent variable is measured with VariableDataLength 0)
 *   6. EV_SEPARATOR                                                      00000000
 *   7. EV_EFI_VARIABLE_AUTHORITY      db          (IMAGE_SECURITY_DB)     the EFI_SIGNATURE_DATA
 *      (owner GUID + DER certificate) of the db entry that verified the boot loader, byte for
 *      byte as stored in db (efi_siglist_find_x509()); measured once per distinct entry, so
 *      systemd-boot and the UKI signed by the same key give one.
 *
 * Each variable event's data is a UEFI_VARIABLE_DATA (PFP 10.2.3: VariableName GUID,
 * UINT64 UnicodeNameLength in CHAR16 without NUL, UINT64 VariableDataLength, UnicodeName,
 * VariableData) and its digest is the SHA-256 of that whole structure (edk2 hashes the whole
 * UEFI_VARIABLE_DATA for both event types). dbt is measured only when present; the keyset's
 * firmware variables have none. */

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "macro.h"

#define EV_SEPARATOR UINT32_C(0x00000004)
#define EV_EFI_VARIABLE_DRIVER_CONFIG UINT32_C(0x80000001)
#define EV_EFI_VARIABLE_AUTHORITY UINT32_C(0x800000E0)

typedef struct Pcr7Event {
        uint32_t type;
        char name[16]; /* variable name, or "" for the separator */
        uint8_t digest[SHA256_DIGEST_SIZE];
        uint8_t *data; /* the event data as logged */
        size_t size;
} Pcr7Event;

typedef struct Pcr7Prediction {
        Pcr7Event events[8];
        size_t n_events;
        uint8_t pcr7[SHA256_DIGEST_SIZE];
} Pcr7Prediction;

void pcr7_prediction_done(Pcr7Prediction *p);

/* Builds a UEFI_VARIABLE_DATA for variable name (ASCII) of vendor guid (16 bytes, EFI byte
 * order) with the given data. */
int uefi_variable_data(const uint8_t guid[16], const char *name, const void *data, size_t size,
                       uint8_t **ret, size_t *ret_size);

/* Predicts PCR 7 for a Secure Boot with keyset_dir's PK, KEK and db when the boot loader is
 * signed by signer_cert ("uefi-db.crt" for production, "uefi-db-provision.crt" for the
 * factory image), a file of the keyset. */
int pcr7_predict(const char *keyset_dir, const char *signer_cert, Pcr7Prediction *ret);
