/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "exit-code.h"
#include "log.h"
#include "tap.h"
#include "verbs.h"

static char last_argv0[256];
static int last_argc;

static int run_ok(int argc, char *argv[]) {
        last_argc = argc;
        snprintf(last_argv0, sizeof last_argv0, "%s", argv[0]);
        return 0;
}
static int run_refused(int argc, char *argv[]) {
        return -EKEYREJECTED;
}
static int run_usage(int argc, char *argv[]) {
        return verb_usage_error(argv[0], "unknown option '%s'", argv[1]);
}

static const Verb test_verbs[] = {
        { "keyset", "create", "DIR", "Create a keyset", NULL, run_ok },
        { "keyset", "show", "DIR", "Show a keyset", NULL, run_refused },
        { "image", "build", "SRC", "Build an image", NULL, run_usage },
        { "status", NULL, "[--json]", "Show the state", NULL, run_ok },
};
static const VerbTable table = {
        .program = "mos",
        .version = "0",
        .description = "d",
        .global_help = "g\n",
        .verbs = test_verbs,
        .n_verbs = ELEMENTSOF(test_verbs),
};

#define DISPATCH(...)                                                                              \
        ({                                                                                         \
                char *_argv[] = { __VA_ARGS__, NULL };                                             \
                verbs_dispatch(&table, (int) ELEMENTSOF(_argv) - 1, _argv);                        \
        })

TEST(dispatch_runs_verb_with_full_name) {
        last_argc = -1;
        ASSERT_EQ(DISPATCH("keyset", "create", "dir"), 0);
        ASSERT_EQ(last_argc, 2);
        ASSERT_STREQ(last_argv0, "mos keyset create");
}

TEST(dispatch_noun_only_command) {
        FILE *saved = stdout;
        int a, b;

        last_argc = -1;
        ASSERT_EQ(DISPATCH("status"), 0);
        ASSERT_EQ(last_argc, 1);
        ASSERT_STREQ(last_argv0, "mos status");
        ASSERT_EQ(DISPATCH("status", "--json"), 0);
        ASSERT_EQ(last_argc, 2);
        stdout = fopen("/dev/null", "w");
        last_argc = -1;
        a = DISPATCH("status", "--help");
        b = DISPATCH("--help");
        fclose(stdout);
        stdout = saved;
        ASSERT_EQ(a, 0);
        ASSERT_EQ(b, 0);
        ASSERT_EQ(last_argc, -1);
}

TEST(dispatch_maps_errno) {
        ASSERT_EQ(DISPATCH("keyset", "show", "dir"), MOS_EXIT_REFUSED);
        ASSERT_EQ(DISPATCH("image", "build", "--bogus"), MOS_EXIT_USAGE);
}

TEST(dispatch_usage_errors) {
        FILE *devnull = fopen("/dev/null", "w");
        log_set_stream(devnull);
        ASSERT_EQ(verbs_dispatch(&table, 0, (char *[]){ NULL }), MOS_EXIT_USAGE);
        ASSERT_EQ(DISPATCH("nonoun"), MOS_EXIT_USAGE);
        ASSERT_EQ(DISPATCH("keyset", "destroy"), MOS_EXIT_USAGE);
        ASSERT_EQ(DISPATCH("--bogus"), MOS_EXIT_USAGE);
        log_set_stream(NULL);
        fclose(devnull);
}

TEST(help_everywhere) {
        FILE *saved = stdout;
        stdout = fopen("/dev/null", "w");
        last_argc = -1;
        int a = DISPATCH("--help"), b = DISPATCH("keyset", "--help"),
            c = DISPATCH("keyset", "create", "x", "--help"),
            d = DISPATCH("keyset", "create", "--", "--help");
        fclose(stdout);
        stdout = saved;
        ASSERT_EQ(a, 0);
        ASSERT_EQ(b, 0);
        ASSERT_EQ(c, 0);
        ASSERT_EQ(d, 0);
        ASSERT_EQ(last_argc, 3); /* "--help" after "--" is an argument, the verb ran */
}

TEST(log_level_extraction) {
        char *argv[] = { "--log-level", "debug", "keyset",      "create", "--log-level=error",
                         "d",           "--",    "--log-level", NULL };
        char *bad[] = { "keyset", "--log-level", NULL };
        const char *level;
        int n = verbs_extract_log_level(8, argv, &level);
        ASSERT_EQ(n, 5);
        ASSERT_STREQ(level, "error");
        ASSERT_STREQ(argv[0], "keyset");
        ASSERT_STREQ(argv[2], "d");
        ASSERT_STREQ(argv[4], "--log-level");
        ASSERT_NULL(argv[5]);
        ASSERT_ERRNO(verbs_extract_log_level(2, bad, &level), -EINVAL);
}

int main(void) {
        RUN(dispatch_runs_verb_with_full_name);
        RUN(dispatch_noun_only_command);
        RUN(dispatch_maps_errno);
        RUN(dispatch_usage_errors);
        RUN(help_everywhere);
        RUN(log_level_extraction);
        return tap_done();
}
