/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "verb-util.h"

#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "string-util.h"
#include "verbs.h"

int verb_option_error(char *argv[], int c, const struct option *options) {
        const char *arg = argv[optind - 1];

        if (c == ':') {
                for (const struct option *o = options; o && o->name; o++)
                        if (o->val == optopt)
                                return verb_usage_error(argv[0], "option '--%s' needs a value",
                                                        o->name);
                return verb_usage_error(argv[0], "option '%s' needs a value", arg);
        }
        /* A long option given a value it does not take ("--json=x") reports its own val. */
        for (const struct option *o = options; optopt && o && o->name; o++)
                if (o->val == optopt && o->has_arg == no_argument && startswith(arg, "--"))
                        return verb_usage_error(argv[0], "option '--%s' takes no value", o->name);
        if (optopt && optopt != '?')
                return verb_usage_error(argv[0], "unknown option '-%c'", optopt);
        return verb_usage_error(argv[0], "unknown option '%s'", arg);
}

int verb_check_args(char *argv[], int argc, int min, int max, const char *what) {
        int n = argc - optind;

        if (n < min)
                return verb_usage_error(argv[0], "missing argument: expected %s", what);
        if (n > max)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind + max]);
        return 0;
}

int verb_print_json(json_t *j) {
        _cleanup_free_ char *s = NULL;
        int r;

        if (!j)
                return log_oom();
        r = json_dump_canonical(j, &s, NULL);
        json_decref(j);
        if (r < 0)
                return log_error_errno(r, "Failed to format JSON output: %m");
        if (puts(s) < 0 || fflush(stdout) != 0)
                return log_error_errno(EIO, "Failed to write to standard output: %m");
        return 0;
}
