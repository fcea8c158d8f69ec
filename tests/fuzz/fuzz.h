/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Every fuzz target implements this. It is linked either with libFuzzer (-Dfuzz=true, clang)
 * or with fuzz-main.c, which replays a corpus in every build. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
