/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fd-util.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"
#include "userns.h"

#define STATUS_REASON_MAX 1024u
#define STATUS_IO_TIMEOUT_SEC 1
#define STATUS_CLIENT_TIMEOUT_SEC 5

static void status_service_done(StatusService *v) {
        free(v->name);
        free(v->kind);
        free(v->reason);
}

StatusReply *status_reply_free(StatusReply *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_services; i++)
                status_service_done(&r->services[i]);
        free(r->services);
        free(r->error);
        free(r);
        return NULL;
}

/* Reasons are printed on terminals by the client, which refuses anything but printable ASCII:
 * replace the rest, and cut at the limit. */
static char *printable_copy(const char *s) {
        char *c = strndup(s, STATUS_REASON_MAX);

        for (char *p = c; p && *p; p++)
                if ((unsigned char) *p < 0x20 || (unsigned char) *p > 0x7e)
                        *p = '?';
        return c;
}

int status_reply_from_supervisor(const Supervisor *s, StatusReply **ret) {
        _cleanup_(status_reply_freep) StatusReply *r = NULL;
        size_t n = supervisor_n_services(s);

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->services = calloc(n ?: 1, sizeof(StatusService));
        if (!r->services)
                return -ENOMEM;
        r->boot_good = supervisor_boot_is_good(s);

        for (size_t i = 0; i < n; i++) {
                StatusService *v = &r->services[i];
                ServiceStatus st;
                int k;

                k = supervisor_get_status(s, i, &st);
                if (k < 0)
                        return k;
                r->n_services++;
                *v = (StatusService){
                        .name = strdup(st.name),
                        .kind = strdup(st.kind),
                        .state = st.state,
                        .restart = st.restart,
                        .pid = st.pid > 0 ? (uint64_t) st.pid : 0,
                        .restarts = st.restarts,
                        .exit_status = st.exit_status,
                        .exit_signal = st.exit_signal,
                        .reason = printable_copy(st.reason),
                        .state_ms = st.state_usec / 1000,
                        .restart_in_ms = DIV_ROUND_UP(st.restart_in_usec, 1000),
                };
                if (!v->name || !v->kind || !v->reason)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(r);
        return 0;
}

static json_t *service_to_json(const StatusService *v) {
        json_t *o;

        o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:I}", "name", v->name, "kind", v->kind,
                      "state", service_state_to_string(v->state), "restart",
                      restart_policy_to_string(v->restart), "pid", (json_int_t) v->pid, "restarts",
                      (json_int_t) v->restarts, "reason", v->reason, "state_ms",
                      (json_int_t) v->state_ms);
        if (!o)
                return NULL;
        /* Optional members appear only when they mean something. */
        if ((v->exit_status >= 0 &&
             json_object_set_new(o, "exit_status", json_integer(v->exit_status)) < 0) ||
            (v->exit_signal > 0 &&
             json_object_set_new(o, "exit_signal", json_integer(v->exit_signal)) < 0) ||
            (v->restart_in_ms > 0 &&
             json_object_set_new(o, "restart_in_ms", json_integer((json_int_t) v->restart_in_ms)) <
                     0)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

int status_reply_to_json(const StatusReply *r, json_t **ret) {
        _cleanup_json_ json_t *services = NULL;
        json_t *o;

        if (r->error)
                o = json_pack("{s:i,s:s}", "version", STATUS_PROTOCOL_VERSION, "error", r->error);
        else {
                services = json_array();
                if (!services)
                        return -ENOMEM;
                for (size_t i = 0; i < r->n_services; i++)
                        if (json_array_append_new(services, service_to_json(&r->services[i])) < 0)
                                return -ENOMEM;
                o = json_pack("{s:i,s:b,s:O}", "version", STATUS_PROTOCOL_VERSION, "boot_good",
                              r->boot_good, "services", services);
        }
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 0;
}

/* ---- parsing ---- */

static int parse_version(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) != STATUS_PROTOCOL_VERSION)
                return json_dispatch_error(c, name, "unsupported version %lld, expected %d",
                                           (long long) json_integer_value(v),
                                           STATUS_PROTOCOL_VERSION);
        return 0;
}

static int parse_name(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!userns_group_name_is_valid(json_string_value(v)) ||
            strlen(json_string_value(v)) != json_string_length(v))
                return json_dispatch_error(c, name, "invalid service name");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_kind(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!STR_IN_SET(json_string_value(v), "container", "process"))
                return json_dispatch_error(c, name, "expected \"container\" or \"process\"");
        return json_parse_field_string(c, name, v, dest);
}

static int parse_reason(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        /* Printed on a terminal: printable ASCII only, bounded. */
        if (json_string_length(v) > STATUS_REASON_MAX ||
            !string_is_printable_ascii(json_string_value(v), json_string_length(v)))
                return json_dispatch_error(c, name, "expected at most %u printable characters",
                                           STATUS_REASON_MAX);
        return json_parse_field_string(c, name, v, dest);
}

static int parse_state(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (service_state_from_string(json_string_value(v), dest) < 0)
                return json_dispatch_error(c, name, "unknown state");
        return 0;
}

static int parse_restart(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (restart_policy_from_string(json_string_value(v), dest) < 0)
                return json_dispatch_error(c, name, "expected no, on-failure or always");
        return 0;
}

static int parse_bounded(JsonDispatchContext *c, const char *name, json_t *v, json_int_t min,
                         json_int_t max, json_int_t *ret) {
        json_int_t i = json_integer_value(v);
        if (i < min || i > max)
                return json_dispatch_error(c, name, "expected %lld..%lld", (long long) min,
                                           (long long) max);
        *ret = i;
        return 0;
}

static int parse_pid(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_int_t i = 0;
        int r = parse_bounded(c, name, v, 0, INT32_MAX, &i);
        if (r == 0)
                *(uint64_t *) dest = (uint64_t) i;
        return r;
}

static int parse_u32(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_int_t i = 0;
        int r = parse_bounded(c, name, v, 0, UINT32_MAX, &i);
        if (r == 0)
                *(uint64_t *) dest = (uint64_t) i;
        return r;
}

static int parse_exit_status(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_int_t i = 0;
        int r = parse_bounded(c, name, v, 0, 255, &i);
        if (r == 0)
                *(int *) dest = (int) i;
        return r;
}

static int parse_exit_signal(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        json_int_t i = 0;
        int r = parse_bounded(c, name, v, 1, 127, &i);
        if (r == 0)
                *(int *) dest = (int) i;
        return r;
}

static int parse_services(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "name", JSON_STRING, parse_name, offsetof(StatusService, name), JSON_MANDATORY },
                { "kind", JSON_STRING, parse_kind, offsetof(StatusService, kind), JSON_MANDATORY },
                { "state", JSON_STRING, parse_state, offsetof(StatusService, state),
                  JSON_MANDATORY },
                { "restart", JSON_STRING, parse_restart, offsetof(StatusService, restart),
                  JSON_MANDATORY },
                { "pid", JSON_INTEGER, parse_pid, offsetof(StatusService, pid), JSON_MANDATORY },
                { "restarts", JSON_INTEGER, parse_u32, offsetof(StatusService, restarts),
                  JSON_MANDATORY },
                { "reason", JSON_STRING, parse_reason, offsetof(StatusService, reason),
                  JSON_MANDATORY },
                { "state_ms", JSON_INTEGER, json_parse_field_uint64,
                  offsetof(StatusService, state_ms), JSON_MANDATORY },
                { "exit_status", JSON_INTEGER, parse_exit_status,
                  offsetof(StatusService, exit_status), 0 },
                { "exit_signal", JSON_INTEGER, parse_exit_signal,
                  offsetof(StatusService, exit_signal), 0 },
                { "restart_in_ms", JSON_INTEGER, json_parse_field_uint64,
                  offsetof(StatusService, restart_in_ms), 0 },
                {},
        };
        StatusReply *r = dest;
        size_t i, n = json_array_size(v);
        json_t *e;

        r->services = calloc(n ?: 1, sizeof(StatusService));
        if (!r->services)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                _cleanup_free_ char *path = NULL;
                StatusService *svc = &r->services[i];
                int k;

                *svc = (StatusService){ .exit_status = -1 };
                r->n_services++;
                path = strprintf("%s[%zu]", name, i);
                if (!path)
                        return -ENOMEM;
                k = json_dispatch(c, path, e, fields, 0, svc);
                if (k < 0)
                        return k;
                for (size_t j = 0; j < i; j++)
                        if (streq(r->services[j].name, svc->name))
                                return json_dispatch_error(c, name, "service '%s' listed twice",
                                                           svc->name);
        }
        return 0;
}

int status_reply_parse(const char *data, size_t size, StatusReply **ret, char **ret_error) {
        static const JsonField fields[] = {
                { "version", JSON_INTEGER, parse_version, 0, JSON_MANDATORY },
                { "boot_good", JSON_TRUE, json_parse_field_bool, offsetof(StatusReply, boot_good),
                  0 },
                { "services", JSON_ARRAY, parse_services, 0, 0 },
                { "error", JSON_STRING, parse_reason, offsetof(StatusReply, error), 0 },
                {},
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_(status_reply_freep) StatusReply *r = NULL;
        _cleanup_json_ json_t *j = NULL;
        bool is_error;
        int k;

        k = json_parse_strict(data, size, STATUS_RESPONSE_MAX, &j, ret_error);
        if (k < 0)
                return k;

        r = calloc(1, sizeof(*r));
        c = json_dispatch_context_new();
        if (!r || !c)
                return -ENOMEM;
        k = json_dispatch(c, NULL, j, fields, 0, r);
        /* An answer is either an error or the state, never both or neither. */
        is_error = json_object_get(j, "error") != NULL;
        if (k == 0 && is_error &&
            (json_object_get(j, "services") || json_object_get(j, "boot_good")))
                k = json_dispatch_error(c, "error", "an error response carries nothing else");
        if (k == 0 && !is_error && !json_object_get(j, "services"))
                k = json_dispatch_error(c, "services", "missing");
        if (k == 0 && !is_error && !json_object_get(j, "boot_good"))
                k = json_dispatch_error(c, "boot_good", "missing");
        if (k < 0) {
                if (ret_error && k == -EBADMSG)
                        *ret_error = strdup(json_dispatch_error_message(c));
                return k;
        }
        *ret = TAKE_PTR(r);
        return 0;
}

static int parse_request_kind(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!streq(json_string_value(v), "status"))
                return json_dispatch_error(c, name, "unknown request, expected \"status\"");
        return 0;
}

int status_request_parse(const char *data, size_t size, char **ret_error) {
        static const JsonField fields[] = {
                { "version", JSON_INTEGER, parse_version, 0, JSON_MANDATORY },
                { "request", JSON_STRING, parse_request_kind, 0, JSON_MANDATORY },
                {},
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_json_ json_t *j = NULL;
        int r;

        r = json_parse_strict(data, size, STATUS_REQUEST_MAX, &j, ret_error);
        if (r < 0)
                return r;
        c = json_dispatch_context_new();
        if (!c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, &(int){ 0 }); /* the fields store nothing */
        if (r == -EBADMSG && ret_error)
                *ret_error = strdup(json_dispatch_error_message(c));
        return r;
}

/* ---- the table ---- */

static void format_duration(uint64_t ms, char *buf, size_t size) {
        uint64_t s = ms / 1000;

        if (s < 60)
                (void) snprintf(buf, size, "%" PRIu64 "s", s);
        else if (s < 3600)
                (void) snprintf(buf, size, "%" PRIu64 "m%" PRIu64 "s", s / 60, s % 60);
        else if (s < 86400)
                (void) snprintf(buf, size, "%" PRIu64 "h%" PRIu64 "m", s / 3600, s % 3600 / 60);
        else
                (void) snprintf(buf, size, "%" PRIu64 "d%" PRIu64 "h", s / 86400, s % 86400 / 3600);
}

void status_reply_print_table(const StatusReply *r, FILE *f) {
        int w = (int) strlen("SERVICE");

        for (size_t i = 0; i < r->n_services; i++)
                w = MAX(w, (int) strlen(r->services[i].name));

        fprintf(f, "%-*s  %-11s  %7s  %8s  %6s  %s\n", w, "SERVICE", "STATE", "PID", "RESTARTS",
                "FOR", "REASON");
        for (size_t i = 0; i < r->n_services; i++) {
                const StatusService *v = &r->services[i];
                char pid[24] = "-", since[32], wait[32];

                if (v->pid > 0)
                        (void) snprintf(pid, sizeof(pid), "%" PRIu64, v->pid);
                format_duration(v->state_ms, since, sizeof(since));
                fprintf(f, "%-*s  %-11s  %7s  %8" PRIu64 "  %6s  %s", w, v->name,
                        service_state_to_string(v->state), pid, v->restarts, since, v->reason);
                if (v->state == SERVICE_BACKING_OFF) {
                        (void) snprintf(wait, sizeof(wait), "%" PRIu64 "ms", v->restart_in_ms);
                        fprintf(f, "%srestart in %s", isempty(v->reason) ? "" : "; ", wait);
                }
                fputc('\n', f);
        }
        fprintf(f, "\nboot: %s\n", r->boot_good ? "good" : "not yet good");
}

/* ---- server ---- */

/* mkdir -p of the socket's directory (root-owned, 0755). */
static int make_parent_dir(const char *path) {
        _cleanup_free_ char *dir = NULL;
        int r;

        r = path_dirname(path, &dir);
        if (r < 0)
                return r;
        for (char *p = dir + 1;; p++) {
                char c = *p;
                if (c != '/' && c != '\0')
                        continue;
                *p = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *p = c;
                if (c == '\0')
                        return 0;
        }
}

static int sockaddr_for(const char *path, struct sockaddr_un *ret) {
        *ret = (struct sockaddr_un){ .sun_family = AF_UNIX };
        if (!path || path[0] != '/')
                return -EINVAL;
        if (strscpy(ret->sun_path, sizeof(ret->sun_path), path) < 0)
                return -ENAMETOOLONG;
        return 0;
}

int status_server_listen(const char *path, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        struct stat st;
        mode_t old_umask;
        int r;

        r = sockaddr_for(path, &sa);
        if (r < 0)
                return r;
        r = make_parent_dir(path);
        if (r < 0)
                return r;
        /* A socket left by an earlier mosd; anything else at that path is not ours to remove. */
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode))
                        return -EEXIST;
                if (unlink(path) < 0)
                        return -errno;
        }

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* The socket is created 0600 by bind() itself: no moment with wider access. mosd is
         * single-threaded, so changing the process umask here is safe. */
        old_umask = umask(0177);
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        (void) umask(old_umask);
        if (r < 0)
                return -errno;
        if (listen(fd, 16) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void set_timeouts(int fd, int seconds) {
        struct timeval tv = { .tv_sec = seconds };
        (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Reads until end of file: at most max bytes, -EFBIG beyond. */
static int read_all(int fd, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;

        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf + n, max + 1 - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return errno == EAGAIN ? -ETIMEDOUT : -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

static int send_reply(int fd, const StatusReply *reply) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = status_reply_to_json(reply, &j);
        if (r < 0)
                return r;
        r = json_dump_canonical(j, &text, &size);
        if (r < 0)
                return r;
        return loop_write(fd, text, size);
}

static int send_error(int fd, const char *what, const char *detail) {
        _cleanup_free_ char *joined = strjoin(what, strempty(detail)), *msg = NULL;
        StatusReply reply = {};

        /* A detail may quote the client's bytes. */
        msg = joined ? printable_copy(joined) : NULL;
        if (!msg)
                return -ENOMEM;
        reply.error = msg;
        return send_reply(fd, &reply);
}

int status_server_handle(int listen_fd, StatusGetReply get, void *userdata) {
        _cleanup_(status_reply_freep) StatusReply *reply = NULL;
        _cleanup_free_ char *request = NULL, *error = NULL;
        _cleanup_close_ int fd = -1;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        size_t size;
        int r;

        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        set_timeouts(fd, STATUS_IO_TIMEOUT_SEC);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (cred.uid != 0 && cred.uid != geteuid())
                return send_error(fd, "permission denied", NULL);

        r = read_all(fd, STATUS_REQUEST_MAX, &request, &size);
        if (r == -EFBIG)
                return send_error(fd, "request larger than 4096 bytes", NULL);
        if (r < 0)
                return log_debug_errno(r, "Failed to read a status request: %m");
        r = status_request_parse(request, size, &error);
        if (r == -EBADMSG)
                return send_error(fd, "bad request: ", error);
        if (r < 0)
                return r;

        r = get(userdata, &reply);
        if (r < 0)
                return send_error(fd, "failed to collect the status: ", strerror(-r));
        return send_reply(fd, reply);
}

/* ---- client ---- */

int status_query(const char *path, StatusReply **ret, char **ret_error) {
        static const char request[] = "{\"request\":\"status\",\"version\":1}";
        _cleanup_(status_reply_freep) StatusReply *reply = NULL;
        _cleanup_free_ char *response = NULL;
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        size_t size;
        int r;

        r = sockaddr_for(path, &sa);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        set_timeouts(fd, STATUS_CLIENT_TIMEOUT_SEC);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        r = loop_write(fd, request, strlen(request));
        if (r < 0)
                return r;
        if (shutdown(fd, SHUT_WR) < 0)
                return -errno;
        r = read_all(fd, STATUS_RESPONSE_MAX, &response, &size);
        if (r < 0)
                return r;

        r = status_reply_parse(response, size, &reply, ret_error);
        if (r < 0)
                return r;
        if (reply->error) {
                if (ret_error)
                        *ret_error = strdup(reply->error);
                return -EREMOTEIO;
        }
        *ret = TAKE_PTR(reply);
        return 0;
}
