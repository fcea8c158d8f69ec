/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The parts of the tpm2 module that need no TPM: error mapping and the sealed blob parser. The
 * TPM itself is exercised by tests/integration/test-tpm.sh against swtpm. */

#include <string.h>

#include "tap.h"
#include "tpm2.h"

TEST(rc_mapping) {
        ASSERT_EQ(tpm2_rc_to_errno(0), 0);
        ASSERT_EQ(tpm2_rc_to_errno(0x99d), -EPERM);           /* POLICY_FAIL, session 1 */
        ASSERT_EQ(tpm2_rc_to_errno(0x1c4), -EPERM);           /* VALUE, parameter 1 */
        ASSERT_EQ(tpm2_rc_to_errno(0x12f), -EPERM);           /* AUTH_UNAVAILABLE */
        ASSERT_EQ(tpm2_rc_to_errno(0x126), -EPERM);           /* POLICY */
        ASSERT_EQ(tpm2_rc_to_errno(0x1df), -EKEYREJECTED);    /* INTEGRITY, parameter 1 */
        ASSERT_EQ(tpm2_rc_to_errno(0x2db), -EKEYREJECTED);    /* SIGNATURE, parameter 2 */
        ASSERT_EQ(tpm2_rc_to_errno(0x18b), -ENOKEY);          /* HANDLE 1 */
        ASSERT_EQ(tpm2_rc_to_errno(0x14c), -EEXIST);          /* NV_DEFINED */
        ASSERT_EQ(tpm2_rc_to_errno(0x9a2), -EACCES);          /* BAD_AUTH, session 1 */
        ASSERT_EQ(tpm2_rc_to_errno(0x98e), -EACCES);          /* AUTH_FAIL, session 1 */
        ASSERT_EQ(tpm2_rc_to_errno(0x902), -ENOSPC);          /* OBJECT_MEMORY */
        ASSERT_EQ(tpm2_rc_to_errno(0x921), -ENOTRECOVERABLE); /* LOCKOUT */
        ASSERT_EQ(tpm2_rc_to_errno(0xa000a), -ENXIO);         /* TCTI IO_ERROR */
        ASSERT_EQ(tpm2_rc_to_errno(0x70001), -EIO);           /* ESAPI general failure */
}

TEST(sealed_blob_check) {
        uint8_t b[64] = "MOS-SEAL";

        ASSERT_ERRNO(tpm2_sealed_blob_check(b, 0), -EBADMSG);
        ASSERT_ERRNO(tpm2_sealed_blob_check(b, 12), -EBADMSG); /* version 0 */
        b[11] = 1;
        ASSERT_ERRNO(tpm2_sealed_blob_check(b, 12), -EBADMSG); /* no TPM2B_PUBLIC */
        ASSERT_ERRNO(tpm2_sealed_blob_check(b, sizeof b), -EBADMSG);
        ASSERT_ERRNO(tpm2_sealed_blob_check(b, TPM2_SEALED_MAX + 1), -EFBIG);
}

TEST(no_tpm) {
        Tpm2Context *c = NULL;
        char *e = NULL;

        ASSERT_ERRNO(tpm2_context_new("device:/dev/nonexistent-tpm", &c, &e), -ENXIO);
        ASSERT_NULL(c);
        ASSERT_TRUE(e && strstr(e, "no TPM reachable through TCTI 'device:/dev/nonexistent-tpm'"));
        free(e);
}

int main(void) {
        RUN(rc_mapping);
        RUN(sealed_blob_check);
        RUN(no_tpm);
        return tap_done();
}
