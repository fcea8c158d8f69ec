/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "process.h"
#include "tap.h"

TEST(run_collects_output_and_status) {
        _cleanup_free_ char *out = NULL;
        int status;

        ASSERT_OK(process_run(
                (char *const[]){ "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL }, NULL,
                4096, &out, &status));
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 3);
        ASSERT_STREQ(out, "out\nerr\n");
}

TEST(run_truncates_output) {
        _cleanup_free_ char *out = NULL;
        int status;

        ASSERT_OK(process_run((char *const[]){ "/bin/sh", "-c", "echo 0123456789", NULL }, NULL, 4,
                              &out, &status));
        ASSERT_STREQ(out, "0123");
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

TEST(child_has_clean_signal_state_and_null_stdin) {
        _cleanup_free_ char *out = NULL;
        sigset_t set, old;
        int status;

        /* The supervisor blocks these; the child must not inherit the mask. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGCHLD);
        ASSERT_OK(sigprocmask(SIG_BLOCK, &set, &old));
        ASSERT_OK(
                process_run((char *const[]){ "/bin/sh", "-c",
                                             "grep SigBlk /proc/self/status; cat; echo eof", NULL },
                            NULL, 4096, &out, &status));
        ASSERT_OK(sigprocmask(SIG_SETMASK, &old, NULL));
        ASSERT_STREQ(out, "SigBlk:\t0000000000000000\neof\n");
}

TEST(exec_failure_is_127) {
        int status;
        ASSERT_OK(
                process_run((char *const[]){ "/nonexistent/prog", NULL }, NULL, 0, NULL, &status));
        ASSERT_EQ(WEXITSTATUS(status), 127);
}

TEST(spawn_refuses_relative_path) {
        pid_t pid;
        ASSERT_ERRNO(process_spawn((char *const[]){ "sh", NULL }, NULL, -1, &pid), -EINVAL);
}

TEST(environment_is_explicit) {
        _cleanup_free_ char *out = NULL;
        int status;

        ASSERT_OK(process_run((char *const[]){ "/usr/bin/env", NULL },
                              (char *const[]){ "ONLY=this", NULL }, 4096, &out, &status));
        ASSERT_STREQ(out, "ONLY=this\n");
}

TEST(describe_status) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        int status;

        ASSERT_OK(process_run((char *const[]){ "/bin/sh", "-c", "kill -9 $$", NULL }, NULL, 0, NULL,
                              &status));
        a = process_describe_status(status);
        ASSERT_STREQ(a, "killed by signal 9 (KILL)");
        b = process_describe_status(3 << 8);
        ASSERT_STREQ(b, "exited with status 3");
}

int main(void) {
        RUN(run_collects_output_and_status);
        RUN(run_truncates_output);
        RUN(child_has_clean_signal_state_and_null_stdin);
        RUN(exec_failure_is_127);
        RUN(spawn_refuses_relative_path);
        RUN(environment_is_explicit);
        RUN(describe_status);
        return tap_done();
}
