/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* OCI bundles for crun. Field names and meanings: opencontainers/runtime-spec v1.0.2, config.md
 * ("Root", "Mounts", "Process", "Hostname") and config-linux.md ("Namespaces", "User namespace
 * mappings", "Masked Paths", "Readonly Paths", "Seccomp"). crun's command line: crun(1). */

#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "path-util.h"
#include "process.h"
#include "string-util.h"
#include "strv.h"
#include "userns.h"

/* CAP_NET_BIND_SERVICE alone: a service may listen on ports below 1024 (a web server on 80),
 * which needs no other privilege. Everything else that the usual runtime defaults grant
 * (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID, KILL, ...) lets a process cross file or user
 * boundaries inside its container, which an appliance service built for it does not need.
 * docs/containers.md has the list of what was left out and why. */
const char *const CONTAINER_CAPABILITIES[] = {
        "CAP_NET_BIND_SERVICE",
        NULL,
};

/* The paths runc, crun and podman mask (bind /dev/null or an empty tmpfs over them) or make
 * read-only by default: kernel memory, keys, timers and hardware knobs a container has no
 * business reading or writing. */
static const char *const masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        NULL,
};
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* The seccomp deny list (docs/containers.md): everything is allowed except these, which fail
 * with EPERM. They reach kernel surfaces a service never needs: keyrings, BPF, perf, module
 * loading, kexec, mounting and namespace games, swapping, the clock, io_uring, ptrace. */
static const char *const seccomp_denied[] = {
        "acct",
        "add_key",
        "bpf",
        "clock_adjtime",
        "clock_settime",
        "delete_module",
        "finit_module",
        "fsconfig",
        "fsmount",
        "fsopen",
        "fspick",
        "init_module",
        "io_uring_enter",
        "io_uring_register",
        "io_uring_setup",
        "ioperm",
        "iopl",
        "kexec_file_load",
        "kexec_load",
        "keyctl",
        "lookup_dcookie",
        "mount",
        "mount_setattr",
        "move_mount",
        "name_to_handle_at",
        "open_by_handle_at",
        "open_tree",
        "perf_event_open",
        "pivot_root",
        "ptrace",
        "quotactl",
        "reboot",
        "request_key",
        "setns",
        "settimeofday",
        "swapoff",
        "swapon",
        "syslog",
        "umount2",
        "unshare",
        "userfaultfd",
        "vhangup",
        NULL,
};

/* clone() with any of these flags would make new namespaces (a fresh user namespace is the
 * usual first step of a kernel exploit): refused per flag, since seccomp cannot test "any bit of
 * a mask". clone3() passes its flags in memory seccomp cannot read: it fails with ENOSYS, and
 * the C library falls back to clone(). */
static const unsigned long clone_namespace_flags[] = {
        0x00020000UL, /* CLONE_NEWNS */
        0x02000000UL, /* CLONE_NEWCGROUP */
        0x04000000UL, /* CLONE_NEWUTS */
        0x08000000UL, /* CLONE_NEWIPC */
        0x10000000UL, /* CLONE_NEWUSER */
        0x20000000UL, /* CLONE_NEWPID */
        0x40000000UL, /* CLONE_NEWNET */
        0x00000080UL, /* CLONE_NEWTIME */
};

const char *container_network_to_string(ContainerNetwork n) {
        switch (n) {
        case CONTAINER_NETWORK_NONE:
                return "none";
        case CONTAINER_NETWORK_HOST:
                return "host";
        }
        return NULL;
}

int container_network_from_string(const char *s, ContainerNetwork *ret) {
        if (streq_ptr(s, "none"))
                *ret = CONTAINER_NETWORK_NONE;
        else if (streq_ptr(s, "host"))
                *ret = CONTAINER_NETWORK_HOST;
        else
                return -EINVAL;
        return 0;
}

void container_spec_done(ContainerSpec *s) {
        free(s->name);
        free(s->rootfs);
        strv_free(s->args);
        strv_free(s->env);
        free(s->cwd);
        for (size_t i = 0; i < s->n_volumes; i++) {
                free(s->volumes[i].source);
                free(s->volumes[i].destination);
        }
        free(s->volumes);
        *s = (ContainerSpec){};
}

/* "/" or "/a/b": absolute, no empty, "." or ".." component, no trailing slash. */
static bool path_is_normalized_absolute(const char *p) {
        if (!p || p[0] != '/')
                return false;
        return p[1] == '\0' || path_is_safe_relative(p + 1);
}

static bool path_is_at_or_below(const char *p, const char *dir) {
        const char *rest = startswith(p, dir);
        return rest && (*rest == '\0' || *rest == '/');
}

static bool env_entry_is_valid(const char *e) {
        const char *eq = strchr(e, '=');

        if (!eq || eq == e)
                return false;
        for (const char *c = e; c < eq; c++) {
                bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || *c == '_' ||
                          (c > e && *c >= '0' && *c <= '9');
                if (!ok)
                        return false;
        }
        return true;
}

#define SPEC_ERROR(...)                                                                            \
        ({                                                                                         \
                if (ret_error)                                                                     \
                        *ret_error = strprintf(__VA_ARGS__);                                       \
                -EBADMSG;                                                                          \
        })

int container_spec_validate(const ContainerSpec *s, char **ret_error) {
        if (!userns_group_name_is_valid(s->name))
                return SPEC_ERROR("name '%s': expected 1..64 characters of [A-Za-z0-9_.-], "
                                  "starting with a letter or digit",
                                  strempty(s->name));
        if (!path_is_normalized_absolute(s->rootfs) || streq(s->rootfs, "/"))
                return SPEC_ERROR("rootfs '%s': expected a normalized absolute path below /",
                                  strempty(s->rootfs));
        if (strv_length(s->args) == 0 || isempty(s->args[0]))
                return SPEC_ERROR("args: expected a non-empty command");
        for (char **e = s->env; e && *e; e++)
                if (!env_entry_is_valid(*e))
                        return SPEC_ERROR("env '%s': expected KEY=value with KEY of letters, "
                                          "digits and '_'",
                                          *e);
        if (s->cwd && !path_is_normalized_absolute(s->cwd))
                return SPEC_ERROR("cwd '%s': expected a normalized absolute path", s->cwd);
        if (s->uid >= USERNS_RANGE_SIZE || s->gid >= USERNS_RANGE_SIZE)
                return SPEC_ERROR("user %u:%u: expected ids below %u", s->uid, s->gid,
                                  USERNS_RANGE_SIZE);
        /* Never map onto the host's own accounts (0..65535), never wrap. */
        if (s->uid_shift < USERNS_RANGE_SIZE || s->uid_shift > UINT32_MAX - USERNS_RANGE_SIZE)
                return SPEC_ERROR("uid_shift %u: expected %u..%u", s->uid_shift, USERNS_RANGE_SIZE,
                                  UINT32_MAX - USERNS_RANGE_SIZE);
        if (!container_network_to_string(s->network))
                return SPEC_ERROR("network: expected none or host");

        for (size_t i = 0; i < s->n_volumes; i++) {
                const ContainerVolume *v = &s->volumes[i];

                if (v->source && (!path_is_normalized_absolute(v->source) || streq(v->source, "/")))
                        return SPEC_ERROR("volume source '%s': expected a normalized absolute "
                                          "path below /",
                                          strempty(v->source));
                if (!path_is_normalized_absolute(v->destination) || streq(v->destination, "/") ||
                    path_is_at_or_below(v->destination, "/proc") ||
                    path_is_at_or_below(v->destination, "/sys") ||
                    path_is_at_or_below(v->destination, "/dev"))
                        return SPEC_ERROR("volume destination '%s': expected a normalized "
                                          "absolute path, not /, /proc, /sys or /dev",
                                          strempty(v->destination));
                for (size_t j = 0; j < i; j++)
                        if (streq(s->volumes[j].destination, v->destination))
                                return SPEC_ERROR("volume destination '%s' is used twice",
                                                  v->destination);
        }
        return 0;
}

/* ---- config.json ---- */

static json_t *json_string_array(const char *const *l) {
        json_t *a = json_array();

        for (; a && l && *l; l++)
                if (json_array_append_new(a, json_string(*l)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *mount_new(const char *destination, const char *type, const char *source,
                         const char *const *options) {
        return json_pack("{s:s,s:s,s:s,s:o}", "destination", destination, "type", type, "source",
                         source, "options", json_string_array(options));
}

static int append_mount(json_t *mounts, json_t *m) {
        if (!m || json_array_append_new(mounts, m) < 0)
                return -ENOMEM;
        return 0;
}

static json_t *build_mounts(const ContainerSpec *s) {
        _cleanup_json_ json_t *mounts = json_array();
        int r = 0;

        if (!mounts)
                return NULL;
        /* The minimal /dev: a small tmpfs in which crun creates (or, in a user namespace,
         * bind-mounts) its standard nodes: null, zero, full, random, urandom, tty. */
        r = r
                    ?: append_mount(mounts, mount_new("/proc", "proc", "proc",
                                                      (const char *const[]){ "nosuid", "noexec",
                                                                             "nodev", NULL }));
        r = r
                    ?: append_mount(mounts, mount_new("/dev", "tmpfs", "tmpfs",
                                                      (const char *const[]){
                                                              "nosuid", "noexec", "strictatime",
                                                              "mode=755", "size=1m", NULL }));
        r = r
                    ?: append_mount(mounts, mount_new("/dev/shm", "tmpfs", "shm",
                                                      (const char *const[]){ "nosuid", "noexec",
                                                                             "nodev", "mode=1777",
                                                                             "size=64m", NULL }));
        r = r
                    ?: append_mount(mounts,
                                    mount_new("/sys", "sysfs", "sysfs",
                                              (const char *const[]){ "nosuid", "noexec", "nodev",
                                                                     "ro", NULL }));
        r = r
                    ?: append_mount(mounts,
                                    mount_new("/tmp", "tmpfs", "tmpfs",
                                              (const char *const[]){ "nosuid", "nodev", "mode=1777",
                                                                     "size=64m", NULL }));
        r = r
                    ?: append_mount(mounts,
                                    mount_new("/run", "tmpfs", "tmpfs",
                                              (const char *const[]){ "nosuid", "nodev", "mode=755",
                                                                     "size=16m", NULL }));
        for (size_t i = 0; r == 0 && i < s->n_volumes; i++) {
                const ContainerVolume *v = &s->volumes[i];
                const char *access = v->read_only ? "ro" : "rw";
                _cleanup_free_ char *size = NULL, *uid = NULL, *gid = NULL;

                if (v->source) {
                        /* "rbind" makes crun bind-mount; "rprivate" keeps the container's mounts
                         * from propagating back to the host. */
                        r = append_mount(mounts, mount_new(v->destination, "bind", v->source,
                                                           (const char *const[]){
                                                                   "rbind", "rprivate", "nosuid",
                                                                   "nodev", access, NULL }));
                        continue;
                }
                /* A tmpfs owned by the service's user (ids as seen inside: tmpfs maps them
                 * through the user namespace that mounts it). */
                size = strprintf("size=%" PRIu64, v->size ?: CONTAINER_TMPFS_VOLUME_SIZE);
                uid = strprintf("uid=%u", s->uid);
                gid = strprintf("gid=%u", s->gid);
                if (!size || !uid || !gid)
                        return NULL;
                r = append_mount(mounts,
                                 mount_new(v->destination, "tmpfs", "tmpfs",
                                           (const char *const[]){ "nosuid", "nodev", "mode=700",
                                                                  size, uid, gid, access, NULL }));
        }
        return r < 0 ? NULL : TAKE_PTR(mounts);
}

static json_t *build_capabilities(const ContainerSpec *s) {
        const char *const *passed_on =
                s->uid == 0 ? (const char *const[]){ NULL } : CONTAINER_CAPABILITIES;

        /* A process that runs as uid 0 keeps its permitted set across execve(); any other uid
         * loses it unless the capabilities are ambient, which the kernel only allows for
         * capabilities that are also inheritable. no_new_privs makes inheritable bits inert
         * for file capabilities. */
        return json_pack("{s:o,s:o,s:o,s:o,s:o}", "bounding",
                         json_string_array(CONTAINER_CAPABILITIES), "effective",
                         json_string_array(CONTAINER_CAPABILITIES), "permitted",
                         json_string_array(CONTAINER_CAPABILITIES), "inheritable",
                         json_string_array(passed_on), "ambient", json_string_array(passed_on));
}

static json_t *build_process(const ContainerSpec *s) {
        _cleanup_strv_free_ char **env = NULL;
        bool has_path = false;

        for (char **e = s->env; e && *e; e++) {
                if (startswith(*e, "PATH="))
                        has_path = true;
                if (strv_extend(&env, *e) < 0)
                        return NULL;
        }
        if (!has_path && strv_extend(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                           "/usr/bin:/sbin:/bin") < 0)
                return NULL;

        return json_pack("{s:b,s:{s:I,s:I},s:o,s:o,s:s,s:o,s:b}", "terminal", 0, "user", "uid",
                         (json_int_t) s->uid, "gid", (json_int_t) s->gid, "args",
                         json_string_array((const char *const *) s->args), "env",
                         json_string_array((const char *const *) env), "cwd", s->cwd ?: "/",
                         "capabilities", build_capabilities(s), "noNewPrivileges", 1);
}

static json_t *build_seccomp(void) {
        _cleanup_json_ json_t *rules = NULL;

        rules = json_pack("[{s:o,s:s,s:i},{s:[s],s:s,s:i}]", "names",
                          json_string_array(seccomp_denied), "action", "SCMP_ACT_ERRNO", "errnoRet",
                          EPERM, "names", "clone3", "action", "SCMP_ACT_ERRNO", "errnoRet", ENOSYS);
        if (!rules)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(clone_namespace_flags); i++) {
                json_int_t f = (json_int_t) clone_namespace_flags[i];
                /* (flags & f) == f: the flag is set. */
                if (json_array_append_new(
                            rules, json_pack("{s:[s],s:s,s:i,s:[{s:i,s:I,s:I,s:s}]}", "names",
                                             "clone", "action", "SCMP_ACT_ERRNO", "errnoRet", EPERM,
                                             "args", "index", 0, "value", f, "valueTwo", f, "op",
                                             "SCMP_CMP_MASKED_EQ")) < 0)
                        return NULL;
        }
        return json_pack("{s:s,s:O}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls", rules);
}

static json_t *build_linux(const ContainerSpec *s) {
        _cleanup_json_ json_t *namespaces = NULL;
        static const char *const types[] = { "pid", "ipc", "uts", "mount", "user", "cgroup" };

        namespaces = json_array();
        if (!namespaces)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (json_array_append_new(namespaces, json_pack("{s:s}", "type", types[i])) < 0)
                        return NULL;
        /* No "network" entry means the host's network namespace (config-linux.md,
         * "Namespaces"): a new one holds only lo, which crun brings up. */
        if (s->network == CONTAINER_NETWORK_NONE &&
            json_array_append_new(namespaces, json_pack("{s:s}", "type", "network")) < 0)
                return NULL;

        return json_pack("{s:[{s:I,s:I,s:I}],s:[{s:I,s:I,s:I}],s:O,s:o,s:o,s:o}", "uidMappings",
                         "containerID", (json_int_t) 0, "hostID", (json_int_t) s->uid_shift, "size",
                         (json_int_t) USERNS_RANGE_SIZE, "gidMappings", "containerID",
                         (json_int_t) 0, "hostID", (json_int_t) s->uid_shift, "size",
                         (json_int_t) USERNS_RANGE_SIZE, "namespaces", namespaces, "maskedPaths",
                         json_string_array(masked_paths), "readonlyPaths",
                         json_string_array(readonly_paths), "seccomp", build_seccomp());
}

int container_build_config(const ContainerSpec *s, json_t **ret) {
        json_t *config;

        /* json_pack's "o" steals the reference and fails (freeing it) on NULL, so a failed
         * builder anywhere below makes the whole pack fail without leaks. */
        config = json_pack("{s:s,s:o,s:{s:s,s:b},s:s,s:o,s:o}", "ociVersion", CONTAINER_OCI_VERSION,
                           "process", build_process(s), "root", "path", s->rootfs, "readonly",
                           !s->writable_root, "hostname", s->name, "mounts", build_mounts(s),
                           "linux", build_linux(s));
        if (!config)
                return -ENOMEM;
        *ret = config;
        return 0;
}

/* ---- host-side preparation ---- */

/* Creates every missing directory of the relative path rel below dir_fd, never following a
 * symlink (an O_NOFOLLOW open of each component). The last component is made with last_mode
 * and, when created here and uid != (uid_t) -1, given to uid:gid. Returns 1 when the last
 * component was created, 0 when it existed. */
static int mkdir_beneath(int dir_fd, const char *rel, mode_t last_mode, uid_t uid, gid_t gid) {
        _cleanup_free_ char *copy = strdup(rel);
        _cleanup_close_ int fd = -1;
        char *p, *next;
        int created = 0;

        if (!copy)
                return -ENOMEM;
        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;

        for (p = copy; p; p = next) {
                bool last;
                int nfd;

                next = strchr(p, '/');
                if (next)
                        *next++ = '\0';
                last = !next;

                created = 0;
                if (mkdirat(fd, p, last ? last_mode : 0755) >= 0)
                        created = 1;
                else if (errno != EEXIST)
                        return -errno;

                nfd = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0)
                        return errno == ENOTDIR || errno == ELOOP ? -ENOTDIR : -errno;
                if (created && last && uid != (uid_t) -1 &&
                    fchownat(nfd, "", uid, gid, AT_EMPTY_PATH) < 0) {
                        int e = -errno;
                        safe_close(nfd);
                        return e;
                }
                safe_close(fd);
                fd = nfd;
        }
        return created;
}

int container_prepare(const ContainerSpec *s) {
        static const char *const runtime_mounts[] = { "proc", "dev", "sys", "tmp", "run" };
        _cleanup_close_ int root_fd = -1, host_fd = -1;
        int r;

        root_fd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return log_debug_errno(errno, "Failed to open rootfs '%s': %m", s->rootfs);

        for (size_t i = 0; i < ELEMENTSOF(runtime_mounts); i++) {
                r = mkdir_beneath(root_fd, runtime_mounts[i], 0755, (uid_t) -1, (gid_t) -1);
                if (r < 0)
                        return log_debug_errno(r, "Failed to create mount point '/%s' in '%s': %m",
                                               runtime_mounts[i], s->rootfs);
        }

        host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (host_fd < 0)
                return -errno;
        for (size_t i = 0; i < s->n_volumes; i++) {
                const ContainerVolume *v = &s->volumes[i];

                r = mkdir_beneath(root_fd, v->destination + 1, 0755, (uid_t) -1, (gid_t) -1);
                if (r < 0)
                        return log_debug_errno(r, "Failed to create mount point '%s' in '%s': %m",
                                               v->destination, s->rootfs);
                if (!v->source)
                        continue; /* a tmpfs */
                r = mkdir_beneath(host_fd, v->source + 1, 0700, s->uid_shift + s->uid,
                                  s->uid_shift + s->gid);
                if (r < 0)
                        return log_debug_errno(r, "Failed to create volume '%s': %m", v->source);
                if (r > 0)
                        log_debug("Created volume '%s' for %u:%u.", v->source,
                                  s->uid_shift + s->uid, s->uid_shift + s->gid);
        }
        return 0;
}

int container_write_bundle(const ContainerSpec *s, const char *bundle_dir) {
        _cleanup_json_ json_t *config = NULL;
        _cleanup_free_ char *text = NULL, *path = NULL;
        _cleanup_close_ int host_fd = -1;
        size_t size;
        int r;

        if (!path_is_normalized_absolute(bundle_dir) || streq(bundle_dir, "/"))
                return -EINVAL;

        r = container_build_config(s, &config);
        if (r < 0)
                return r;
        r = json_dump_canonical(config, &text, &size);
        if (r < 0)
                return r;

        host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (host_fd < 0)
                return -errno;
        r = mkdir_beneath(host_fd, bundle_dir + 1, 0700, (uid_t) -1, (gid_t) -1);
        if (r < 0)
                return log_debug_errno(r, "Failed to create bundle '%s': %m", bundle_dir);

        path = path_join(bundle_dir, "config.json");
        if (!path)
                return -ENOMEM;
        return write_file_atomic(path, text, size, 0600, 0);
}

/* ---- crun ---- */

static const char *runtime_crun(const ContainerRuntime *rt) {
        return rt->crun ?: "/usr/bin/crun";
}

/* crun gets a fixed, minimal environment: nothing of mosd's leaks into it. */
static char *const crun_env[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

/* crun's global options: the state directory and the cgroup manager (crun(1)). */
static int crun_argv(const ContainerRuntime *rt, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *cgroup = NULL;

        if (!rt->state_dir || rt->state_dir[0] != '/')
                return -EINVAL;
        cgroup = strjoin("--cgroup-manager=", rt->cgroup_manager ?: "disabled");
        if (!cgroup)
                return -ENOMEM;
        if (strv_extend(&argv, runtime_crun(rt)) < 0 || strv_extend(&argv, "--root") < 0 ||
            strv_extend(&argv, rt->state_dir) < 0 || strv_extend(&argv, cgroup) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(argv);
        return 0;
}

int container_run_argv(const ContainerRuntime *rt, const char *name, const char *bundle_dir,
                       char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        r = crun_argv(rt, &argv);
        if (r < 0)
                return r;
        if (strv_extend(&argv, "run") < 0 || strv_extend(&argv, "--bundle") < 0 ||
            strv_extend(&argv, bundle_dir) < 0 || strv_extend(&argv, name) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(argv);
        return 0;
}

int container_start(const ContainerRuntime *rt, const char *name, const char *bundle_dir,
                    int out_fd, pid_t *ret_pid) {
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        r = container_run_argv(rt, name, bundle_dir, &argv);
        if (r < 0)
                return r;
        return process_spawn(argv, crun_env, out_fd, ret_pid);
}

static int crun_sync(const ContainerRuntime *rt, const char *const *args) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *output = NULL, *how = NULL;
        int r, status;

        r = crun_argv(rt, &argv);
        if (r < 0)
                return r;
        for (; *args; args++)
                if (strv_extend(&argv, *args) < 0)
                        return -ENOMEM;

        r = process_run(argv, crun_env, 4096, &output, &status);
        if (r < 0)
                return log_debug_errno(r, "Failed to run %s: %m", argv[0]);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        how = process_describe_status(status);
        log_debug("crun %s %s: %s", argv[4], strempty(argv[5]), strempty(how));
        log_debug("crun: %s", strip_trailing_newlines(output));
        return -EIO;
}

int container_kill(const ContainerRuntime *rt, const char *name, int sig) {
        char signo[16];

        (void) snprintf(signo, sizeof(signo), "%d", sig);
        return crun_sync(rt, (const char *const[]){ "kill", name, signo, NULL });
}

int container_delete(const ContainerRuntime *rt, const char *name) {
        _cleanup_free_ char *state = NULL;

        if (!userns_group_name_is_valid(name))
                return -EINVAL;
        /* crun keeps one directory per container below --root: no directory, no container. */
        state = path_join(rt->state_dir, name);
        if (!state)
                return -ENOMEM;
        if (access(state, F_OK) < 0)
                return errno == ENOENT ? 0 : -errno;
        return crun_sync(rt, (const char *const[]){ "delete", "--force", name, NULL });
}
