/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "cpio.h"
#include "fuzz.h"

static int touch(const CpioEntry *e, void *userdata) {
        size_t *sum = userdata;
        *sum += strlen(e->path) + e->size + (e->size ? e->data[e->size - 1] : 0);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t sum = 0;
        (void) cpio_parse(data, size, touch, &sum);
        return 0;
}
