/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Strict number parsing: decimal only, no sign, no leading/trailing space, no leading zeros
 * ("0" itself is fine), full string consumed, range checked. Returns -EINVAL on bad syntax and
 * -ERANGE on overflow; *ret is written only on success. */
int safe_atou64(const char *s, uint64_t *ret);
int safe_atou32(const char *s, uint32_t *ret);
int safe_atou(const char *s, unsigned *ret);

/* "yes"/"no", "true"/"false", "1"/"0", "on"/"off". */
int parse_boolean(const char *s);
