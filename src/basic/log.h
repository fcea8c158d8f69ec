/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "macro.h"

/* Logging. Levels are syslog's. Messages go to stderr as "PROGRAM: message". Programs set the
 * level from MOS_LOG_LEVEL or --log-level; libraries log at debug level only.
 *
 * log_*_errno(r, ...) logs with errno set to -r, so "%m" expands to the error text, and
 * returns r (negative), so a caller can log and fail in one statement:
 *     return log_error_errno(r, "Failed to read manifest '%s': %m", path);
 */

void log_set_program_name(const char *name);
const char *log_get_program_name(void);
void log_set_max_level(int level);
int log_get_max_level(void);

/* Parses "error", "warning", "notice", "info", "debug" or a number 0..7. */
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);

/* Applies $MOS_LOG_LEVEL; returns -EINVAL (and keeps the level) when it is set but invalid. */
int log_parse_environment(void);

/* Redirect output (tests); NULL means stderr. */
void log_set_stream(FILE *f);

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);
int log_internalv(int level, int error, const char *file, int line, const char *func,
                  const char *format, va_list ap) _printf_(6, 0);

#define log_full_errno(level, error, ...)                                                          \
        ({                                                                                         \
                int _level = (level), _e = (error);                                                \
                _e = _e < 0 ? -_e : _e;                                                            \
                (log_get_max_level() >= _level)                                                    \
                        ? log_internal(_level, _e, __FILE__, __LINE__, __func__, __VA_ARGS__)      \
                        : -_e;                                                                     \
        })
#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(error, ...) log_full_errno(LOG_DEBUG, error, __VA_ARGS__)
#define log_info_errno(error, ...) log_full_errno(LOG_INFO, error, __VA_ARGS__)
#define log_notice_errno(error, ...) log_full_errno(LOG_NOTICE, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, error, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
