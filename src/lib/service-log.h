/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A service's log: what its container writes on stdout and stderr, as it comes, in
 * <dir>/<name>.log. When a write would take the file past max_size bytes, the file becomes
 * <name>.log.1 (replacing the previous one) and a new <name>.log starts: at most 2 * max_size
 * bytes per service on the data volume, the newest output always kept. */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct ServiceLog ServiceLog;

/* dir_fd is duplicated. max_size >= 1. Files are created mode 0640; an existing log is
 * appended to. */
int service_log_open(int dir_fd, const char *name, uint64_t max_size, ServiceLog **ret);
ServiceLog *service_log_free(ServiceLog *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ServiceLog *, service_log_free);

int service_log_write(ServiceLog *l, const void *data, size_t size);
/* printf-style line from mosd itself ("-- mosd: ... --"), so the log tells restarts apart. */
int service_log_note(ServiceLog *l, const char *fmt, ...) _printf_(2, 3);
