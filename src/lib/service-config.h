/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The services mosd runs, as read from a JSON file (docs/containers.md, "Services file"). This
 * is mosd's input until it reads the verified manifest's container targets instead; the fields
 * mirror what a manifest target says about a service.
 *
 *   {"services":[{"name":"web","rootfs":"/run/mos/rootfs/web","command":["/bin/httpd","-f"],
 *                 "environment":["A=b"],"working_directory":"/","user":0,"group":0,
 *                 "userns_group":"web","network":"none","writable_root":false,
 *                 "restart":"on-failure",
 *                 "volumes":[{"source":"/data/volumes/web","destination":"/var/www",
 *                             "read_only":false}]}]}
 *
 * Only name, rootfs and command are mandatory; unknown fields are refused. A volume without
 * "source" is a tmpfs of "size" bytes (default 64 MiB), for a manifest's non-persistent
 * volumes. */

#include <stddef.h>

#include "container.h"
#include "manifest.h"
#include "supervisor.h"

#define SERVICE_CONFIG_MAX_SIZE (1024u * 1024u)

typedef struct ServiceConfig {
        ContainerSpec spec; /* uid_shift is left 0: the caller allocates the range */
        RestartPolicy restart;
        char *userns_group;
} ServiceConfig;

void service_config_done(ServiceConfig *c);
void service_config_free_many(ServiceConfig *c, size_t n);

/* -EBADMSG with a one-line *ret_error naming the field ("services[1].volumes[0].destination:
 * ..."), -EFBIG beyond SERVICE_CONFIG_MAX_SIZE. */
int service_config_parse(const char *data, size_t size, ServiceConfig **ret, size_t *ret_n,
                         char **ret_error);
int service_config_load(const char *path, ServiceConfig **ret, size_t *ret_n, char **ret_error);

/* The same from a verified manifest's container target, for mosd to use once the lead wires the
 * manifest in: name, command + args, env, working-dir, userns-group (default: the target name),
 * network, restart; persistent volumes become <volumes_dir>/<target>/<label> bind mounts,
 * non-persistent ones tmpfs volumes of their size. rootfs is where the caller mounted the image.
 * The user is uid/gid 0 of the container's range. -EINVAL for a target that is not a container
 * or does not make a valid spec. */
int service_config_from_manifest(const ManifestTarget *t, const char *rootfs,
                                 const char *volumes_dir, ServiceConfig *ret);
