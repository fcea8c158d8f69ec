/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The supervisor with real processes (/bin/sh, /bin/sleep) and, where timing matters, an
 * injected clock so the backoff steps are checked exactly. */

#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "string-util.h"
#include "supervisor.h"
#include "tap.h"
#include "test-util.h"

#define MSEC 1000ULL
#define SEC 1000000ULL

static char tmpdir[] = "/tmp/test-supervisor.XXXXXX";
static uint64_t fake_now;
static unsigned boot_good_calls;

static uint64_t fake_clock(void *userdata) {
        return fake_now;
}

static uint64_t real_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void on_boot_good(void *userdata) {
        boot_good_calls++;
}

static SupervisorSettings settings(bool fake) {
        return (SupervisorSettings){
                .log_dir = tmpdir,
                .backoff_initial_usec = 100 * MSEC,
                .backoff_max_usec = 400 * MSEC,
                .max_failures = 4,
                .stable_usec = 5 * SEC,
                .start_usec = 1 * SEC,
                .settle_usec = 3 * SEC,
                .stop_timeout_usec = 300 * MSEC,
                .boot_good = on_boot_good,
                .now = fake ? fake_clock : NULL,
        };
}

static ServiceState state_of(Supervisor *s, const char *name) {
        ServiceStatus st;
        if (supervisor_find_status(s, name, &st) < 0)
                return _SERVICE_STATE_MAX;
        return st.state;
}

/* Runs the loop (real time) until name is in state, at most 5 s. */
static bool wait_state(Supervisor *s, const char *name, ServiceState state) {
        uint64_t end = real_usec() + 5 * SEC;
        while (real_usec() < end) {
                if (state_of(s, name) == state)
                        return true;
                if (supervisor_run_once(s, 10 * MSEC) < 0)
                        return false;
        }
        return state_of(s, name) == state;
}

static char *log_of(const char *name) {
        _cleanup_free_ char *p = strjoin(tmpdir, "/", name, ".log");
        char *data = NULL;
        if (read_full_file(p, 1 << 20, &data, NULL) < 0)
                return NULL;
        return data;
}

TEST(output_lands_in_log) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_free_ char *log = NULL;
        SupervisorSettings set = settings(false);
        ServiceStatus st;

        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(
                s, "hello", RESTART_NO,
                (char *const[]){ "/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2", NULL }));
        ASSERT_OK(supervisor_start(s));
        ASSERT_TRUE(wait_state(s, "hello", SERVICE_EXITED));
        ASSERT_OK(supervisor_find_status(s, "hello", &st));
        ASSERT_EQ(st.exit_status, 0);
        ASSERT_EQ(st.exit_signal, 0);
        ASSERT_EQ(st.pid, 0);
        ASSERT_STREQ(st.kind, "process");
        ASSERT_STREQ(st.reason, "exited with status 0");
        log = log_of("hello");
        ASSERT_STREQ(log, "-- mosd: starting hello (start 1) --\nto-stdout\nto-stderr\n"
                          "-- mosd: exited with status 0 --\n");
}

TEST(no_restart_failure_is_failed) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(false);
        ServiceStatus st;

        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "three", RESTART_NO,
                                         (char *const[]){ "/bin/sh", "-c", "exit 3", NULL }));
        ASSERT_OK(supervisor_add_process(s, "noexec", RESTART_NO,
                                         (char *const[]){ "/nonexistent/program", NULL }));
        ASSERT_OK(supervisor_start(s));
        ASSERT_TRUE(wait_state(s, "three", SERVICE_FAILED));
        ASSERT_TRUE(wait_state(s, "noexec", SERVICE_FAILED));
        ASSERT_OK(supervisor_find_status(s, "three", &st));
        ASSERT_EQ(st.exit_status, 3);
        ASSERT_EQ(st.restarts, 0);
        ASSERT_STREQ(st.reason, "exited with status 3");
        ASSERT_OK(supervisor_find_status(s, "noexec", &st));
        ASSERT_EQ(st.exit_status, 127);
}

TEST(backoff_doubles_up_to_max_then_gives_up) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(true);
        static const uint64_t delays[] = { 100 * MSEC, 200 * MSEC, 400 * MSEC, 400 * MSEC };
        ServiceStatus st;

        fake_now = 1000 * SEC;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "crash", RESTART_ON_FAILURE,
                                         (char *const[]){ "/bin/sh", "-c", "exit 3", NULL }));
        ASSERT_OK(supervisor_start(s));

        for (unsigned i = 0; i < ELEMENTSOF(delays); i++) {
                uint64_t ended_at;

                ASSERT_TRUE(wait_state(s, "crash", SERVICE_BACKING_OFF));
                ended_at = fake_now;
                ASSERT_OK(supervisor_find_status(s, "crash", &st));
                ASSERT_EQ(st.restart_in_usec, delays[i]);
                ASSERT_EQ(st.restarts, i);
                ASSERT_EQ(st.exit_status, 3);
                ASSERT_STREQ(st.reason, "exited with status 3");

                /* One microsecond early: still waiting. */
                fake_now = ended_at + delays[i] - 1;
                ASSERT_OK(supervisor_run_once(s, 0));
                ASSERT_EQ(state_of(s, "crash"), SERVICE_BACKING_OFF);
                fake_now = ended_at + delays[i];
                ASSERT_OK(supervisor_run_once(s, 0));
                ASSERT_OK(supervisor_find_status(s, "crash", &st));
                ASSERT_EQ(st.restarts, i + 1);
                ASSERT_TRUE(st.state == SERVICE_STARTING || st.state == SERVICE_BACKING_OFF);
        }
        ASSERT_TRUE(wait_state(s, "crash", SERVICE_FAILED));
        ASSERT_OK(supervisor_find_status(s, "crash", &st));
        ASSERT_EQ(st.restarts, 4);
        ASSERT_STREQ(st.reason, "gave up after 4 restarts in a row, last run exited with status 3");
        /* And it stays failed. */
        fake_now += 3600 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(state_of(s, "crash"), SERVICE_FAILED);
}

TEST(stable_run_resets_backoff) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_free_ char *marker = strjoin(tmpdir, "/slow"), *script = NULL;
        SupervisorSettings set = settings(true);
        ServiceStatus st;

        script = strjoin("if [ -e ", marker, " ]; then sleep 0.3; fi; exit 1");
        fake_now = 2000 * SEC;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "flaky", RESTART_ALWAYS,
                                         (char *const[]){ "/bin/sh", "-c", script, NULL }));
        ASSERT_OK(supervisor_start(s));
        ASSERT_TRUE(wait_state(s, "flaky", SERVICE_BACKING_OFF));
        fake_now += 100 * MSEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_TRUE(wait_state(s, "flaky", SERVICE_BACKING_OFF));
        ASSERT_OK(supervisor_find_status(s, "flaky", &st));
        ASSERT_EQ(st.restart_in_usec, 200 * MSEC);

        /* The next run lasts longer than stable_usec (on the service's clock): the next delay
         * is the initial one again. */
        ASSERT_OK(write_file_atomic(marker, "", 0, 0644, 0));
        fake_now += 200 * MSEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(state_of(s, "flaky"), SERVICE_STARTING);
        fake_now += 6 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(state_of(s, "flaky"), SERVICE_RUNNING);
        ASSERT_TRUE(wait_state(s, "flaky", SERVICE_BACKING_OFF));
        ASSERT_OK(supervisor_find_status(s, "flaky", &st));
        ASSERT_EQ(st.restart_in_usec, 100 * MSEC);
        ASSERT_EQ(st.restarts, 2);
        (void) unlink(marker);
        ASSERT_OK(supervisor_stop(s));
        ASSERT_EQ(state_of(s, "flaky"), SERVICE_EXITED);
}

TEST(boot_good_after_settle) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(true);
        ServiceStatus st;

        fake_now = 3000 * SEC;
        boot_good_calls = 0;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "daemon", RESTART_ALWAYS,
                                         (char *const[]){ "/bin/sleep", "60", NULL }));
        ASSERT_OK(supervisor_add_process(s, "oneshot", RESTART_NO,
                                         (char *const[]){ "/bin/true", NULL }));
        ASSERT_OK(supervisor_start(s));
        ASSERT_TRUE(wait_state(s, "oneshot", SERVICE_EXITED));
        ASSERT_EQ(state_of(s, "daemon"), SERVICE_STARTING);

        fake_now += 1 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(state_of(s, "daemon"), SERVICE_RUNNING);
        ASSERT_FALSE(supervisor_boot_is_good(s));
        fake_now += 2 * SEC - 1;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_FALSE(supervisor_boot_is_good(s));
        ASSERT_EQ(boot_good_calls, 0);
        fake_now += 1;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_TRUE(supervisor_boot_is_good(s));
        ASSERT_EQ(boot_good_calls, 1);
        fake_now += 10 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(boot_good_calls, 1);

        ASSERT_OK(supervisor_find_status(s, "daemon", &st));
        ASSERT_TRUE(st.pid > 0);
        ASSERT_OK(supervisor_stop(s));
        ASSERT_OK(supervisor_find_status(s, "daemon", &st));
        ASSERT_EQ(st.state, SERVICE_EXITED);
        ASSERT_EQ(st.exit_signal, SIGTERM);
        ASSERT_STREQ(st.reason, "stopped, killed by signal 15 (TERM)");
}

TEST(failing_service_blocks_boot_good) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(true);

        fake_now = 4000 * SEC;
        boot_good_calls = 0;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "bad", RESTART_NO,
                                         (char *const[]){ "/bin/false", NULL }));
        ASSERT_OK(supervisor_start(s));
        ASSERT_TRUE(wait_state(s, "bad", SERVICE_FAILED));
        fake_now += 60 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_FALSE(supervisor_boot_is_good(s));
        ASSERT_EQ(boot_good_calls, 0);
}

static unsigned settled_calls, check_calls;
static char output_seen[256];

static void on_settled(void *userdata) {
        settled_calls++;
}

static char *check_failure(const char *name, void *userdata) {
        check_calls++;
        return streq(name, "corrupt") ? strdup("I/O error: its image is corrupt") : NULL;
}

static void on_output(const char *name, const char *buf, size_t n, void *userdata) {
        size_t l = strlen(output_seen);
        (void) snprintf(output_seen + l, sizeof output_seen - l, "%s:%.*s", name, (int) n, buf);
}

TEST(failed_for_good_settles_without_boot_good) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_free_ char *log = NULL;
        SupervisorSettings set = settings(true);
        ServiceStatus st;

        set.settled = on_settled;
        set.check_failure = check_failure;
        set.output = on_output;
        fake_now = 5000 * SEC;
        boot_good_calls = settled_calls = check_calls = 0;
        output_seen[0] = 0;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_failed(s, "broken", "layer 0 (sha256:00): the blob is missing"));
        ASSERT_ERRNO(supervisor_add_failed(s, "broken", "twice"), -EEXIST);
        /* restart=always, but the check says a restart cannot help. */
        ASSERT_OK(supervisor_add_process(
                s, "corrupt", RESTART_ALWAYS,
                (char *const[]){ "/bin/sh", "-c", "echo eio; exit 1", NULL }));
        ASSERT_OK(supervisor_add_process(s, "daemon", RESTART_ALWAYS,
                                         (char *const[]){ "/bin/sleep", "60", NULL }));
        ASSERT_OK(supervisor_start(s));
        ASSERT_OK(supervisor_find_status(s, "broken", &st));
        ASSERT_EQ(st.state, SERVICE_FAILED);
        ASSERT_STREQ(st.kind, "container");
        ASSERT_EQ(st.pid, 0);
        ASSERT_STREQ(st.reason, "layer 0 (sha256:00): the blob is missing");
        ASSERT_TRUE(wait_state(s, "corrupt", SERVICE_FAILED));
        ASSERT_OK(supervisor_find_status(s, "corrupt", &st));
        ASSERT_STREQ(st.reason, "I/O error: its image is corrupt");
        ASSERT_EQ(st.restarts, 0);
        ASSERT_EQ(check_calls, 1);
        ASSERT_STREQ(output_seen, "corrupt:eio\n");
        log = log_of("corrupt");
        ASSERT_TRUE(strstr(log, "-- mosd: not restarted: I/O error: its image is corrupt --"));

        fake_now += 1 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(settled_calls, 0);
        fake_now += 2 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(settled_calls, 1);
        ASSERT_TRUE(supervisor_is_settled(s));
        ASSERT_FALSE(supervisor_boot_is_good(s));
        ASSERT_EQ(boot_good_calls, 0);
        ASSERT_EQ(state_of(s, "daemon"), SERVICE_RUNNING);
        fake_now += 10 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(settled_calls, 1);
        ASSERT_OK(supervisor_stop(s));
}

TEST(settled_with_boot_good) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(true);

        set.settled = on_settled;
        fake_now = 6000 * SEC;
        boot_good_calls = settled_calls = 0;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "daemon", RESTART_ALWAYS,
                                         (char *const[]){ "/bin/sleep", "60", NULL }));
        ASSERT_OK(supervisor_start(s));
        fake_now += 1 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        fake_now += 2 * SEC;
        ASSERT_OK(supervisor_run_once(s, 0));
        ASSERT_EQ(boot_good_calls, 1);
        ASSERT_EQ(settled_calls, 1);
        ASSERT_OK(supervisor_stop(s));
}

TEST(stop_escalates_to_sigkill) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(false);
        ServiceStatus st;
        uint64_t t0;

        ASSERT_OK(supervisor_new(&set, &s));
        /* Ignored signals stay ignored across exec: sleep shrugs off SIGTERM. */
        ASSERT_OK(supervisor_add_process(
                s, "stubborn", RESTART_ALWAYS,
                (char *const[]){ "/bin/sh", "-c", "trap '' TERM; exec /bin/sleep 60", NULL }));
        ASSERT_OK(supervisor_start(s));
        /* Let the shell install its trap. */
        usleep(200 * 1000);
        ASSERT_OK(supervisor_run_once(s, 0));
        t0 = real_usec();
        ASSERT_OK(supervisor_stop(s));
        ASSERT_TRUE(real_usec() - t0 >= 300 * MSEC);
        ASSERT_OK(supervisor_find_status(s, "stubborn", &st));
        ASSERT_EQ(st.state, SERVICE_EXITED);
        ASSERT_EQ(st.exit_signal, SIGKILL);
        ASSERT_TRUE(supervisor_all_ended(s));
}

TEST(sigterm_is_reported) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(false);

        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(kill(getpid(), SIGTERM)); /* blocked: queued for the signalfd */
        ASSERT_EQ(supervisor_run_once(s, 1 * SEC), SIGTERM);
}

TEST(refusals) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(false), bad = settings(false);
        ContainerSpec spec = { .name = strdup("c") };

        bad.log_dir = "/nonexistent/logs";
        ASSERT_ERRNO(supervisor_new(&bad, &s), -ENOENT);
        bad = settings(false);
        bad.backoff_max_usec = 1;
        ASSERT_ERRNO(supervisor_new(&bad, &s), -EINVAL);

        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_OK(supervisor_add_process(s, "a", RESTART_NO, (char *const[]){ "/bin/true", NULL }));
        ASSERT_ERRNO(
                supervisor_add_process(s, "a", RESTART_NO, (char *const[]){ "/bin/true", NULL }),
                -EEXIST);
        ASSERT_ERRNO(
                supervisor_add_process(s, "../a", RESTART_NO, (char *const[]){ "/bin/true", NULL }),
                -EINVAL);
        ASSERT_ERRNO(supervisor_add_process(s, "b", RESTART_NO, (char *const[]){ "true", NULL }),
                     -EINVAL);
        /* Containers need a runtime directory. */
        ASSERT_ERRNO(supervisor_add_container(s, RESTART_NO, &spec), -EINVAL);
        container_spec_done(&spec);
}

TEST(invalid_container_spec_refused) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        SupervisorSettings set = settings(false);
        ContainerSpec spec = { .name = strdup("c"), .rootfs = strdup("relative") };

        set.runtime_dir = tmpdir;
        ASSERT_OK(supervisor_new(&set, &s));
        ASSERT_ERRNO(supervisor_add_container(s, RESTART_NO, &spec), -EBADMSG);
        container_spec_done(&spec);
}

TEST(names) {
        RestartPolicy p;
        ServiceState st;
        ASSERT_OK(restart_policy_from_string("on-failure", &p));
        ASSERT_EQ(p, RESTART_ON_FAILURE);
        ASSERT_ERRNO(restart_policy_from_string("sometimes", &p), -EINVAL);
        ASSERT_STREQ(restart_policy_to_string(RESTART_ALWAYS), "always");
        ASSERT_OK(service_state_from_string("backing-off", &st));
        ASSERT_EQ(st, SERVICE_BACKING_OFF);
        ASSERT_STREQ(service_state_to_string(SERVICE_FAILED), "failed");
        ASSERT_NULL(service_state_to_string(_SERVICE_STATE_MAX));
}

int main(void) {
        if (!mkdtemp(tmpdir))
                tap_skip_all("cannot create a temporary directory");
        RUN(output_lands_in_log);
        RUN(no_restart_failure_is_failed);
        RUN(backoff_doubles_up_to_max_then_gives_up);
        RUN(stable_run_resets_backoff);
        RUN(boot_good_after_settle);
        RUN(failing_service_blocks_boot_good);
        RUN(failed_for_good_settles_without_boot_good);
        RUN(settled_with_boot_good);
        RUN(stop_escalates_to_sigkill);
        RUN(sigterm_is_reported);
        RUN(refusals);
        RUN(invalid_container_spec_refused);
        RUN(names);
        (void) rm_rf(tmpdir);
        return tap_done();
}
