/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mosd: PID 1 of the host image. Runs the services (containers, by crun) with the supervisor,
 * answers `mos status` on its socket, and on SIGTERM (poweroff) or SIGINT (reboot) stops them
 * and, as PID 1, calls reboot(2); otherwise it exits. The logic lives in src/lib (supervisor.c,
 * container.c, status.c, appliance.c); this is the wiring. docs/containers.md describes the
 * options, docs/appliance.md the appliance mode: without --services, mosd runs the container
 * targets of the manifest mos-init verified (/run/mos/manifest.json). */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "appliance.h"
#include "config.h"
#include "dir-util.h"
#include "exit-code.h"
#include "fd-util.h"
#include "fileio.h"
#include "good-release.h"
#include "log.h"
#include "manifest.h"
#include "netconf.h"
#include "parse-util.h"
#include "process.h"
#include "path-util.h"
#include "service-config.h"
#include "status.h"
#include "string-util.h"
#include "strv.h"
#include "supervisor.h"
#include "userns.h"

#define USEC_PER_MSEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)

#define APPLIANCE_MANIFEST "/run/mos/manifest.json"
#define APPLIANCE_STORE "/store"
#define APPLIANCE_CONFIG "/config"
#define APPLIANCE_STATE "/data/mos"
#define APPLIANCE_READY_HOOK "/etc/mos/ready-hook"
/* mos-init loaded the NIC drivers (their probe runs inside finit_module()), so an interface
 * that exists is there when mosd starts; this only covers a late probe. */
#define NETWORK_TIMEOUT_USEC (2 * USEC_PER_SEC)
/* Appliance defaults (docs/appliance.md): the boot is good after every service has run for
 * 5 s; a service that ignores SIGTERM (a PID 1 in its namespace without a handler) is killed
 * after 5 s, so a reboot does not wait long for it. */
#define APPLIANCE_SETTLE_USEC (5 * USEC_PER_SEC)
#define APPLIANCE_STOP_TIMEOUT_USEC (5 * USEC_PER_SEC)

static const char *arg_services;
static const char *arg_manifest;
static const char *arg_runtime_dir = "/run/mos";
static const char *arg_log_dir;
static const char *arg_status_socket = STATUS_SOCKET_DEFAULT;
static const char *arg_userns_db;
static const char *arg_crun;
static SupervisorSettings arg_settings;

static void help(void) {
        printf("Usage: mosd [--services FILE | --manifest FILE] [OPTIONS]\n"
               "\n"
               "Runs the services of FILE in containers (crun), restarts them by policy, keeps\n"
               "their logs and answers 'mos status'. As PID 1: reaps every process, and powers\n"
               "off on SIGTERM or reboots on SIGINT after stopping the services.\n"
               "Without --services: the appliance (docs/appliance.md): the container targets of\n"
               "the manifest mos-init verified, layers through dm-verity from /store, state on\n"
               "/data/mos, and the boot marked good once every service runs.\n"
               "\n"
               "  --services FILE           the services (JSON, docs/containers.md)\n"
               "  --manifest FILE           the verified manifest (default " APPLIANCE_MANIFEST
               ")\n"
               "  --runtime-dir DIR         bundles and crun state (default /run/mos)\n"
               "  --log-dir DIR             service logs (default /var/log/mos, appliance:\n"
               "                            " APPLIANCE_STATE "/log)\n"
               "  --status-socket PATH      (default " STATUS_SOCKET_DEFAULT ")\n"
               "  --userns-db PATH          user-namespace range record (default\n"
               "                            /var/lib/mos/userns.json, appliance:\n"
               "                            " APPLIANCE_STATE "/userns.json)\n"
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
                ARG_MANIFEST,
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
                { "manifest", required_argument, NULL, ARG_MANIFEST },
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
                case ARG_MANIFEST:
                        arg_manifest = optarg;
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
        if (arg_services && arg_manifest) {
                log_error("--services and --manifest exclude each other. See 'mosd --help'.");
                return -EINVAL;
        }
        if (!arg_services && !arg_manifest)
                arg_manifest = APPLIANCE_MANIFEST;
        if (!arg_log_dir)
                arg_log_dir = arg_manifest ? APPLIANCE_STATE "/log" : "/var/log/mos";
        if (!arg_userns_db)
                arg_userns_db =
                        arg_manifest ? APPLIANCE_STATE "/userns.json" : "/var/lib/mos/userns.json";
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

static int add_config(Supervisor *s, ServiceConfig *c) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = userns_allocate(arg_userns_db, c->userns_group, &c->spec.uid_shift, &error);
        if (r == -EBADMSG || r == -EFBIG)
                return log_error_errno(r, "Invalid user-namespace record '%s': %s", arg_userns_db,
                                       strempty(error));
        if (r < 0)
                return log_error_errno(r,
                                       "Failed to allocate a user-namespace range for '%s' in "
                                       "'%s': %m",
                                       c->userns_group, arg_userns_db);
        log_debug("Service '%s': user namespace group '%s', uids %u..%u.", c->spec.name,
                  c->userns_group, c->spec.uid_shift, c->spec.uid_shift + USERNS_RANGE_SIZE - 1);
        r = supervisor_add_container(s, c->restart, &c->spec);
        if (r < 0)
                return log_error_errno(r, "Failed to add service '%s': %m", c->spec.name);
        return 0;
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

        for (size_t i = 0; i < n && r >= 0; i++)
                r = add_config(s, &configs[i]);
        service_config_free_many(configs, n);
        return r < 0 ? r : 0;
}

/* ---- the appliance (docs/appliance.md) ---- */

static const AppliancePaths appliance_paths = {
        .store = APPLIANCE_STORE,
        .run_dir = "/run/mos",
        .state_dir = APPLIANCE_STATE,
};

static struct {
        char *manifest_data;
        size_t manifest_size;
        Manifest *manifest;
        MountedTarget *mounted;
        size_t n_mounted;
        char **refused; /* services that failed for a trust reason: "name: reason" */
        uint64_t all_running_usec;
        Supervisor *supervisor;
} A;

static uint64_t monotonic_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static const MountedTarget *find_mounted(const char *name) {
        for (size_t i = 0; i < A.n_mounted; i++)
                if (streq(A.mounted[i].name, name))
                        return &A.mounted[i];
        return NULL;
}

/* A trust refusal of one service: kept for the console once the boot has settled. */
static void note_refused(const char *name, const char *reason) {
        _cleanup_free_ char *line = strprintf("service '%s': %s", name, reason);
        if (!line || strv_extend(&A.refused, line) < 0)
                log_oom();
}

static char *check_failure(const char *name, void *userdata) {
        const MountedTarget *m = find_mounted(name);
        char *reason = NULL;

        /* A service that ended badly: was it its own doing, or did dm-verity refuse a block of
         * its image? Then a restart cannot help: failed for good, with that reason. */
        if (!m || appliance_target_corruption(m, &reason) <= 0)
                return NULL;
        note_refused(name, reason);
        return reason;
}

static void on_state_change_appliance(const char *name, ServiceState state, const char *reason,
                                      void *userdata) {
        on_state_change(name, state, reason, userdata);
        if (state != SERVICE_RUNNING || !A.supervisor)
                return;
        for (size_t i = 0; i < supervisor_n_services(A.supervisor); i++) {
                ServiceStatus st;
                if (supervisor_get_status(A.supervisor, i, &st) >= 0 && st.state != SERVICE_RUNNING)
                        return;
        }
        if (A.all_running_usec == 0)
                A.all_running_usec = monotonic_usec();
}

/* What services write is in their logs on /data; a copy goes to the console, line by line,
 * prefixed with the service's name, printable ASCII only and at most 200 characters. */
static struct {
        char name[65];
        char line[201];
        size_t len;
} console_lines[MANIFEST_MAX_TARGETS];

static void on_output(const char *name, const char *buf, size_t n, void *userdata) {
        size_t k;

        for (k = 0; k < ELEMENTSOF(console_lines); k++)
                if (console_lines[k].name[0] == 0 || streq(console_lines[k].name, name))
                        break;
        if (k == ELEMENTSOF(console_lines))
                return;
        if (console_lines[k].name[0] == 0)
                (void) strscpy(console_lines[k].name, sizeof console_lines[k].name, name);
        for (size_t i = 0; i < n; i++) {
                char c = buf[i];
                if (c == '\n' || console_lines[k].len == sizeof console_lines[k].line - 1) {
                        console_lines[k].line[console_lines[k].len] = 0;
                        fprintf(stderr, "%s| %s\n", name, console_lines[k].line);
                        console_lines[k].len = 0;
                        if (c == '\n')
                                continue;
                }
                console_lines[k].line[console_lines[k].len++] = c >= 0x20 && c < 0x7f ? c : '?';
        }
        fflush(stderr);
}

static void print_table(Supervisor *s) {
        _cleanup_(status_reply_freep) StatusReply *reply = NULL;

        if (status_reply_from_supervisor(s, &reply) < 0)
                return;
        fputc('\n', stderr);
        status_reply_print_table(reply, stderr);
        fputc('\n', stderr);
        fflush(stderr);
}

static void run_ready_hook(void) {
        char *argv[] = { (char *) APPLIANCE_READY_HOOK, NULL };
        char *envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        pid_t pid;
        int r;

        /* Only an image built with one has it (tests, the debug image): part of the signed host
         * image like everything else here. Its output goes to the console; the supervisor's
         * reaping collects it. */
        if (access(APPLIANCE_READY_HOOK, X_OK) < 0)
                return;
        r = process_spawn(argv, envp, STDERR_FILENO, &pid);
        if (r < 0)
                log_warning_errno(r, "Failed to run %s: %m", APPLIANCE_READY_HOOK);
        else
                log_info("Running %s (pid %d).", APPLIANCE_READY_HOOK, (int) pid);
}

static void mark_boot_good(void) {
        _cleanup_free_ char *from = NULL, *to = NULL;
        const char *step = NULL;
        int r;

        /* Boot counting first: the entry that booted is good. Then the record for the next
         * mos-init to move the TPM's minimum release (docs/tpm.md, "Counters"). */
        r = appliance_bless_boot(appliance_paths.run_dir, &from, &to, &step);
        if (r > 0)
                log_info("Boot counting: %s is good, renamed to %s.", from, to);
        else if (r == 0)
                log_info("Boot counting: the boot loader reports no counted entry; nothing to "
                         "rename.");
        else
                log_warning_errno(r, "Boot counting: failed %s: %m", strempty(step));

        r = appliance_record_good_release(APPLIANCE_CONFIG, A.manifest_data, A.manifest_size,
                                          A.manifest->release);
        if (r < 0)
                log_warning_errno(r, "Failed to record release %" PRIu64 " as good in %s/%s: %m",
                                  A.manifest->release, APPLIANCE_CONFIG, GOOD_RELEASE_FILE);
        else
                log_info("Release %" PRIu64 " recorded as booted good in %s/%s.",
                         A.manifest->release, APPLIANCE_CONFIG, GOOD_RELEASE_FILE);
        sync();
}

static void on_settled(void *userdata) {
        Supervisor *s = A.supervisor;
        uint64_t t = monotonic_usec();

        print_table(s);
        if (!supervisor_boot_is_good(s)) {
                /* The markers `mos vm run` decides on (docs/vm.md): a refusal names each
                 * service stopped for a trust reason; the others keep running. */
                for (char **l = A.refused; l && *l; l++)
                        log_error("refused: %s", *l);
                if (!A.refused || !A.refused[0])
                        log_error("not ready: some services failed (see the table above).");
                return;
        }
        mark_boot_good();
        log_info("ready: %zu service(s) running since %" PRIu64 ".%03" PRIu64
                 " s, boot good at %" PRIu64 ".%03" PRIu64 " s (since the kernel started).",
                 supervisor_n_services(s), A.all_running_usec / USEC_PER_SEC,
                 A.all_running_usec % USEC_PER_SEC / USEC_PER_MSEC, t / USEC_PER_SEC,
                 t % USEC_PER_SEC / USEC_PER_MSEC);
        run_ready_hook();
}

static void setup_network(void) {
        _cleanup_(netconf_freep) Netconf *c = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = netconf_loopback_up();
        if (r < 0)
                log_warning_errno(r, "Failed to bring up lo: %m");
        r = netconf_load(NETCONF_PATH, &c, &error);
        if (r == -ENOENT) {
                log_info("Network: lo only (no %s in the host image).", NETCONF_PATH);
                return;
        }
        if (r < 0) {
                log_error_errno(r, "Invalid %s: %s", NETCONF_PATH, error ?: strerror(-r));
                return;
        }
        for (size_t i = 0; i < c->n_interfaces; i++) {
                const NetconfInterface *ni = &c->interfaces[i];
                const char *step = NULL;
                char addr[32] = "?", gw[16] = "";

                (void) netconf_format_address(ni, addr, sizeof addr);
                if (ni->gateway.s_addr != INADDR_ANY)
                        (void) inet_ntop(AF_INET, &ni->gateway, gw, sizeof gw);
                r = netconf_apply_interface(ni, NETWORK_TIMEOUT_USEC, &step);
                if (r == -ENODEV)
                        log_error("Network: %s %s: no such interface (waited %" PRIu64 " s).",
                                  ni->name, addr, NETWORK_TIMEOUT_USEC / USEC_PER_SEC);
                else if (r < 0)
                        log_error_errno(r, "Network: %s %s: failed %s: %m", ni->name, addr,
                                        strempty(step));
                else
                        log_info("Network: %s %s%s%s, up.", ni->name, addr, *gw ? " via " : "", gw);
        }
}

static int load_manifest(void) {
        _cleanup_free_ char *error = NULL;
        int r;

        /* The bytes mos-init verified (signature, chain, product, release) and wrote to /run
         * before the hand-over: nothing else ran since, and /run is a tmpfs. mosd never reads
         * the configuration partition's copy. */
        r = read_full_file(arg_manifest, MANIFEST_MAX_SIZE, &A.manifest_data, &A.manifest_size);
        if (r < 0)
                return log_error_errno(r, "refused: cannot read the verified manifest %s: %m",
                                       arg_manifest);
        r = manifest_parse(A.manifest_data, A.manifest_size, &A.manifest, &error);
        if (r < 0)
                return log_error_errno(r, "refused: the verified manifest %s does not parse: %s",
                                       arg_manifest, error ?: strerror(-r));
        return 0;
}

static int add_appliance_services(Supervisor *s) {
        _cleanup_free_ char *volumes = appliance_volumes_dir(&appliance_paths);
        int r;

        if (!volumes)
                return log_oom();
        A.mounted = calloc(A.manifest->n_targets ?: 1, sizeof(MountedTarget));
        if (!A.mounted)
                return log_oom();

        for (size_t i = 0; i < A.manifest->n_targets; i++) {
                const ManifestTarget *t = &A.manifest->targets[i];
                _cleanup_(service_config_done) ServiceConfig c = {};
                _cleanup_free_ char *reason = NULL;
                MountedTarget m = {};

                if (t->type != TARGET_CONTAINER && t->type != TARGET_FS_ONLY)
                        continue;
                r = appliance_mount_target(&appliance_paths, t, &m, &reason);
                if (r < 0) {
                        /* Every mount failure is about the image the manifest names (missing,
                         * other size, a block that does not match): a trust refusal. */
                        log_error("Target '%s' (%s): %s.", t->name, target_type_to_string(t->type),
                                  strempty(reason));
                        note_refused(t->name, strempty(reason));
                        if (supervisor_add_failed(s, t->name, strempty(reason)) < 0)
                                return log_oom();
                        continue;
                }
                A.mounted[A.n_mounted++] = m;
                if (t->type == TARGET_FS_ONLY) {
                        log_info("Target '%s' (fs-only): %zu layer(s) through dm-verity, read-only "
                                 "on %s.",
                                 t->name, m.n_layers, m.root);
                        continue;
                }
                log_info("Target '%s' (container, %s): %zu layer(s) through dm-verity on %s.",
                         t->name, strempty(t->image.reference), m.n_layers, m.root);
                r = service_config_from_manifest(t, m.root, volumes, &c);
                if (r < 0) {
                        _cleanup_free_ char *why =
                                strprintf("cannot make a container of it: %s", strerror(-r));
                        log_error("Target '%s': %s.", t->name, strempty(why));
                        if (supervisor_add_failed(s, t->name, strempty(why)) < 0)
                                return log_oom();
                        continue;
                }
                r = add_config(s, &c);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void appliance_shutdown(void) {
        for (size_t i = A.n_mounted; i > 0; i--)
                appliance_unmount_target(&appliance_paths, &A.mounted[i - 1]);
        sync();
        /* The data volume: unmounted (or at least read-only) so the next boot finds a clean
         * file system. */
        if (umount2("/data", 0) < 0 &&
            mount(NULL, "/data", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                log_debug_errno(errno, "Failed to unmount /data: %m");
}

static void appliance_free(void) {
        for (size_t i = 0; i < A.n_mounted; i++)
                mounted_target_done(&A.mounted[i]);
        free(A.mounted);
        free(A.manifest_data);
        manifest_free(A.manifest);
        strv_free(A.refused);
        A = (typeof(A)){};
}

static int run(int *ret_signal, bool pid1) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_close_ int status_fd = -1;
        SupervisorSettings settings = arg_settings;
        int r, sig = 0;

        settings.log_dir = arg_log_dir;
        settings.runtime_dir = arg_runtime_dir;
        settings.crun = arg_crun;
        settings.boot_good = on_boot_good;
        settings.state_changed = on_state_change;

        if (arg_manifest) {
                const char *step = NULL;

                log_info("MachineOS host: starting the services of the verified manifest.");
                if (pid1) {
                        r = appliance_setup_pid1(&step);
                        if (r < 0)
                                return log_error_errno(r, "refused: failed %s: %m", step);
                }
                r = load_manifest();
                if (r < 0)
                        return r;
                r = mkdir_p(arg_log_dir, 0755);
                if (r < 0)
                        return log_error_errno(
                                r, "refused: cannot create %s on the data volume: %m", arg_log_dir);
                /* The host's network is the appliance's: only PID 1 of the host image
                 * configures it (never a mosd started by hand on a build machine). */
                if (pid1)
                        setup_network();
                if (settings.settle_usec == 0)
                        settings.settle_usec = APPLIANCE_SETTLE_USEC;
                if (settings.stop_timeout_usec == 0)
                        settings.stop_timeout_usec = APPLIANCE_STOP_TIMEOUT_USEC;
                settings.state_changed = on_state_change_appliance;
                settings.check_failure = check_failure;
                settings.settled = on_settled;
                settings.output = on_output;
        }

        r = supervisor_new(&settings, &s);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to set up the supervisor (log directory '%s'): %m", arg_log_dir);
        if (arg_manifest) {
                A.supervisor = s; /* for the callbacks */
                r = add_appliance_services(s);
        } else
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
                r = run(&sig, pid1);
        if (arg_manifest) {
                if (pid1)
                        appliance_shutdown();
                appliance_free();
        }
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
