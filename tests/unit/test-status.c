/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "status.h"
#include "string-util.h"
#include "tap.h"
#include "test-util.h"

static char tmpdir[] = "/tmp/test-status.XXXXXX";

static const char good[] =
        "{\"boot_good\":false,\"services\":["
        "{\"exit_status\":3,\"kind\":\"container\",\"name\":\"web\",\"pid\":0,\"reason\":"
        "\"exited with status 3\",\"restart\":\"on-failure\",\"restart_in_ms\":400,\"restarts\":2,"
        "\"state\":\"backing-off\",\"state_ms\":120},"
        "{\"kind\":\"process\",\"name\":\"db\",\"pid\":42,\"reason\":\"\",\"restart\":\"always\","
        "\"restarts\":0,\"state\":\"running\",\"state_ms\":65000}],\"version\":1}";

TEST(parses_and_round_trips) {
        _cleanup_(status_reply_freep) StatusReply *r = NULL;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n;

        ASSERT_OK(status_reply_parse(good, strlen(good), &r, NULL));
        ASSERT_FALSE(r->boot_good);
        ASSERT_EQ(r->n_services, 2);
        ASSERT_STREQ(r->services[0].name, "web");
        ASSERT_EQ(r->services[0].state, SERVICE_BACKING_OFF);
        ASSERT_EQ(r->services[0].restart, RESTART_ON_FAILURE);
        ASSERT_EQ(r->services[0].exit_status, 3);
        ASSERT_EQ(r->services[0].exit_signal, 0);
        ASSERT_EQ(r->services[0].restart_in_ms, 400);
        ASSERT_EQ(r->services[0].restarts, 2);
        ASSERT_EQ(r->services[1].pid, 42);
        ASSERT_EQ(r->services[1].exit_status, -1);
        ASSERT_STREQ(r->services[1].kind, "process");

        ASSERT_OK(status_reply_to_json(r, &j));
        ASSERT_OK(json_dump_canonical(j, &text, &n));
        ASSERT_STREQ(text, good);
}

TEST(table) {
        _cleanup_(status_reply_freep) StatusReply *r = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        ASSERT_OK(status_reply_parse(good, strlen(good), &r, NULL));
        f = open_memstream(&buf, &size);
        ASSERT_NOT_NULL(f);
        status_reply_print_table(r, f);
        fclose(f);
        ASSERT_STREQ(buf, "SERVICE  STATE            PID  RESTARTS     FOR  REASON\n"
                          "web      backing-off        -         2      0s  exited with status 3; "
                          "restart in 400ms\n"
                          "db       running           42         0    1m5s  \n"
                          "\n"
                          "boot: not yet good\n");
}

#define EXPECT_BAD(text, substring)                                                                \
        do {                                                                                       \
                _cleanup_(status_reply_freep) StatusReply *_r = NULL;                              \
                _cleanup_free_ char *_err = NULL;                                                  \
                ASSERT_ERRNO(status_reply_parse(text, strlen(text), &_r, &_err), -EBADMSG);        \
                if (!_err || !strstr(_err, substring)) {                                           \
                        tap_fail("message '%s' lacks '%s'", _err ?: "(null)", substring);          \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define SVC(extra)                                                                                 \
        "{\"version\":1,\"boot_good\":true,\"services\":[{\"kind\":\"process\",\"name\":\"a\","    \
        "\"pid\":1,\"reason\":\"\",\"restart\":\"no\",\"restarts\":0,\"state\":\"running\","       \
        "\"state_ms\":1" extra "}]}"

TEST(refuses_malformed_responses) {
        EXPECT_BAD("{\"version\":2,\"boot_good\":true,\"services\":[]}", "unsupported version 2");
        EXPECT_BAD("{\"boot_good\":true,\"services\":[]}", "'version': missing");
        EXPECT_BAD("{\"version\":1,\"services\":[]}", "'boot_good': missing");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true}", "'services': missing");
        EXPECT_BAD("{\"version\":1,\"error\":\"x\",\"services\":[]}", "carries nothing else");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[],\"extra\":1}",
                   "'extra': unknown field");
        EXPECT_BAD("{\"version\":1,\"boot_good\":1,\"services\":[]}", "expected a boolean");
        EXPECT_BAD(SVC(",\"state\":\"x\""), "duplicate");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[{\"kind\":\"process\",\"name\":"
                   "\"a\",\"pid\":1,\"reason\":\"\",\"restart\":\"no\",\"restarts\":0,\"state\":"
                   "\"sleeping\",\"state_ms\":1}]}",
                   "'services[0].state': unknown state");
        EXPECT_BAD(SVC(",\"exit_status\":256"), "'services[0].exit_status': expected 0..255");
        EXPECT_BAD(SVC(",\"exit_signal\":0"), "'services[0].exit_signal': expected 1..127");
        EXPECT_BAD(SVC(",\"colour\":\"red\""), "'services[0].colour': unknown field");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[{\"name\":\"a\"}]}",
                   "'services[0].kind': missing");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[1]}", "expected an object");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[{\"kind\":\"process\","
                   "\"name\":\"a\\u001b[31m\",\"pid\":1,\"reason\":\"\",\"restart\":\"no\","
                   "\"restarts\":0,\"state\":\"running\",\"state_ms\":1}]}",
                   "invalid service name");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[{\"kind\":\"process\","
                   "\"name\":\"a\",\"pid\":1,\"reason\":\"\\u001b[2J\",\"restart\":\"no\","
                   "\"restarts\":0,\"state\":\"running\",\"state_ms\":1}]}",
                   "printable");
        EXPECT_BAD("{\"version\":1,\"boot_good\":true,\"services\":[{\"kind\":\"process\","
                   "\"name\":\"a\",\"pid\":-1,\"reason\":\"\",\"restart\":\"no\","
                   "\"restarts\":0,\"state\":\"running\",\"state_ms\":1}]}",
                   "'services[0].pid': expected 0..2147483647");
        EXPECT_BAD("[]", "not a JSON object");
        EXPECT_BAD("{\"version\":1,", "line 1");
}

TEST(twice_listed_service_refused) {
        static const char twice[] =
                "{\"version\":1,\"boot_good\":true,\"services\":["
                "{\"kind\":\"process\",\"name\":\"a\",\"pid\":1,\"reason\":\"\",\"restart\":\"no\","
                "\"restarts\":0,\"state\":\"running\",\"state_ms\":1},"
                "{\"kind\":\"process\",\"name\":\"a\",\"pid\":2,\"reason\":\"\",\"restart\":\"no\","
                "\"restarts\":0,\"state\":\"running\",\"state_ms\":1}]}";
        EXPECT_BAD(twice, "service 'a' listed twice");
}

TEST(error_response) {
        static const char e[] = "{\"error\":\"bad request\",\"version\":1}";
        _cleanup_(status_reply_freep) StatusReply *r = NULL;
        ASSERT_OK(status_reply_parse(e, strlen(e), &r, NULL));
        ASSERT_STREQ(r->error, "bad request");
}

TEST(requests) {
        _cleanup_free_ char *err = NULL, *err2 = NULL;
        static const char ok[] = "{\"request\":\"status\",\"version\":1}";
        static const char bad[] = "{\"request\":\"reboot\",\"version\":1}";
        ASSERT_OK(status_request_parse(ok, strlen(ok), NULL));
        ASSERT_ERRNO(status_request_parse(bad, strlen(bad), &err), -EBADMSG);
        ASSERT_TRUE(strstr(err, "'request': unknown request") != NULL);
        ASSERT_ERRNO(status_request_parse("{}", 2, &err2), -EBADMSG);
}

static int fixed_reply(void *userdata, StatusReply **ret) {
        return status_reply_parse(good, strlen(good), ret, NULL);
}

/* Serves count connections in a child process. */
static pid_t serve(int fd, unsigned count) {
        pid_t pid = fork();
        if (pid == 0) {
                for (unsigned i = 0; i < count; i++) {
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        (void) poll(&p, 1, 5000);
                        (void) status_server_handle(fd, fixed_reply, NULL);
                }
                _exit(0);
        }
        return pid;
}

TEST(socket_round_trip) {
        _cleanup_free_ char *path = strjoin(tmpdir, "/run/mos/status.sock"), *err = NULL;
        _cleanup_(status_reply_freep) StatusReply *r = NULL;
        _cleanup_close_ int fd = -1, again = -1;
        struct stat st;
        pid_t pid;
        int status;

        ASSERT_OK(status_server_listen(path, &fd));
        ASSERT_OK(stat(path, &st));
        ASSERT_TRUE(S_ISSOCK(st.st_mode));
        ASSERT_EQ(st.st_mode & 0777, 0600);

        pid = serve(fd, 1);
        ASSERT_OK(status_query(path, &r, &err));
        ASSERT_EQ(r->n_services, 2);
        ASSERT_STREQ(r->services[1].name, "db");
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_EQ(status, 0);

        /* A new server replaces the stale socket. */
        ASSERT_OK(status_server_listen(path, &again));
}

TEST(server_answers_bad_requests_with_errors) {
        _cleanup_free_ char *path = strjoin(tmpdir, "/bad.sock");
        _cleanup_close_ int fd = -1, c = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[512];
        ssize_t n;
        pid_t pid;

        ASSERT_OK(status_server_listen(path, &fd));
        pid = serve(fd, 1);
        strscpy(sa.sun_path, sizeof(sa.sun_path), path);
        c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT_OK(connect(c, (struct sockaddr *) &sa, sizeof(sa)));
        {
                static const char req[] = "{\"request\":\"reboot\",\"version\":1}";
                ASSERT_OK(loop_write(c, req, strlen(req)));
        }
        ASSERT_OK(shutdown(c, SHUT_WR));
        n = read(c, buf, sizeof(buf) - 1);
        ASSERT_TRUE(n > 0);
        buf[n] = 0;
        ASSERT_STREQ(buf, "{\"error\":\"bad request: field 'request': unknown request, expected "
                          "\\\"status\\\"\",\"version\":1}");
        (void) waitpid(pid, NULL, 0);
}

TEST(client_errors) {
        _cleanup_free_ char *path = strjoin(tmpdir, "/nobody.sock"), *err = NULL;
        _cleanup_free_ char *file = strjoin(tmpdir, "/plain-file");
        StatusReply *r = NULL;
        _cleanup_close_ int fd = -1;

        ASSERT_ERRNO(status_query(path, &r, &err), -ENOENT);
        ASSERT_ERRNO(status_query("relative.sock", &r, &err), -EINVAL);
        /* Something that is not a socket is never removed by the server. */
        fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        ASSERT_TRUE(fd >= 0);
        ASSERT_ERRNO(status_server_listen(file, &fd), -EEXIST);
}

int main(void) {
        if (!mkdtemp(tmpdir))
                tap_skip_all("cannot create a temporary directory");
        RUN(parses_and_round_trips);
        RUN(table);
        RUN(refuses_malformed_responses);
        RUN(twice_listed_service_refused);
        RUN(error_response);
        RUN(requests);
        RUN(socket_round_trip);
        RUN(server_answers_bad_requests_with_errors);
        RUN(client_errors);
        (void) rm_rf(tmpdir);
        return tap_done();
}
