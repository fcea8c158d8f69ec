/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* mos-init's boot sequence (docs/boot.md): the logic of PID 1 of the initramfs, with
 * src/init/main.c as a thin wrapper. Production:
 *
 *   sysinit   kernel file systems, the command line
 *   modules   the kernel modules of /etc/mos/modules.load
 *   devices   the partitions mos-config, mos-store and mos-data, by GPT partition name
 *   unseal    the data-volume key, through the signed PCR 7 policy of /etc/mos/policies
 *   lock      PCR 7 extended: nothing after this can unseal; identity certificate and
 *             minimum-release counter read from TPM NV
 *   data      LUKS2 data volume (formatted on the first boot), ext4, mounted on /data
 *   manifest  mos-config's manifest.json verified (manifest-ca of the initramfs, product of
 *             the device certificate, release >= the TPM counter), mos-store mounted
 *   hostfs    every hostfs layer through dm-verity, fully read once, overlay with a tmpfs
 *             upper on /sysroot
 *   handover  mounts moved into /sysroot, switch_root; main() then execs the hand-over
 *             program (default /usr/sbin/mosd)
 *
 * Factory provisioning (mos.mode=provision, the UKI signed by uefi-db-provision): sysinit,
 * modules, devices (mos-data only), provision (docs/boot.md, "Factory provisioning").
 *
 * The module prints nothing itself: every console line goes through the BootSayFn the caller
 * gives (main() writes "mos-init: <line>"). A failed boot returns -errno with a one-line
 * reason in boot->reason; main() prints "mos-init: refused: <reason>" and powers off. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define BOOT_PHASES_MAX 16
#define BOOT_DEFAULT_HANDOVER "/usr/sbin/mosd"
#define BOOT_DEFAULT_DEVICE_TIMEOUT_SEC 30u
#define BOOT_MKE2FS "/usr/sbin/mke2fs"

/* Files in the initramfs (written by `mos initramfs build`, see initramfs.h). */
#define BOOT_MODULES_LOAD "/etc/mos/modules.load"
#define BOOT_MANIFEST_CA "/etc/mos/trust/manifest-ca.crt"
#define BOOT_TPM_POLICY_KEY "/etc/mos/trust/tpm-policy.pub"
#define BOOT_SUDI_CA "/etc/mos/trust/sudi-ca.crt"
#define BOOT_POLICY_DIR "/etc/mos/policies"

/* Files on mos-config (written by `mos disk create`). */
#define BOOT_CONFIG_MANIFEST "manifest.json"
#define BOOT_CONFIG_SIGNATURE "manifest.json.sig"

/* What the hand-over program finds (docs/boot.md, "Hand-over"). */
#define BOOT_RUN_DIR "/run/mos"
#define BOOT_RUN_MANIFEST "/run/mos/manifest.json" /* the verified bytes */
#define BOOT_RUN_SIGNATURE "/run/mos/manifest.json.sig"
#define BOOT_RUN_IDENTITY "/run/mos/identity.der" /* device certificate from TPM NV */
#define BOOT_RUN_BOOT_JSON "/run/mos/boot.json"   /* phases and their times */

typedef enum BootMode {
        BOOT_MODE_PRODUCTION,
        BOOT_MODE_PROVISION,
        _BOOT_MODE_MAX,
} BootMode;

typedef struct BootOptions {
        BootMode mode;  /* mos.mode=production|provision */
        char *handover; /* mos.handover=/absolute/path (default BOOT_DEFAULT_HANDOVER) */
        uint64_t device_timeout_usec; /* mos.device_timeout=SECONDS (1..600) */
        char *tcti;                   /* mos.tcti=... (default: device:/dev/tpmrm0) */
        bool debug; /* mos.debug: debug messages of the libraries on the console */
} BootOptions;

void boot_options_done(BootOptions *o);
/* Parses mos-init's keys from the kernel command line. -EINVAL with *ret_error for a bad value
 * (the boot stops: a signed command line with a typo must not boot in some default way). */
int boot_options_parse(const char *cmdline, size_t size, BootOptions *ret, char **ret_error);

typedef struct BootPhase {
        const char *name;
        uint64_t start_usec, end_usec; /* CLOCK_MONOTONIC; end 0 while running */
} BootPhase;

typedef void (*BootSayFn)(const char *line, void *userdata);

typedef struct Boot Boot;

Boot *boot_new(BootSayFn say, void *userdata);
Boot *boot_free(Boot *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(Boot *, boot_free);

/* The reason of the failure, one line ("" when none). */
const char *boot_reason(const Boot *b);
const BootOptions *boot_options(const Boot *b);
size_t boot_phases(const Boot *b, const BootPhase **ret);

/* Runs the sequence for the mode on the command line. Production: returns 0 once the root is
 * switched (the caller execs boot_options()->handover). Provision: returns 0 when the factory
 * step is done (the caller powers off). */
int boot_run(Boot *b);

/* Phase bookkeeping, shared by the production and factory sequences (boot-factory.c). */
void boot_phase_begin(Boot *b, const char *name);
void boot_phase_end(Boot *b);
void boot_say(Boot *b, const char *fmt, ...) _printf_(2, 3);
int boot_fail(Boot *b, int r, const char *fmt, ...) _printf_(3, 4);
uint64_t boot_now_usec(void);

/* Checks that a device identity certificate (DER, from the factory exchange area or TPM NV)
 * was issued by the device CA at ca_path (BOOT_SUDI_CA on the device) and has the
 * device-identity profile, so that the product it names can be trusted. Validity periods are
 * not checked (no trusted clock at boot). 0, or -EKEYREJECTED with *ret_error (may be NULL)
 * saying why; another -errno (and *ret_error) when the CA does not load. */
int boot_check_identity_certificate(const char *ca_path, const uint8_t *der, size_t size,
                                    char **ret_error);

/* boot-factory.c */
int boot_factory_provision(Boot *b, const char *data_device);

/* Formats a time span for the console: "58 ms", "1.234 s". */
void boot_format_usec(uint64_t usec, char *buf, size_t size);
