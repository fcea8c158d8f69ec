/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The diagnostic init's TPM access. */

int diag_tpm_pcr_read(unsigned pcr, unsigned char ret[32]);
/* Unseals the test secret (when the TPM module is available) and reports through say(). */
void diag_tpm_unseal(void (*say)(const char *fmt, ...));
