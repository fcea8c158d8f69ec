/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* mosd's service supervisor (docs/containers.md, "Supervision").
 *
 * A table of services, each a container run by crun (or, for tests and host helpers, a plain
 * process). The supervisor starts them, reaps children (signalfd for SIGCHLD, then
 * waitpid(-1, WNOHANG) until nothing is left, so as PID 1 it also reaps orphans), restarts by
 * policy with exponential backoff, writes each service's stdout/stderr into its log file (size
 * cap, one rotation), keeps a state per service and calls boot_good once every service has been
 * up for the settle time.
 *
 * Restart policy and backoff:
 *   no          never restarted: "exited" after status 0, else "failed";
 *   on-failure  restarted after a non-zero status or a signal; "exited" after status 0;
 *   always      restarted whatever the status.
 *   The n-th restart in a row waits min(backoff_initial * 2^(n-1), backoff_max). A run that
 *   lasted stable_usec or longer resets the count. After max_failures restarts in a row the
 *   service is given up: "failed", with the reason.
 *
 * Everything runs in one thread: supervisor_run_once() waits for one batch of events (child
 * exits, log output, extra fds such as the status socket, SIGTERM/SIGINT, timers). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container.h"
#include "macro.h"
#include "manifest.h"

typedef enum ServiceState {
        SERVICE_STARTING,    /* spawned, not yet up for start_usec */
        SERVICE_RUNNING,     /* up for at least start_usec */
        SERVICE_BACKING_OFF, /* ended, restart scheduled */
        SERVICE_EXITED,      /* ended with status 0 (or stopped) and not restarted */
        SERVICE_FAILED,      /* ended badly and not restarted, or given up */
        SERVICE_STOPPING,    /* asked to stop, waiting for it to end */
        _SERVICE_STATE_MAX,
} ServiceState;

/* RestartPolicy and restart_policy_to_string() are the manifest's (manifest.h): the policy is
 * what the signed manifest says for a container target. */
int restart_policy_from_string(const char *s, RestartPolicy *ret);
const char *service_state_to_string(ServiceState s);
int service_state_from_string(const char *s, ServiceState *ret);

typedef struct SupervisorSettings {
        const char *log_dir;     /* required; <log_dir>/<service>.log */
        uint64_t log_max_size;   /* bytes per file, default 1 MiB */
        const char *runtime_dir; /* for containers: <runtime_dir>/bundles/<service>, crun state
                                    in <runtime_dir>/crun */
        const char *crun;        /* default /usr/bin/crun */
        /* Timing; 0 means the default given. */
        uint64_t backoff_initial_usec; /* 100 ms */
        uint64_t backoff_max_usec;     /* 30 s */
        unsigned max_failures;         /* 5 */
        uint64_t stable_usec;          /* 10 s */
        uint64_t start_usec;           /* 1 s */
        uint64_t settle_usec;          /* 10 s */
        uint64_t stop_timeout_usec;    /* 10 s */
        void (*boot_good)(void *userdata);
        /* Called on every state change (mosd prints a console line). */
        void (*state_changed)(const char *name, ServiceState state, const char *reason,
                              void *userdata);
        /* Called once when every service has either been up for the settle time or failed
         * for good (given up, not restartable), and the settle time has passed since the
         * start: the moment the boot's outcome is known. With no service failed, boot_good
         * was called right before. */
        void (*settled)(void *userdata);
        /* Called when a run ended badly (not when stopped), before the restart policy: a
         * returned reason (malloc'd, taken over) fails the service for good, e.g. because its
         * image is corrupt and a restart cannot help; NULL lets the policy decide. */
        char *(*check_failure)(const char *name, void *userdata);
        /* What a service writes, as it is written to its log (for a console copy). */
        void (*output)(const char *name, const char *buf, size_t n, void *userdata);
        void *userdata; /* for the callbacks above */
        /* The clock (CLOCK_MONOTONIC in microseconds when NULL). Tests inject one to step
         * through the backoff deterministically; children and fds stay real. */
        uint64_t (*now)(void *userdata);
        void *clock_userdata;
} SupervisorSettings;

typedef struct Supervisor Supervisor;

/* Blocks SIGCHLD, SIGTERM and SIGINT in the calling thread (they are read from a signalfd) and
 * opens log_dir. The settings' strings must outlive the supervisor. */
int supervisor_new(const SupervisorSettings *settings, Supervisor **ret);
/* Restores the signal mask. Does not stop services: call supervisor_stop() first. */
Supervisor *supervisor_free(Supervisor *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Supervisor *, supervisor_free);

/* Adds a container service; the spec's content is taken over (*spec is zeroed). -EEXIST for a
 * duplicate name, -EBADMSG for an invalid spec. */
int supervisor_add_container(Supervisor *s, RestartPolicy restart, ContainerSpec *spec);
/* Adds a plain process service (argv[0] absolute; copied). */
int supervisor_add_process(Supervisor *s, const char *name, RestartPolicy restart,
                           char *const argv[]);

/* A service that cannot even be set up (its image does not mount, ...): listed as a
 * container in state "failed" with the reason, never started. */
int supervisor_add_failed(Supervisor *s, const char *name, const char *reason);

/* An extra fd to watch (POLLIN); handler runs from supervisor_run_once(). */
int supervisor_add_io(Supervisor *s, int fd, void (*handler)(int fd, void *userdata),
                      void *userdata);

/* Starts every service. */
int supervisor_start(Supervisor *s);

/* Waits for events for at most max_wait_usec (of real time; earlier when a timer of the clock
 * is due) and handles them. Returns 0, or the signal number when SIGTERM or SIGINT arrived. */
int supervisor_run_once(Supervisor *s, uint64_t max_wait_usec);

/* Stops every service: SIGTERM (through `crun kill` for containers), SIGKILL after
 * stop_timeout_usec, and returns when all have ended (-ETIMEDOUT if some did not end within
 * another stop_timeout_usec after SIGKILL). */
int supervisor_stop(Supervisor *s);

/* ---- state, for the status socket and tests ---- */

typedef struct ServiceStatus {
        const char *name;
        const char *kind; /* "container" or "process" */
        ServiceState state;
        RestartPolicy restart;
        pid_t pid;                /* 0 when not running */
        unsigned restarts;        /* since mosd started */
        int exit_status;          /* of the last run: exit status, or -1 */
        int exit_signal;          /* of the last run: terminating signal, or 0 */
        const char *reason;       /* why the current state; "" when there is nothing to say */
        uint64_t state_usec;      /* time spent in the current state */
        uint64_t restart_in_usec; /* backing off: time until the restart */
} ServiceStatus;

size_t supervisor_n_services(const Supervisor *s);
/* Pointers in *ret stay valid until the next call into the supervisor. */
int supervisor_get_status(const Supervisor *s, size_t i, ServiceStatus *ret);
int supervisor_find_status(const Supervisor *s, const char *name, ServiceStatus *ret);
bool supervisor_boot_is_good(const Supervisor *s);
/* The settled callback was called. */
bool supervisor_is_settled(const Supervisor *s);
/* True when no service has a process. */
bool supervisor_all_ended(const Supervisor *s);
