/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

void progress_init(Progress *p) {
        *p = (Progress){ .enabled = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) };
}

void progress_update(const char *what, uint64_t done, uint64_t total, void *userdata) {
        Progress *p = userdata;
        uint64_t t;

        if (!p || !p->enabled)
                return;
        t = now_ns();
        if (p->shown && t - p->last_ns < 100000000ULL && done != total)
                return;
        p->last_ns = t;
        p->shown = true;
        if (total > 0)
                fprintf(stderr, "\r\033[K%s %3u%%", what, (unsigned) (done * 100 / (total ?: 1)));
        else
                fprintf(stderr, "\r\033[K%s %llu MiB", what, (unsigned long long) (done >> 20));
        fflush(stderr);
}

void progress_done(Progress *p) {
        if (p->shown) {
                fputs("\r\033[K", stderr);
                fflush(stderr);
                p->shown = false;
        }
}
