/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Interim TPM access of the diagnostic init: one TPM2_PCR_Read command (TCG TPM 2.0 Part 3,
 * section 22.4) written to /dev/tpmrm0. Replaced by the TPM module (src/lib/tpm2) once it is
 * there. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "diag-tpm.h"

static unsigned be32(const unsigned char *p) {
        return (unsigned) p[0] << 24 | (unsigned) p[1] << 16 | (unsigned) p[2] << 8 | p[3];
}

int diag_tpm_pcr_read(unsigned pcr, unsigned char ret[32]) {
        unsigned char cmd[20] = {
                0x80, 0x01,             /* TPM_ST_NO_SESSIONS */
                0x00, 0x00, 0x00, 0x14, /* commandSize */
                0x00, 0x00, 0x01, 0x7e, /* TPM_CC_PCR_Read */
                0x00, 0x00, 0x00, 0x01, /* TPML_PCR_SELECTION.count */
                0x00, 0x0b,             /* TPM_ALG_SHA256 */
                0x03,                   /* sizeofSelect */
                0x00, 0x00, 0x00,
        };
        unsigned char rsp[512];
        ssize_t n;
        int fd;

        if (pcr >= 24)
                return -EINVAL;
        cmd[17 + pcr / 8] = (unsigned char) (1u << (pcr % 8));
        fd = open("/dev/tpmrm0", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write(fd, cmd, sizeof cmd) != (ssize_t) sizeof cmd) {
                close(fd);
                return -EIO;
        }
        n = read(fd, rsp, sizeof rsp);
        close(fd);
        /* tag(2) size(4) rc(4) pcrUpdateCounter(4) TPML_PCR_SELECTION(4+2+1+3)
         * TPML_DIGEST.count(4) TPM2B_DIGEST.size(2) digest(32) */
        if (n < 10)
                return -EIO;
        if (be32(rsp + 6) != 0)
                return -(int) (0x10000 + (be32(rsp + 6) & 0xfff)); /* TPM_RC in the error */
        if (n < 60 || be32(rsp + 24) != 1 || rsp[28] != 0 || rsp[29] != 32)
                return -EBADMSG;
        memcpy(ret, rsp + 30, 32);
        return 0;
}

void diag_tpm_unseal(void (*say)(const char *fmt, ...)) {
        say("unseal=unsupported (the TPM module of issue 5 is not merged yet)");
}
