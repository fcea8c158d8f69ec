/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <getopt.h>

#include "verbs.h"

/* The usage error for what getopt_long (opterr = 0) returned as '?' or ':'. */
static inline int verb_option_error(char *argv[], int opt) {
        const char *arg = optind > 0 ? argv[optind - 1] : "?";

        if (opt == ':')
                return verb_usage_error(argv[0], "option '%s' needs a value", arg);
        return verb_usage_error(argv[0], "unknown option '%s'", arg);
}
