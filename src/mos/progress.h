/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A one-line progress display on stderr for long operations. It shows only when stdout and
 * stderr are both terminals (so scripts and logs stay quiet), redraws at most ten times a
 * second, and is cleared by progress_done(). */

#include <stdbool.h>
#include <stdint.h>

typedef struct Progress {
        bool enabled;
        bool shown;
        uint64_t last_ns;
} Progress;

void progress_init(Progress *p);
/* Matches ImageProgressFn. */
void progress_update(const char *what, uint64_t done, uint64_t total, void *userdata);
void progress_done(Progress *p);
