/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers shared by the verbs of the trust-root nouns (keyset, product, device,
 * manifest). */

#include <getopt.h>

#include "json.h"

/* Reports what getopt_long() (optstring starting with ':', opterr = 0) returned for a bad
 * option: unknown option or missing argument. Returns exit code 2. */
int verb_option_error(char *argv[], int c, const struct option *options);

/* Checks the number of positional arguments left after getopt_long(). Returns 0, or exit code 2
 * after a usage message naming what is missing or extra. */
int verb_check_args(char *argv[], int argc, int min, int max, const char *what);

/* Prints one JSON document (canonical form) and a newline on stdout. Takes the reference. */
int verb_print_json(json_t *j);
