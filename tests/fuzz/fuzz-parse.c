/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The small parsers of src/basic that every input passes through: numbers, hex, paths,
 * log levels. The input is split at NUL bytes into strings. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "path-util.h"
#include "string-util.h"

/* Independent oracle: a ".." component at the start, middle or end. */
static bool has_dotdot_component(const char *s) {
        return streq(s, "..") || startswith(s, "../") || strstr(s, "/../") || endswith(s, "/..");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL, *d = NULL, *b = NULL;
        _cleanup_free_ void *h = NULL;
        uint64_t u;
        size_t n;

        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';

        (void) safe_atou64(s, &u);
        (void) parse_boolean(s);
        (void) log_level_from_string(s);
        if (unhexmem(s, strlen(s), &h, &n) >= 0) {
                _cleanup_free_ char *again = hexmem(h, n);
                if (!again || strcasecmp(again, s) != 0)
                        abort(); /* hex must round-trip */
        }
        if (path_is_safe_relative(s) && has_dotdot_component(s))
                abort(); /* a path with a ".." component must never pass */
        if (path_dirname(s, &d) >= 0 && path_basename(s, &b) >= 0 && strchr(b, '/'))
                abort();
        return 0;
}
