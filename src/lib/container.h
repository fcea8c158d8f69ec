/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Containers run by crun (docs/containers.md).
 *
 * From a ContainerSpec this module writes an OCI runtime-spec 1.0 bundle (config.json, canonical
 * JSON, written atomically) and drives crun: `crun run` is what a supervisor spawns and waits
 * for (its exit status is the service's), `crun kill` and `crun delete --force` stop and clean
 * up. crun is started with an explicit argv (never a shell) and its own --root state directory.
 *
 * What every container gets, not negotiable by the spec: its own user, pid, ipc, uts, mount and
 * cgroup namespaces; no_new_privs; the capability set CONTAINER_CAPABILITIES; the seccomp deny
 * list of docs/containers.md; /proc, a minimal /dev (tmpfs with crun's standard device nodes and
 * /dev/shm), /sys read-only, tmpfs /tmp and /run; the masked and read-only paths other runtimes
 * use. What the spec chooses: the command, environment, working directory, user, the uid/gid
 * shift of its user namespace, network none (own network namespace with only lo, up) or host,
 * bind-mounted volumes, and whether the root stays writable (read-only by default). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

/* The OCI runtime-spec version the bundles declare (config.md, "Specification version"). */
#define CONTAINER_OCI_VERSION "1.0.2"

typedef enum ContainerNetwork {
        CONTAINER_NETWORK_NONE, /* own network namespace: only lo */
        CONTAINER_NETWORK_HOST, /* the host's network namespace */
} ContainerNetwork;

const char *container_network_to_string(ContainerNetwork n);
int container_network_from_string(const char *s, ContainerNetwork *ret);

typedef struct ContainerVolume {
        char *source;      /* absolute host path (a directory on the data volume); NULL: a
                              tmpfs private to the container (a non-persistent volume) */
        char *destination; /* absolute path inside the container */
        bool read_only;
        uint64_t size; /* tmpfs volumes: bytes, 0 means CONTAINER_TMPFS_VOLUME_SIZE */
} ContainerVolume;

#define CONTAINER_TMPFS_VOLUME_SIZE (UINT64_C(64) * 1024 * 1024)

typedef struct ContainerSpec {
        char *name;   /* the crun container id; userns_group_name_is_valid() rules */
        char *rootfs; /* absolute host path: the mounted image (layers + overlay), by the caller */
        char **args;  /* args[0] is an absolute path inside the rootfs */
        char **env;   /* "KEY=value"; PATH gets a default when missing */
        char *cwd;    /* absolute, NULL means "/" */
        uint32_t uid, gid;  /* inside the container, < USERNS_RANGE_SIZE */
        uint32_t uid_shift; /* first host uid/gid of the range (userns.h), >= USERNS_FIRST_BASE */
        ContainerNetwork network;
        ContainerVolume *volumes;
        size_t n_volumes;
        bool writable_root; /* false: the root file system is mounted read-only */
} ContainerSpec;

void container_spec_done(ContainerSpec *s);

/* Checks what the OCI runtime and the kernel would otherwise reject late, or what would let a
 * spec escape its bundle: names, absolute and normalized paths, volume destinations not over
 * the runtime's own mounts, env syntax (config.md: KEY made of letters, digits and '_'), id
 * ranges. -EBADMSG with a one-line *ret_error (may be NULL) naming the field. */
int container_spec_validate(const ContainerSpec *s, char **ret_error);

/* The OCI config.json object for s (config.md, config-linux.md). s must be valid. */
int container_build_config(const ContainerSpec *s, json_t **ret);

/* Host-side preparation before the first start, as real root (the container's own root cannot
 * create anything in an image owned by host uid 0):
 *   - the mount points the runtime needs (/proc, /dev, /sys, /tmp, /run and every volume
 *     destination) exist in the rootfs; created with mkdirat() component by component without
 *     following symlinks, so an image cannot point them outside its rootfs;
 *   - every volume source exists; a missing one is created mode 0700 and owned by the
 *     container's user as seen from the host (uid_shift + uid), so only that service's user
 *     namespace group can read it. Existing volumes are left as they are. */
int container_prepare(const ContainerSpec *s);

/* Writes <bundle_dir>/config.json (creating bundle_dir, mode 0700). */
int container_write_bundle(const ContainerSpec *s, const char *bundle_dir);

/* How crun is run. */
typedef struct ContainerRuntime {
        const char *crun;           /* absolute path, default /usr/bin/crun */
        const char *state_dir;      /* crun --root, absolute */
        const char *cgroup_manager; /* crun --cgroup-manager, default "disabled" */
} ContainerRuntime;

/* The argv of `crun ... run --bundle BUNDLE NAME`, for a supervisor to spawn. */
int container_run_argv(const ContainerRuntime *rt, const char *name, const char *bundle_dir,
                       char ***ret);
/* Spawns `crun run` for the bundle with stdout + stderr on out_fd and a fixed minimal
 * environment; the caller reaps *ret_pid, whose exit status is the container process's. */
int container_start(const ContainerRuntime *rt, const char *name, const char *bundle_dir,
                    int out_fd, pid_t *ret_pid);
/* `crun kill NAME SIG`; -EIO when crun refuses (the container does not exist (yet)...), with
 * crun's message in the debug log. */
int container_kill(const ContainerRuntime *rt, const char *name, int sig);
/* `crun delete --force NAME`: removes a (possibly still running) container left over from an
 * earlier run; a container that does not exist is not an error. */
int container_delete(const ContainerRuntime *rt, const char *name);

/* The capabilities every container process gets (bounding, effective, permitted; inheritable
 * and ambient too when the process does not run as uid 0, so a non-root service keeps them).
 * Why these: docs/containers.md. */
extern const char *const CONTAINER_CAPABILITIES[];
