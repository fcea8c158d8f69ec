/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ GptPartition *parts = NULL;
        uint8_t head[GPT_FIRST_USABLE_LBA * GPT_SECTOR];
        size_t n;

        /* The first 34 sectors, zero-padded; the disk size from the input's length. */
        memset(head, 0, sizeof head);
        memcpy(head, data, size < sizeof head ? size : sizeof head);
        (void) gpt_parse(head, sizeof head, (uint64_t) (size / 512 + 100) * 512, NULL, &parts, &n);
        return 0;
}
