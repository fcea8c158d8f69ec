/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed hash
 * for hash tables whose keys come from input, so that nobody can make them collide without
 * knowing the key. */

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[static 16], const void *data, size_t size);
