/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mosd: PID 1 of the host image. Runs the services (containers, by crun) with the supervisor,
 * answers `mos status` on its socket, and on SIGTERM (poweroff) or SIGINT (reboot) stops them
 * and, as PID 1, calls reboot(2); otherwise it exits. The logic lives in src/lib (supervisor.c,
 * container.c, status.c); this is the wiring. docs/containers.md describes the options. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "config.h"
#include "exit-code.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "path-util.h"
#include "service-config.h"
#include "status.h"
#include "string-util.h"
#include "supervisor.h"
#include "userns.h"

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)

static const char *arg_services;
static const char *arg_runtime_dir = "/run/mos";
static const char *arg_log_dir = "/var/log/mos";
static const char *arg_status_socket = STATUS_SOCKET_DEFAULT;
static const char *arg_userns_db = "/var/lib/mos/userns.json";
static const char *arg_crun;
static SupervisorSettings arg_settings;

static void help(void) {
        printf("Usage: mosd --services FILE [OPTIONS]\n"
               "\n"
               "Runs the services of FILE in containers (crun), restarts them by policy, keeps\n"
               "their logs and answers 'mos status'. As PID 1: reaps every process, and powers\n"
               "off on SIGTERM or reboots on SIGINT after stopping the services.\n"
               "\n"
               "  --services FILE           the services (JSON, docs/containers.md)\n"
               "  --runtime-dir DIR         bundles and crun state (default /run/mos)\n"
               "  --log-dir DIR             service logs (default /var/log/mos)\n"
               "  --status-socket PATH      (default " STATUS_SOCKET_DEFAULT ")\n"
               "  --userns-db PATH          user-namespace range record\n"
               "                            (default /var/lib/mos/userns.json)\n"
               "  --crun PATH               the OCI runtime (default /usr/bin/crun)\n"
               "  --log-max-size BYTES      per log file before rotation (default 1048576)\n"
               "  --settle-ms MS            boot good after all are up this long (default 10000)\n"
               "  --start-ms MS             starting -> running after (default 1000)\n"
               "  --stable-ms MS            a run this long resets the backoff (default 10000)\n"
               "  --backoff-initial-ms MS   first restart delay (default 100)\n"
               "  --backoff-max-ms MS       longest restart delay (default 30000)\n"
               "  --max-failures N          restarts in a row before giving up (default 5)\n"
               "  --stop-timeout-ms MS      SIGTERM to SIGKILL (default 10000)\n"
               "  --log-level LEVEL         error, warning, notice, info, debug\n"
               "  --version, -h/--help\n");
}

static int parse_ms(const char *value, const char *option, uint64_t *ret) {
        uint64_t v;

        if (safe_atou64(value, &v) < 0 || v == 0 || v > UINT64_MAX / USEC_PER_MSEC) {
                log_error("Invalid value '%s' for %s, expected a positive number of milliseconds.",
                          value, option);
                return -EINVAL;
        }
        *ret = v * USEC_PER_MSEC;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_SERVICES = 0x100,
                ARG_RUNTIME_DIR,
                ARG_LOG_DIR,
                ARG_STATUS_SOCKET,
                ARG_USERNS_DB,
                ARG_CRUN,
                ARG_LOG_MAX_SIZE,
                ARG_SETTLE,
                ARG_START,
                ARG_STABLE,
                ARG_BACKOFF_INITIAL,
                ARG_BACKOFF_MAX,
                ARG_MAX_FAILURES,
                ARG_STOP_TIMEOUT,
                ARG_LOG_LEVEL,
                ARG_VERSION,
        };
        static const struct option options[] = {
                { "services", required_argument, NULL, ARG_SERVICES },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "log-dir", required_argument, NULL, ARG_LOG_DIR },
                { "status-socket", required_argument, NULL, ARG_STATUS_SOCKET },
                { "userns-db", required_argument, NULL, ARG_USERNS_DB },
                { "crun", required_argument, NULL, ARG_CRUN },
                { "log-max-size", required_argument, NULL, ARG_LOG_MAX_SIZE },
                { "settle-ms", required_argument, NULL, ARG_SETTLE },
                { "start-ms", required_argument, NULL, ARG_START },
                { "stable-ms", required_argument, NULL, ARG_STABLE },
                { "backoff-initial-ms", required_argument, NULL, ARG_BACKOFF_INITIAL },
                { "backoff-max-ms", required_argument, NULL, ARG_BACKOFF_MAX },
                { "max-failures", required_argument, NULL, ARG_MAX_FAILURES },
                { "stop-timeout-ms", required_argument, NULL, ARG_STOP_TIMEOUT },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c, r;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                r = 0;
                switch (c) {
                case ARG_SERVICES:
                        arg_services = optarg;
                        break;
                case ARG_RUNTIME_DIR:
                        arg_runtime_dir = optarg;
                        break;
                case ARG_LOG_DIR:
                        arg_log_dir = optarg;
                        break;
                case ARG_STATUS_SOCKET:
                        arg_status_socket = optarg;
                        break;
                case ARG_USERNS_DB:
                        arg_userns_db = optarg;
                        break;
                case ARG_CRUN:
                        arg_crun = optarg;
                        break;
                case ARG_LOG_MAX_SIZE:
                        if (safe_atou64(optarg, &arg_settings.log_max_size) < 0 ||
                            arg_settings.log_max_size == 0) {
                                log_error("Invalid value '%s' for --log-max-size, expected a "
                                          "positive number of bytes.",
                                          optarg);
                                r = -EINVAL;
                        }
                        break;
                case ARG_SETTLE:
                        r = parse_ms(optarg, "--settle-ms", &arg_settings.settle_usec);
                        break;
                case ARG_START:
                        r = parse_ms(optarg, "--start-ms", &arg_settings.start_usec);
                        break;
                case ARG_STABLE:
                        r = parse_ms(optarg, "--stable-ms", &arg_settings.stable_usec);
                        break;
                case ARG_BACKOFF_INITIAL:
                        r = parse_ms(optarg, "--backoff-initial-ms",
                                     &arg_settings.backoff_initial_usec);
                        break;
                case ARG_BACKOFF_MAX:
                        r = parse_ms(optarg, "--backoff-max-ms", &arg_settings.backoff_max_usec);
                        break;
                case ARG_STOP_TIMEOUT:
                        r = parse_ms(optarg, "--stop-timeout-ms", &arg_settings.stop_timeout_usec);
                        break;
                case ARG_MAX_FAILURES:
                        if (safe_atou(optarg, &arg_settings.max_failures) < 0 ||
                            arg_settings.max_failures == 0) {
                                log_error("Invalid value '%s' for --max-failures, expected a "
                                          "positive number.",
                                          optarg);
                                r = -EINVAL;
                        }
                        break;
                case ARG_LOG_LEVEL: {
                        int l = log_level_from_string(optarg);
                        if (l < 0) {
                                log_error("Invalid --log-level '%s', expected error, warning, "
                                          "notice, info or debug.",
                                          optarg);
                                r = -EINVAL;
                        } else
                                log_set_max_level(l);
                        break;
                }
                case ARG_VERSION:
                        printf("mosd %s\n", MOS_VERSION);
                        return 0;
                case 'h':
                        help();
                        return 0;
                case ':':
                        log_error("Option '%s' needs a value. See 'mosd --help'.",
                                  argv[optind - 1]);
                        return -EINVAL;
                default:
                        log_error("Unknown option '%s'. See 'mosd --help'.", argv[optind - 1]);
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (optind < argc) {
                log_error("Unexpected argument '%s'. See 'mosd --help'.", argv[optind]);
                return -EINVAL;
        }
        if (!arg_services) {
                log_error("Missing --services FILE. See 'mosd --help'.");
                return -EINVAL;
        }
        return 1;
}

static void on_state_change(const char *name, ServiceState state, const char *reason,
                            void *userdata) {
        /* One console line per change: what an operator (and the VM tests) watch. */
        if (isempty(reason))
                log_info("Service '%s': %s.", name, service_state_to_string(state));
        else
                log_info("Service '%s': %s (%s).", name, service_state_to_string(state), reason);
}

static void on_boot_good(void *userdata) {
        _cleanup_free_ char *marker = path_join(arg_runtime_dir, "boot-good");
        int r;

        log_info("Every service is up: boot good.");
        /* For whatever acts on a good boot (release counter, boot counting). */
        r = marker ? write_file_atomic(marker, "", 0, 0644, 0) : -ENOMEM;
        if (r < 0)
                log_warning_errno(r, "Failed to write '%s': %m", strempty(marker));
}

static int get_reply(void *userdata, StatusReply **ret) {
        return status_reply_from_supervisor(userdata, ret);
}

static void on_status_socket(int fd, void *userdata) {
        int r = status_server_handle(fd, get_reply, userdata);
        if (r < 0)
                log_debug_errno(r, "Failed to answer a status request: %m");
}

static int add_services(Supervisor *s) {
        ServiceConfig *configs = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n = 0;
        int r;

        r = service_config_load(arg_services, &configs, &n, &error);
        if (r == -EBADMSG || r == -EFBIG)
                return log_error_errno(r, "Invalid services file '%s': %s", arg_services,
                                       strempty(error));
        if (r < 0)
                return log_error_errno(r, "Failed to read services file '%s': %m", arg_services);

        for (size_t i = 0; i < n; i++) {
                ServiceConfig *c = &configs[i];

                error = mfree(error);
                r = userns_allocate(arg_userns_db, c->userns_group, &c->spec.uid_shift, &error);
                if (r == -EBADMSG || r == -EFBIG) {
                        log_error_errno(r, "Invalid user-namespace record '%s': %s", arg_userns_db,
                                        strempty(error));
                        break;
                }
                if (r < 0) {
                        log_error_errno(r,
                                        "Failed to allocate a user-namespace range for '%s' "
                                        "in '%s': %m",
                                        c->userns_group, arg_userns_db);
                        break;
                }
                log_debug("Service '%s': user namespace group '%s', uids %u..%u.", c->spec.name,
                          c->userns_group, c->spec.uid_shift,
                          c->spec.uid_shift + USERNS_RANGE_SIZE - 1);
                r = supervisor_add_container(s, c->restart, &c->spec);
                if (r < 0) {
                        log_error_errno(r, "Failed to add service '%s': %m", c->spec.name);
                        break;
                }
        }
        service_config_free_many(configs, n);
        return r < 0 ? r : 0;
}

static int run(int *ret_signal) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_close_ int status_fd = -1;
        SupervisorSettings settings = arg_settings;
        int r, sig = 0;

        settings.log_dir = arg_log_dir;
        settings.runtime_dir = arg_runtime_dir;
        settings.crun = arg_crun;
        settings.boot_good = on_boot_good;
        settings.state_changed = on_state_change;

        r = supervisor_new(&settings, &s);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to set up the supervisor (log directory '%s'): %m", arg_log_dir);
        r = add_services(s);
        if (r < 0)
                return r;

        r = status_server_listen(arg_status_socket, &status_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on '%s': %m", arg_status_socket);
        r = supervisor_add_io(s, status_fd, on_status_socket, s);
        if (r < 0)
                return log_oom();

        log_info("Starting %zu service(s).", supervisor_n_services(s));
        r = supervisor_start(s);
        if (r < 0)
                return log_error_errno(r, "Failed to start the services: %m");

        while (sig == 0) {
                sig = supervisor_run_once(s, 60 * USEC_PER_SEC);
                if (sig < 0)
                        return log_error_errno(sig, "Supervisor loop failed: %m");
        }

        log_info("Received SIG%s, stopping the services.", sigabbrev_np(sig));
        r = supervisor_stop(s);
        if (r < 0)
                log_warning_errno(r, "Some services did not stop: %m");
        (void) unlink(arg_status_socket);
        *ret_signal = sig;
        return 0;
}

int main(int argc, char *argv[]) {
        bool pid1 = getpid() == 1;
        int r, sig = 0;

        log_set_program_name("mosd");
        if (log_parse_environment() < 0)
                log_warning("Ignoring invalid $MOS_LOG_LEVEL, expected error, warning, notice, "
                            "info or debug.");

        r = parse_argv(argc, argv);
        if (r <= 0 && !pid1)
                return r < 0 ? MOS_EXIT_USAGE : MOS_EXIT_SUCCESS;

        if (!pid1)
                /* Orphans of our containers (a crun killed under them) come to us to be reaped,
                 * as they would to PID 1. */
                (void) prctl(PR_SET_CHILD_SUBREAPER, 1);

        if (r > 0)
                r = run(&sig);
        if (!pid1)
                return exit_code_from_result(r);

        /* PID 1 must not exit (the kernel would panic). SIGINT is the reboot request (also what
         * the kernel sends for ctrl-alt-del); SIGTERM and every failure power off: an appliance
         * that cannot run its services stops rather than running something else. */
        sync();
        if (r >= 0 && sig == SIGINT) {
                log_info("Rebooting.");
                (void) reboot(RB_AUTOBOOT);
        } else {
                log_info("Powering off.");
                (void) reboot(RB_POWER_OFF);
        }
        log_error_errno(errno, "reboot() failed: %m");
        for (;;)
                pause();
}
