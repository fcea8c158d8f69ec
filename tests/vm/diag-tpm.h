/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The diagnostic init's TPM access (diag-tpm.c, on the TPM module). */

int diag_tpm_pcr_read(unsigned pcr, unsigned char ret[32]);
/* Unseals /etc/mos/test/data-volume.sealed with the policies in /etc/mos/policies and
 * reports through say(). */
void diag_tpm_unseal(void (*say)(const char *fmt, ...));
