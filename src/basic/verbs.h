/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* git-style "PROGRAM NOUN VERB [ARGS]" dispatch from a table.
 *
 * The dispatcher owns --help at every level: "PROGRAM --help", "PROGRAM NOUN [--help]" and
 * "PROGRAM NOUN VERB --help" print help from the table and exit 0; an unknown noun or verb
 * prints a one-line usage error and exits 2. A verb's run() gets argv with
 * argv[0] = "PROGRAM NOUN VERB" and returns an exit code (>= 0) or a negative errno (see exit-code.h). */

typedef struct Verb {
        const char *noun;
        const char *verb;     /* NULL: the noun alone is the command ("mos status [--json]"); such a
                             noun has no other verbs */
        const char *synopsis; /* arguments, e.g. "DIR [--org NAME]" */
        const char *summary;  /* one line */
        const char *help;     /* option descriptions, printed under the synopsis; may be NULL */
        int (*run)(int argc, char *argv[]);
} Verb;

typedef struct VerbTable {
        const char *program; /* "mos" */
        const char *version;
        const char *description; /* one paragraph for PROGRAM --help */
        const char *global_help; /* global options and exit codes */
        const Verb *verbs;
        size_t n_verbs;
} VerbTable;

/* argv[0] is the first argument after the global options (the noun), argc may be 0. Returns
 * the exit code. */
int verbs_dispatch(const VerbTable *t, int argc, char *argv[]);

void verbs_print_help(const VerbTable *t, FILE *f);
/* Removes "--log-level X" and "--log-level=X" from argv (before a "--"), returning the last
 * value in *ret_level (or NULL). Returns the new argc, or -EINVAL when the value is missing. */
int verbs_extract_log_level(int argc, char *argv[], const char **ret_level);

/* For verbs: report an option error found by getopt_long (with opterr = 0) and return exit 2. */
int verb_usage_error(const char *verb_name, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
