/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "log.h"
#include "path-util.h"
#include "process.h"
#include "service-log.h"
#include "string-util.h"
#include "strv.h"
#include "userns.h"

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_NEVER UINT64_MAX

typedef struct Service {
        char *name;
        RestartPolicy restart;
        bool is_container;
        bool never_start;   /* supervisor_add_failed() */
        char **argv;        /* process services */
        ContainerSpec spec; /* container services */
        char *bundle_dir;

        ServiceState state;
        pid_t pid;
        int log_rfd, log_wfd; /* one pipe for the service's lifetime */
        ServiceLog *log;

        uint64_t state_since;
        uint64_t started_at;
        uint64_t next_start; /* backing off */
        uint64_t kill_at;    /* stopping: when SIGKILL is due */
        bool killed;

        unsigned restarts; /* total */
        unsigned streak;   /* restarts in a row without a stable run */
        int last_status;   /* waitpid() status of the last run */
        bool has_last_status;
        char *reason;
} Service;

typedef struct IoHandler {
        int fd;
        void (*handler)(int fd, void *userdata);
        void *userdata;
} IoHandler;

struct Supervisor {
        SupervisorSettings settings;
        ContainerRuntime runtime;
        char *crun_state_dir;

        Service *services;
        size_t n_services;
        IoHandler *ios;
        size_t n_ios;

        int signal_fd;
        sigset_t saved_mask;
        int log_dir_fd;

        bool started;
        uint64_t started_at;
        bool boot_good;
        bool settled;
        bool stopping;       /* supervisor_stop(): nothing starts any more */
        int shutdown_signal; /* SIGTERM or SIGINT received */
};

static const char *const service_state_table[_SERVICE_STATE_MAX] = {
        [SERVICE_STARTING] = "starting",       [SERVICE_RUNNING] = "running",
        [SERVICE_BACKING_OFF] = "backing-off", [SERVICE_EXITED] = "exited",
        [SERVICE_FAILED] = "failed",           [SERVICE_STOPPING] = "stopping",
};

int restart_policy_from_string(const char *s, RestartPolicy *ret) {
        for (int i = 0; i < _RESTART_POLICY_MAX; i++)
                if (streq_ptr(s, restart_policy_to_string((RestartPolicy) i))) {
                        *ret = (RestartPolicy) i;
                        return 0;
                }
        return -EINVAL;
}

const char *service_state_to_string(ServiceState s) {
        return s >= 0 && s < _SERVICE_STATE_MAX ? service_state_table[s] : NULL;
}

int service_state_from_string(const char *s, ServiceState *ret) {
        for (int i = 0; i < _SERVICE_STATE_MAX; i++)
                if (streq_ptr(s, service_state_table[i])) {
                        *ret = (ServiceState) i;
                        return 0;
                }
        return -EINVAL;
}

static uint64_t now_monotonic(void *userdata) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t now(const Supervisor *s) {
        return s->settings.now(s->settings.clock_userdata);
}

static void service_done(Service *v) {
        free(v->name);
        strv_free(v->argv);
        container_spec_done(&v->spec);
        free(v->bundle_dir);
        safe_close(v->log_rfd);
        safe_close(v->log_wfd);
        service_log_free(v->log);
        free(v->reason);
}

Supervisor *supervisor_free(Supervisor *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_services; i++)
                service_done(&s->services[i]);
        free(s->services);
        free(s->ios);
        free(s->crun_state_dir);
        safe_close(s->log_dir_fd);
        if (s->signal_fd >= 0) {
                safe_close(s->signal_fd);
                (void) sigprocmask(SIG_SETMASK, &s->saved_mask, NULL);
        }
        free(s);
        return NULL;
}

#define DEFAULT(field, value)                                                                      \
        do {                                                                                       \
                if (s->settings.field == 0)                                                        \
                        s->settings.field = (value);                                               \
        } while (0)

int supervisor_new(const SupervisorSettings *settings, Supervisor **ret) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        sigset_t mask;

        if (!settings->log_dir)
                return -EINVAL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->signal_fd = s->log_dir_fd = -1;
        s->settings = *settings;
        DEFAULT(log_max_size, 1024 * 1024);
        DEFAULT(backoff_initial_usec, 100 * USEC_PER_MSEC);
        DEFAULT(backoff_max_usec, 30 * USEC_PER_SEC);
        DEFAULT(max_failures, 5);
        DEFAULT(stable_usec, 10 * USEC_PER_SEC);
        DEFAULT(start_usec, 1 * USEC_PER_SEC);
        DEFAULT(settle_usec, 10 * USEC_PER_SEC);
        DEFAULT(stop_timeout_usec, 10 * USEC_PER_SEC);
        if (!s->settings.now)
                s->settings.now = now_monotonic;
        if (s->settings.backoff_max_usec < s->settings.backoff_initial_usec)
                return -EINVAL;

        s->log_dir_fd = open(settings->log_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (s->log_dir_fd < 0)
                return log_debug_errno(errno, "Failed to open log directory '%s': %m",
                                       settings->log_dir);

        if (settings->runtime_dir) {
                s->crun_state_dir = path_join(settings->runtime_dir, "crun");
                if (!s->crun_state_dir)
                        return -ENOMEM;
        }
        s->runtime = (ContainerRuntime){
                .crun = settings->crun,
                .state_dir = s->crun_state_dir,
        };

        /* Read from a signalfd rather than handled asynchronously: blocked signals are also
         * queued for PID 1, which the kernel otherwise protects from default dispositions. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, &s->saved_mask) < 0)
                return -errno;
        s->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (s->signal_fd < 0) {
                int e = -errno;
                (void) sigprocmask(SIG_SETMASK, &s->saved_mask, NULL);
                return e;
        }

        *ret = TAKE_PTR(s);
        return 0;
}

static Service *find_service(Supervisor *s, const char *name) {
        for (size_t i = 0; i < s->n_services; i++)
                if (streq(s->services[i].name, name))
                        return &s->services[i];
        return NULL;
}

/* Appends a service with its log pipe and log file; the caller fills in what to run. */
static int add_service(Supervisor *s, const char *name, RestartPolicy restart, Service **ret) {
        Service *n, *v;
        int fds[2], r;

        if (!userns_group_name_is_valid(name) || !restart_policy_to_string(restart))
                return -EINVAL;
        if (find_service(s, name))
                return -EEXIST;

        n = realloc(s->services, (s->n_services + 1) * sizeof(Service));
        if (!n)
                return -ENOMEM;
        s->services = n;
        v = &s->services[s->n_services];
        *v = (Service){ .restart = restart, .log_rfd = -1, .log_wfd = -1, .state = SERVICE_EXITED };

        v->name = strdup(name);
        if (!v->name)
                return -ENOMEM;
        if (pipe2(fds, O_CLOEXEC) < 0) {
                free(v->name);
                return -errno;
        }
        v->log_rfd = fds[0];
        v->log_wfd = fds[1];
        if (fcntl(v->log_rfd, F_SETFL, O_NONBLOCK) < 0) {
                r = -errno;
                goto fail;
        }
        r = service_log_open(s->log_dir_fd, name, s->settings.log_max_size, &v->log);
        if (r < 0) {
                log_debug_errno(r, "Failed to open the log of '%s': %m", name);
                goto fail;
        }
        s->n_services++;
        *ret = v;
        return 0;
fail:
        service_done(v);
        return r;
}

int supervisor_add_container(Supervisor *s, RestartPolicy restart, ContainerSpec *spec) {
        _cleanup_free_ char *error = NULL, *bundle = NULL;
        Service *v;
        int r;

        if (!s->settings.runtime_dir)
                return -EINVAL;
        r = container_spec_validate(spec, &error);
        if (r < 0)
                return log_debug_errno(r, "Invalid container: %s", error);
        bundle = strjoin(s->settings.runtime_dir, "/bundles/", spec->name);
        if (!bundle)
                return -ENOMEM;

        r = add_service(s, spec->name, restart, &v);
        if (r < 0)
                return r;
        v->is_container = true;
        v->bundle_dir = TAKE_PTR(bundle);
        v->spec = *spec;
        *spec = (ContainerSpec){};
        return 0;
}

int supervisor_add_process(Supervisor *s, const char *name, RestartPolicy restart,
                           char *const argv[]) {
        _cleanup_strv_free_ char **copy = NULL;
        Service *v;
        int r;

        if (!argv || !argv[0] || argv[0][0] != '/')
                return -EINVAL;
        for (; *argv; argv++)
                if (strv_extend(&copy, *argv) < 0)
                        return -ENOMEM;
        r = add_service(s, name, restart, &v);
        if (r < 0)
                return r;
        v->argv = TAKE_PTR(copy);
        return 0;
}

int supervisor_add_failed(Supervisor *s, const char *name, const char *reason) {
        Service *v;
        int r;

        r = add_service(s, name, RESTART_NO, &v);
        if (r < 0)
                return r;
        v->is_container = true;
        v->never_start = true;
        v->state = SERVICE_FAILED;
        v->reason = strdup(strempty(reason));
        (void) service_log_note(v->log, "not started: %s", strempty(reason));
        return v->reason ? 0 : -ENOMEM;
}

int supervisor_add_io(Supervisor *s, int fd, void (*handler)(int fd, void *userdata),
                      void *userdata) {
        IoHandler *n;

        n = realloc(s->ios, (s->n_ios + 1) * sizeof(IoHandler));
        if (!n)
                return -ENOMEM;
        s->ios = n;
        s->ios[s->n_ios++] = (IoHandler){ fd, handler, userdata };
        return 0;
}

/* ---- state changes ---- */

static void set_state(Supervisor *s, Service *v, ServiceState state, char *reason) {
        bool changed = v->state != state || !streq_ptr(v->reason, reason);

        v->state = state;
        v->state_since = now(s);
        free(v->reason);
        v->reason = reason; /* taken; NULL (out of memory or nothing to say) reads as "" */
        if (changed && s->settings.state_changed)
                s->settings.state_changed(v->name, state, strempty(reason), s->settings.userdata);
}

static void ended(Supervisor *s, Service *v, int wait_status, char *why);

static int spawn(Supervisor *s, Service *v) {
        int r;

        if (!v->is_container)
                return process_spawn(v->argv, NULL, v->log_wfd, &v->pid);

        /* Leftovers of an earlier mosd (crash, reboot without cleanup) would make crun refuse
         * the name. Then the bundle: written on every start, so it always matches the spec. */
        r = container_delete(&s->runtime, v->name);
        if (r < 0)
                log_debug_errno(r, "Failed to delete stale container '%s', continuing: %m",
                                v->name);
        r = container_prepare(&v->spec);
        if (r < 0)
                return r;
        r = container_write_bundle(&v->spec, v->bundle_dir);
        if (r < 0)
                return r;
        return container_start(&s->runtime, v->name, v->bundle_dir, v->log_wfd, &v->pid);
}

static void start_service(Supervisor *s, Service *v) {
        int r;

        (void) service_log_note(v->log, "starting %s (start %u)", v->name, v->restarts + 1);
        r = spawn(s, v);
        if (r < 0) {
                /* Could not even start: treated as a failed run, so the policy and the backoff
                 * apply the same way. */
                v->pid = 0;
                v->started_at = now(s);
                ended(s, v, -1, strprintf("could not start: %s", strerror(-r)));
                return;
        }
        v->started_at = now(s);
        v->killed = false;
        set_state(s, v, SERVICE_STARTING, NULL);
}

static uint64_t backoff_delay(const Supervisor *s, unsigned streak) {
        uint64_t d = s->settings.backoff_initial_usec;

        for (unsigned i = 1; i < streak && d < s->settings.backoff_max_usec; i++)
                d *= 2;
        return MIN(d, s->settings.backoff_max_usec);
}

/* A run ended: wait_status from waitpid(), or -1 with why when it never started. */
static void ended(Supervisor *s, Service *v, int wait_status, char *why) {
        _cleanup_free_ char *how = why;
        bool success, restart;
        uint64_t t = now(s);

        if (wait_status >= 0) {
                how = process_describe_status(wait_status);
                v->last_status = wait_status;
                v->has_last_status = true;
                success = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
        } else
                success = false;
        (void) service_log_note(v->log, "%s", strempty(how));
        v->pid = 0;

        if (v->state == SERVICE_STOPPING || s->stopping || s->shutdown_signal) {
                set_state(s, v, SERVICE_EXITED, strprintf("stopped, %s", strempty(how)));
                return;
        }

        if (!success && s->settings.check_failure) {
                char *fatal = s->settings.check_failure(v->name, s->settings.userdata);
                if (fatal) {
                        (void) service_log_note(v->log, "not restarted: %s", fatal);
                        set_state(s, v, SERVICE_FAILED, fatal);
                        return;
                }
        }

        switch (v->restart) {
        case RESTART_ALWAYS:
                restart = true;
                break;
        case RESTART_ON_FAILURE:
                restart = !success;
                break;
        default:
                restart = false;
        }
        if (!restart) {
                set_state(s, v, success ? SERVICE_EXITED : SERVICE_FAILED, TAKE_PTR(how));
                return;
        }

        if (t - v->started_at >= s->settings.stable_usec)
                v->streak = 0;
        if (v->streak >= s->settings.max_failures) {
                set_state(s, v, SERVICE_FAILED,
                          strprintf("gave up after %u restarts in a row, last run %s", v->streak,
                                    strempty(how)));
                return;
        }
        v->streak++;
        v->next_start = t + backoff_delay(s, v->streak);
        set_state(s, v, SERVICE_BACKING_OFF, TAKE_PTR(how));
}

/* ---- events ---- */

static void drain_log(Supervisor *s, Service *v) {
        char buf[16384];

        for (;;) {
                ssize_t n = read(v->log_rfd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return; /* EAGAIN: nothing more now (the write end stays open) */
                if (service_log_write(v->log, buf, (size_t) n) < 0)
                        log_debug("Failed to write the log of '%s', output dropped.", v->name);
                if (s->settings.output)
                        s->settings.output(v->name, buf, (size_t) n, s->settings.userdata);
        }
}

static Service *find_by_pid(Supervisor *s, pid_t pid) {
        for (size_t i = 0; i < s->n_services; i++)
                if (s->services[i].pid == pid)
                        return &s->services[i];
        return NULL;
}

static void reap(Supervisor *s) {
        for (;;) {
                Service *v;
                int status;
                pid_t pid;

                pid = waitpid(-1, &status, WNOHANG);
                if (pid < 0 && errno == EINTR)
                        continue;
                if (pid <= 0)
                        return; /* 0: children left, none ended; ECHILD: no children */

                v = find_by_pid(s, pid);
                if (!v) {
                        log_debug("Reaped process %d.", (int) pid);
                        continue;
                }
                /* What it wrote before it ended belongs before the note that it ended. */
                drain_log(s, v);
                if (v->is_container) {
                        /* crun run deletes the container when it ends normally; this removes
                         * what is left when crun itself was killed. */
                        (void) container_delete(&s->runtime, v->name);
                }
                ended(s, v, status, NULL);
        }
}

static void read_signals(Supervisor *s) {
        struct signalfd_siginfo si;

        for (;;) {
                ssize_t n = read(s->signal_fd, &si, sizeof(si));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n != (ssize_t) sizeof(si))
                        return;
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                        log_debug("Received SIG%s.", sigabbrev_np((int) si.ssi_signo));
                        s->shutdown_signal = (int) si.ssi_signo;
                }
                /* SIGCHLD: reaped below, whatever the number of queued signals. */
        }
}

static void send_signal(Supervisor *s, Service *v, int sig) {
        if (v->pid <= 0)
                return;
        if (v->is_container && container_kill(&s->runtime, v->name, sig) >= 0)
                return;
        /* A plain process, or a container crun does not know (yet): signal crun, which
         * forwards it to the container, or dies by it. */
        (void) kill(v->pid, sig);
}

static bool service_is_up(const Supervisor *s, const Service *v, uint64_t t) {
        if (v->state == SERVICE_EXITED)
                return v->has_last_status && WIFEXITED(v->last_status) &&
                       WEXITSTATUS(v->last_status) == 0;
        return v->state == SERVICE_RUNNING && t - v->started_at >= s->settings.settle_usec;
}

/* Runs what is due at time t and returns when the next thing will be. */
static uint64_t run_timers(Supervisor *s, uint64_t t) {
        uint64_t next = USEC_NEVER, settled_at;
        bool all_up = true, all_decided = true, any_failed = false;

#define NEXT(when) next = MIN(next, (uint64_t) (when))
        for (size_t i = 0; i < s->n_services; i++) {
                Service *v = &s->services[i];

                switch (v->state) {
                case SERVICE_STARTING:
                        if (t - v->started_at >= s->settings.start_usec)
                                set_state(s, v, SERVICE_RUNNING, NULL);
                        else
                                NEXT(v->started_at + s->settings.start_usec);
                        break;
                case SERVICE_BACKING_OFF:
                        if (s->stopping || s->shutdown_signal)
                                break;
                        if (t >= v->next_start) {
                                v->restarts++;
                                start_service(s, v);
                                if (v->state == SERVICE_BACKING_OFF)
                                        NEXT(v->next_start);
                                else if (v->state == SERVICE_STARTING)
                                        NEXT(v->started_at + s->settings.start_usec);
                        } else
                                NEXT(v->next_start);
                        break;
                case SERVICE_STOPPING:
                        if (!v->killed && t >= v->kill_at) {
                                log_debug("Service '%s' did not stop in time, killing it.",
                                          v->name);
                                send_signal(s, v, SIGKILL);
                                v->killed = true;
                        } else if (!v->killed)
                                NEXT(v->kill_at);
                        break;
                default:
                        break;
                }
        }

        if (!s->started || s->settled || s->stopping || s->shutdown_signal)
                return next;

        settled_at = s->started_at + s->settings.settle_usec;
        for (size_t i = 0; i < s->n_services; i++) {
                const Service *v = &s->services[i];
                if (service_is_up(s, v, t))
                        continue;
                all_up = false;
                if (v->state == SERVICE_FAILED) {
                        any_failed = true;
                        continue;
                }
                all_decided = false;
                if (v->state == SERVICE_RUNNING || v->state == SERVICE_STARTING)
                        NEXT(v->started_at + s->settings.settle_usec);
        }
        if (all_decided && t >= settled_at) {
                if (all_up && !any_failed) {
                        s->boot_good = true;
                        log_debug("Every service is up: boot good.");
                        if (s->settings.boot_good)
                                s->settings.boot_good(s->settings.userdata);
                }
                s->settled = true;
                if (s->settings.settled)
                        s->settings.settled(s->settings.userdata);
        } else if (all_decided)
                NEXT(settled_at);
#undef NEXT
        return next;
}

int supervisor_start(Supervisor *s) {
        s->started = true;
        s->started_at = now(s);
        for (size_t i = 0; i < s->n_services; i++)
                if (!s->services[i].never_start)
                        start_service(s, &s->services[i]);
        return 0;
}

int supervisor_run_once(Supervisor *s, uint64_t max_wait_usec) {
        _cleanup_free_ struct pollfd *pfds = NULL;
        size_t n = 0, first_log, first_io;
        uint64_t t, next, wait;
        int timeout_ms, r;

        /* Timers first: also when the (test) clock moved between two calls. */
        t = now(s);
        next = run_timers(s, t);
        wait = next == USEC_NEVER ? max_wait_usec : MIN(max_wait_usec, next > t ? next - t : 0);
        timeout_ms = (int) MIN(DIV_ROUND_UP(wait, USEC_PER_MSEC), (uint64_t) INT_MAX);

        pfds = calloc(1 + s->n_services + s->n_ios, sizeof(struct pollfd));
        if (!pfds)
                return -ENOMEM;
        pfds[n++] = (struct pollfd){ .fd = s->signal_fd, .events = POLLIN };
        first_log = n;
        for (size_t i = 0; i < s->n_services; i++)
                pfds[n++] = (struct pollfd){ .fd = s->services[i].log_rfd, .events = POLLIN };
        first_io = n;
        for (size_t i = 0; i < s->n_ios; i++)
                pfds[n++] = (struct pollfd){ .fd = s->ios[i].fd, .events = POLLIN };

        r = poll(pfds, n, timeout_ms);
        if (r < 0 && errno != EINTR)
                return -errno;
        if (r > 0) {
                for (size_t i = 0; i < s->n_services; i++)
                        if (pfds[first_log + i].revents)
                                drain_log(s, &s->services[i]);
                if (pfds[0].revents) {
                        read_signals(s);
                        reap(s);
                }
                for (size_t i = 0; i < s->n_ios; i++)
                        if (pfds[first_io + i].revents)
                                s->ios[i].handler(s->ios[i].fd, s->ios[i].userdata);
        }
        (void) run_timers(s, now(s));
        return s->shutdown_signal;
}

int supervisor_stop(Supervisor *s) {
        uint64_t deadline;

        s->stopping = true;
        for (size_t i = 0; i < s->n_services; i++) {
                Service *v = &s->services[i];

                if (v->pid > 0) {
                        set_state(s, v, SERVICE_STOPPING, NULL);
                        v->kill_at = now(s) + s->settings.stop_timeout_usec;
                        send_signal(s, v, SIGTERM);
                } else if (v->state == SERVICE_BACKING_OFF)
                        set_state(s, v, SERVICE_EXITED, strdup("stopped while backing off"));
        }

        deadline = now(s) + 2 * s->settings.stop_timeout_usec;
        while (!supervisor_all_ended(s)) {
                int r;

                if (now(s) >= deadline)
                        return -ETIMEDOUT;
                r = supervisor_run_once(s, 100 * USEC_PER_MSEC);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- state ---- */

size_t supervisor_n_services(const Supervisor *s) {
        return s->n_services;
}

int supervisor_get_status(const Supervisor *s, size_t i, ServiceStatus *ret) {
        const Service *v;
        uint64_t t = now(s);

        if (i >= s->n_services)
                return -ENOENT;
        v = &s->services[i];
        *ret = (ServiceStatus){
                .name = v->name,
                .kind = v->is_container ? "container" : "process",
                .state = v->state,
                .restart = v->restart,
                .pid = v->pid,
                .restarts = v->restarts,
                .exit_status = v->has_last_status && WIFEXITED(v->last_status)
                                       ? WEXITSTATUS(v->last_status)
                                       : -1,
                .exit_signal = v->has_last_status && WIFSIGNALED(v->last_status)
                                       ? WTERMSIG(v->last_status)
                                       : 0,
                .reason = strempty(v->reason),
                .state_usec = t - v->state_since,
                .restart_in_usec = v->state == SERVICE_BACKING_OFF && v->next_start > t
                                           ? v->next_start - t
                                           : 0,
        };
        return 0;
}

int supervisor_find_status(const Supervisor *s, const char *name, ServiceStatus *ret) {
        for (size_t i = 0; i < s->n_services; i++)
                if (streq(s->services[i].name, name))
                        return supervisor_get_status(s, i, ret);
        return -ENOENT;
}

bool supervisor_boot_is_good(const Supervisor *s) {
        return s->boot_good;
}

bool supervisor_is_settled(const Supervisor *s) {
        return s->settled;
}

bool supervisor_all_ended(const Supervisor *s) {
        for (size_t i = 0; i < s->n_services; i++)
                if (s->services[i].pid > 0)
                        return false;
        return true;
}
