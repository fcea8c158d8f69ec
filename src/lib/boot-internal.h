/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of one boot, shared by boot.c and boot-factory.c only. */

#include "boot.h"
#include "manifest.h"
#include "memory-util.h"
#include "tpm-policy.h"
#include "tpm2.h"
#include "uuid-util.h"

/* Indices into Boot.devices for the production sequence. */
enum {
        DEV_CONFIG = 0,
        DEV_STORE = 1,
        DEV_DATA = 2,
};

struct Boot {
        BootSayFn say;
        void *userdata;
        BootOptions opts;
        BootPhase phases[BOOT_PHASES_MAX];
        size_t n_phases;
        char *reason;

        char **devices; /* partition device nodes, in the order they were asked for */
        Tpm2Context *tpm;
        TpmPolicySet policies; /* the vendor's signed PCR 7 policies of the initramfs */
        uint8_t *sealed;       /* the sealed data-volume key */
        size_t sealed_size;
        bool first_boot;
        SecretBuffer secret; /* the unsealed data-volume key, wiped once the volume is open */
        uint8_t *cert;       /* device identity certificate (DER) from TPM NV */
        size_t cert_size;
        uint8_t product[UUID_SIZE];
        uint64_t min_release;
        char *manifest_data; /* the bytes verified */
        size_t manifest_size;
        uint8_t *signature;
        size_t signature_size;
        bool config_mounted;
        Manifest *manifest;
};
