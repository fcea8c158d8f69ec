/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "verbs.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "exit-code.h"
#include "log.h"
#include "string-util.h"

static bool is_help(const char *a) {
        return streq(a, "--help") || streq(a, "-h");
}

static bool noun_exists(const VerbTable *t, const char *noun) {
        for (size_t i = 0; i < t->n_verbs; i++)
                if (streq(t->verbs[i].noun, noun))
                        return true;
        return false;
}

void verbs_print_help(const VerbTable *t, FILE *f) {
        fprintf(f, "Usage: %s [--log-level LEVEL] NOUN VERB [ARGS...]\n       %s --version\n\n%s\n",
                t->program, t->program, t->description);
        if (t->n_verbs > 0)
                fprintf(f, "\nCommands:\n");
        for (size_t i = 0; i < t->n_verbs; i++) {
                const Verb *v = &t->verbs[i];
                if (i == 0 || !streq(v->noun, t->verbs[i - 1].noun))
                        fputc('\n', f);
                fprintf(f, "  %s %-10s %s\n", v->noun, strempty(v->verb), v->summary);
        }
        fprintf(f, "\n%s", t->global_help);
}

static void print_noun_help(const VerbTable *t, const char *noun, FILE *f) {
        fprintf(f, "Usage: %s %s VERB [ARGS...]\n\nVerbs:\n", t->program, noun);
        for (size_t i = 0; i < t->n_verbs; i++)
                if (streq(t->verbs[i].noun, noun))
                        fprintf(f, "  %-10s %s\n", t->verbs[i].verb, t->verbs[i].summary);
        fprintf(f, "\nRun '%s %s VERB --help' for the arguments of a verb.\n", t->program, noun);
}

static void print_verb_help(const VerbTable *t, const Verb *v, FILE *f) {
        fprintf(f, "Usage: %s %s%s%s %s\n\n%s\n", t->program, v->noun, v->verb ? " " : "",
                strempty(v->verb), strempty(v->synopsis), v->summary);
        if (v->help)
                fprintf(f, "\n%s", v->help);
}

static int usage_error(const VerbTable *t, const char *hint_noun, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int usage_error(const VerbTable *t, const char *hint_noun, const char *fmt, ...) {
        char buf[512];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (hint_noun)
                log_error("%s. See '%s %s --help'.", buf, t->program, hint_noun);
        else
                log_error("%s. See '%s --help'.", buf, t->program);
        return MOS_EXIT_USAGE;
}

/* The verb sees argv[0] = "PROGRAM NOUN VERB", so its messages (and getopt's) name it fully. */
static int run_verb(const VerbTable *t, const Verb *v, int argc, char *argv[]) {
        char name[256];
        char *saved = argv[0];
        int r;

        (void) snprintf(name, sizeof name, "%s %s%s%s", t->program, v->noun, v->verb ? " " : "",
                        strempty(v->verb));
        argv[0] = name;
        r = v->run(argc, argv);
        argv[0] = saved;
        return exit_code_from_result(r);
}

int verbs_dispatch(const VerbTable *t, int argc, char *argv[]) {
        const char *noun, *verb;

        if (argc < 1)
                return usage_error(t, NULL, "missing command");
        noun = argv[0];
        if (is_help(noun)) {
                verbs_print_help(t, stdout);
                return MOS_EXIT_SUCCESS;
        }
        if (noun[0] == '-')
                return usage_error(t, NULL, "unknown option '%s'", noun);
        if (!noun_exists(t, noun))
                return usage_error(t, NULL, "unknown command '%s'", noun);

        for (size_t i = 0; i < t->n_verbs; i++) {
                const Verb *v = &t->verbs[i];

                /* A noun that is a command by itself: everything after it is its arguments. */
                if (!streq(v->noun, noun) || v->verb)
                        continue;
                for (int j = 1; j < argc && !streq(argv[j], "--"); j++)
                        if (is_help(argv[j])) {
                                print_verb_help(t, v, stdout);
                                return MOS_EXIT_SUCCESS;
                        }
                return run_verb(t, v, argc, argv);
        }

        if (argc < 2 || is_help(argv[1])) {
                print_noun_help(t, noun, argc < 2 ? stderr : stdout);
                return argc < 2 ? MOS_EXIT_USAGE : MOS_EXIT_SUCCESS;
        }
        verb = argv[1];
        for (size_t i = 0; i < t->n_verbs; i++) {
                const Verb *v = &t->verbs[i];

                if (!streq(v->noun, noun) || !streq_ptr(v->verb, verb))
                        continue;
                for (int j = 2; j < argc && !streq(argv[j], "--"); j++)
                        if (is_help(argv[j])) {
                                print_verb_help(t, v, stdout);
                                return MOS_EXIT_SUCCESS;
                        }
                return run_verb(t, v, argc - 1, argv + 1);
        }
        return usage_error(t, noun, "unknown verb '%s %s'", noun, verb);
}

int verbs_extract_log_level(int argc, char *argv[], const char **ret_level) {
        const char *level = NULL;
        int i, out;

        for (i = 0, out = 0; i < argc; i++) {
                const char *v;

                if (streq(argv[i], "--")) {
                        /* Copy the rest verbatim. */
                        for (; i < argc; i++)
                                argv[out++] = argv[i];
                        break;
                }
                if (streq(argv[i], "--log-level")) {
                        if (i + 1 >= argc)
                                return -EINVAL;
                        level = argv[++i];
                        continue;
                }
                v = startswith(argv[i], "--log-level=");
                if (v) {
                        level = v;
                        continue;
                }
                argv[out++] = argv[i];
        }
        if (out < argc)
                argv[out] = NULL;
        *ret_level = level;
        return out;
}

int verb_usage_error(const char *verb_name, const char *fmt, ...) {
        char buf[512];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        log_error("%s. See '%s --help'.", buf, verb_name);
        return MOS_EXIT_USAGE;
}
