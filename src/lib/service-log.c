/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "service-log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "log.h"
#include "string-util.h"

struct ServiceLog {
        int dir_fd;
        int fd;
        char *name;     /* <name>.log */
        char *previous; /* <name>.log.1 */
        uint64_t size;
        uint64_t max_size;
        bool mid_line; /* the last byte written was not a newline */
};

ServiceLog *service_log_free(ServiceLog *l) {
        if (!l)
                return NULL;
        safe_close(l->fd);
        safe_close(l->dir_fd);
        free(l->name);
        free(l->previous);
        free(l);
        return NULL;
}

static int reopen(ServiceLog *l) {
        struct stat st;
        int fd;

        fd = openat(l->dir_fd, l->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                    0640);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                int e = -errno;
                safe_close(fd);
                return e;
        }
        safe_close(l->fd);
        l->fd = fd;
        l->size = (uint64_t) st.st_size;
        return 0;
}

int service_log_open(int dir_fd, const char *name, uint64_t max_size, ServiceLog **ret) {
        _cleanup_(service_log_freep) ServiceLog *l = NULL;
        int r;

        if (max_size == 0 || isempty(name) || strchr(name, '/'))
                return -EINVAL;
        l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->fd = -1;
        l->max_size = max_size;
        l->dir_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (l->dir_fd < 0)
                return -errno;
        l->name = strjoin(name, ".log");
        l->previous = strjoin(name, ".log.1");
        if (!l->name || !l->previous)
                return -ENOMEM;
        r = reopen(l);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

static int rotate(ServiceLog *l) {
        if (renameat(l->dir_fd, l->name, l->dir_fd, l->previous) < 0)
                return -errno;
        log_debug("Rotated log %s.", l->name);
        return reopen(l);
}

int service_log_write(ServiceLog *l, const void *data, size_t size) {
        const uint8_t *p = data;
        int r;

        while (size > 0) {
                size_t chunk;

                if (l->size >= l->max_size) {
                        r = rotate(l);
                        if (r < 0)
                                return r;
                }
                /* Fill the current file up to the cap, then rotate: a burst larger than the cap
                 * keeps its newest part. */
                chunk = (size_t) MIN((uint64_t) size, l->max_size - l->size);
                r = loop_write(l->fd, p, chunk);
                if (r < 0)
                        return r;
                l->size += chunk;
                l->mid_line = p[chunk - 1] != '\n';
                p += chunk;
                size -= chunk;
        }
        return 0;
}

int service_log_note(ServiceLog *l, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL, *line = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return -ENOMEM;
        /* On a line of its own even when the service's last output did not end one. */
        line = strjoin(l->mid_line ? "\n" : "", "-- mosd: ", msg, " --\n");
        if (!line)
                return -ENOMEM;
        return service_log_write(l, line, strlen(line));
}
