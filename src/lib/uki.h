/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Unified kernel images (docs/uki.md): systemd-stub (Debian's linuxx64.efi.stub) with .osrel,
 * .cmdline, .linux and .initrd sections appended at 4 KiB-aligned addresses (systemd's UKI
 * specification, as systemd 252's stub reads it), signed with uefi-db (Authenticode). */

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "pe.h"

#define UKI_STUB_DEFAULT "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"
#define UKI_SYSTEMD_BOOT_DEFAULT "/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
#define UKI_CMDLINE_MAX 4096

typedef struct UkiParams {
        const char *stub;       /* NULL: UKI_STUB_DEFAULT */
        const char *kernel;     /* bzImage (a PE image itself; its own signature is ignored) */
        const char *initrd;     /* may be NULL */
        const char *cmdline;    /* may be NULL */
        const char *os_release; /* the .osrel text; NULL: MachineOS's own */
} UkiParams;

/* Builds the UKI; signs it when signer is not NULL. -EINVAL for a command line with control
 * characters or longer than UKI_CMDLINE_MAX, -EBADMSG when the stub or kernel is not a PE
 * image (the kernel must carry the "HdrS" boot protocol header). */
int uki_build(const UkiParams *p, const CryptoSigner *signer, PeImage **ret);

/* The signer for boot files in a keyset: uefi-db (or uefi-db-provision for the factory UKI). */
int uki_load_signer(const char *keyset_dir, bool provision, CryptoSigner **ret);

/* Signs an EFI binary (systemd-boot) for the ESP: any signature it carries is replaced. */
int uki_sign_binary(const char *path, const CryptoSigner *signer, PeImage **ret);

/* Verifies a signed UKI or boot loader against the keyset's db certificates (uefi-db and
 * uefi-db-provision): 0 when one of them verifies it. */
int uki_verify(PeImage *img, const char *keyset_dir);
