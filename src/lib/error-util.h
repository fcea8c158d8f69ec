/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The "char **ret_error" convention of the library modules: a one-line message for the user,
 * allocated, set on failure. error_set() keeps a message that is already there (the deepest
 * call knows best what went wrong; its callers only add context when there is none);
 * error_replace() overwrites. Both return r, so that `return error_set(...)` works; ret_error
 * may be NULL. */

#include <stdarg.h>

#include "macro.h"

int error_set(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
int error_setv(char **ret_error, int r, const char *fmt, va_list ap) _printf_(3, 0);
int error_replace(char **error, int r, const char *fmt, ...) _printf_(3, 4);
