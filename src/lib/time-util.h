/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Timestamps in signed documents: RFC 3339 in UTC, seconds precision, "Z" suffix, the one
 * spelling "YYYY-MM-DDTHH:MM:SSZ" (section 5.6, with no fraction and no offset), so that a
 * time has exactly one representation. */

#include <time.h>

#define RFC3339_MAX 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* -ERANGE for times outside years 0000..9999. */
int rfc3339_format(time_t t, char ret[RFC3339_MAX]);
/* Strict: exactly the form above, a real calendar date (no Feb 30, no leap second).
 * -EINVAL otherwise. */
int rfc3339_parse(const char *s, time_t *ret);

/* The build time for reproducible output: $SOURCE_DATE_EPOCH when set (reproducible-builds.org
 * specification: a decimal count of seconds since the epoch), else -ENOENT. -EINVAL when set
 * but not a number. */
int source_date_epoch(time_t *ret);
