/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "siphash.h"
#include "tap.h"

/* The paper's appendix A: key 00..0f, message 00..0e. */
TEST(paper_vector) {
        uint8_t key[16], msg[15];

        for (unsigned i = 0; i < 16; i++)
                key[i] = (uint8_t) i;
        for (unsigned i = 0; i < 15; i++)
                msg[i] = (uint8_t) i;
        ASSERT_TRUE(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
        /* the reference implementation's vectors.h: empty input, and 8 bytes */
        ASSERT_TRUE(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
        ASSERT_TRUE(siphash24(key, msg, 8) == 0x93f5f5799a932462ULL);
}

int main(void) {
        RUN(paper_vector);
        return tap_done();
}
