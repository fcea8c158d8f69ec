/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The `mos` command: the verb table. Each noun's verbs live in verb-<noun>.c. */

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "exit-code.h"
#include "log.h"
#include "string-util.h"
#include "status.h"
#include "verb-status.h"
#include "verbs.h"

static const Verb verbs[] = {
        /* Nouns are added here as they are implemented, grouped by noun. */
        { "status", NULL, "[--json] [--socket PATH]",
          "Show the services mosd runs: state, restarts, last exit",
          "  --json         print one JSON document (docs/status.md)\n"
          "  --socket PATH  mosd's status socket (default " STATUS_SOCKET_DEFAULT ")\n",
          verb_status },
        { 0 },
};

static const char description[] =
        "MachineOS: build, sign and run trusted, Secure Boot, image-based appliances.";

static const char global_help[] =
        "Global options:\n"
        "  --log-level LEVEL  error, warning, notice, info (default) or debug;\n"
        "                     also taken from $MOS_LOG_LEVEL, the option wins\n"
        "  --version          print the version\n"
        "  -h, --help         print this help; 'mos NOUN --help', 'mos NOUN VERB --help'\n"
        "\n"
        "Exit codes:\n"
        "  0  success\n"
        "  1  failure (I/O, missing file, internal error)\n"
        "  2  usage error (unknown verb, bad option)\n"
        "  3  refused: something is not trusted (signature, chain, product, rollback,\n"
        "     verity, firmware or TPM policy)\n";

int main(int argc, char *argv[]) {
        const VerbTable table = {
                .program = "mos",
                .version = MOS_VERSION,
                .description = description,
                .global_help = global_help,
                .verbs = verbs,
                .n_verbs = ELEMENTSOF(verbs) - 1, /* without the terminating entry */
        };
        const char *level;
        int r;

        log_set_program_name("mos");
        if (log_parse_environment() < 0)
                log_warning("Ignoring invalid $MOS_LOG_LEVEL, expected error, warning, notice, "
                            "info or debug.");

        r = verbs_extract_log_level(argc - 1, argv + 1, &level);
        if (r < 0) {
                log_error("Option '--log-level' needs a value. See 'mos --help'.");
                return MOS_EXIT_USAGE;
        }
        argc = r + 1;
        if (level) {
                int l = log_level_from_string(level);
                if (l < 0) {
                        log_error("Invalid --log-level '%s', expected error, warning, notice, "
                                  "info or debug. See 'mos --help'.",
                                  level);
                        return MOS_EXIT_USAGE;
                }
                log_set_max_level(l);
        }

        if (argc >= 2 && streq(argv[1], "--version")) {
                printf("mos %s\n", MOS_VERSION);
                return MOS_EXIT_SUCCESS;
        }
        return verbs_dispatch(&table, argc - 1, argv + 1);
}
