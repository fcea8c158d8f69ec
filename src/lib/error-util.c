/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "error-util.h"

_printf_(1, 0) static char *format(const char *fmt, va_list ap) {
        char *m = NULL;

        if (vasprintf(&m, fmt, ap) < 0)
                return NULL;
        return m;
}

int error_setv(char **ret_error, int r, const char *fmt, va_list ap) {
        if (ret_error && !*ret_error)
                *ret_error = format(fmt, ap);
        return r;
}

int error_set(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        r = error_setv(ret_error, r, fmt, ap);
        va_end(ap);
        return r;
}

int error_replace(char **error, int r, const char *fmt, ...) {
        va_list ap;
        char *m;

        if (!error)
                return r;
        va_start(ap, fmt);
        m = format(fmt, ap);
        va_end(ap);
        free(*error);
        *error = m;
        return r;
}
