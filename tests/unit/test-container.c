/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"
#include "test-util.h"
#include "userns.h"

static char tmpdir[] = "/tmp/test-container.XXXXXX";

static void spec_init(ContainerSpec *s, const char *rootfs) {
        *s = (ContainerSpec){
                .name = strdup("web"),
                .rootfs = strdup(rootfs),
                .cwd = strdup("/srv"),
                .uid = 0,
                .gid = 0,
                .uid_shift = USERNS_FIRST_BASE,
                .network = CONTAINER_NETWORK_NONE,
        };
        strv_extend(&s->args, "/bin/httpd");
        strv_extend(&s->args, "-f");
        strv_extend(&s->env, "LANG=C");
}

static void spec_add_volume(ContainerSpec *s, const char *src, const char *dst, bool ro) {
        s->volumes = realloc(s->volumes, (s->n_volumes + 1) * sizeof(ContainerVolume));
        s->volumes[s->n_volumes++] = (ContainerVolume){ src ? strdup(src) : NULL, strdup(dst), ro };
}

static bool json_array_has_string(json_t *a, const char *s) {
        size_t i;
        json_t *e;
        json_array_foreach(a, i, e) if (streq_ptr(json_string_value(e), s)) return true;
        return false;
}

static json_t *find_mount(json_t *config, const char *destination) {
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(config, "mounts"), i,
                           m) if (streq_ptr(json_string_value(json_object_get(m, "destination")),
                                            destination)) return m;
        return NULL;
}

static bool has_namespace(json_t *config, const char *type) {
        size_t i;
        json_t *n;
        json_array_foreach(
                json_object_get(json_object_get(config, "linux"), "namespaces"), i,
                n) if (streq_ptr(json_string_value(json_object_get(n, "type")), type)) return true;
        return false;
}

#define EXPECT_INVALID(s, substring)                                                               \
        do {                                                                                       \
                _cleanup_free_ char *_err = NULL;                                                  \
                ASSERT_ERRNO(container_spec_validate(s, &_err), -EBADMSG);                         \
                ASSERT_NOT_NULL(_err);                                                             \
                if (!strstr(_err, substring)) {                                                    \
                        tap_fail("message '%s' lacks '%s'", _err, substring);                      \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

TEST(validate_accepts_good_spec) {
        _cleanup_(container_spec_done) ContainerSpec s;
        spec_init(&s, "/srv/rootfs");
        spec_add_volume(&s, "/data/volumes/web", "/var/lib/web", false);
        ASSERT_OK(container_spec_validate(&s, NULL));
}

TEST(validate_refuses_bad_fields) {
        _cleanup_(container_spec_done) ContainerSpec s;
        spec_init(&s, "/srv/rootfs");

        free(s.name);
        s.name = strdup("../x");
        EXPECT_INVALID(&s, "name '../x'");
        free(s.name);
        s.name = strdup("web");

        free(s.rootfs);
        s.rootfs = strdup("relative/rootfs");
        EXPECT_INVALID(&s, "rootfs 'relative/rootfs'");
        free(s.rootfs);
        s.rootfs = strdup("/srv/../etc");
        EXPECT_INVALID(&s, "rootfs '/srv/../etc'");
        free(s.rootfs);
        s.rootfs = strdup("/srv/rootfs");

        strv_extend(&s.env, "1BAD=x");
        EXPECT_INVALID(&s, "env '1BAD=x'");
        s.env = strv_free(s.env);
        strv_extend(&s.env, "NOEQUALS");
        EXPECT_INVALID(&s, "env 'NOEQUALS'");
        s.env = strv_free(s.env);

        free(s.cwd);
        s.cwd = strdup("srv");
        EXPECT_INVALID(&s, "cwd 'srv'");
        free(s.cwd);
        s.cwd = NULL;

        s.uid = 65536;
        EXPECT_INVALID(&s, "user 65536:0");
        s.uid = 0;

        s.uid_shift = 1000;
        EXPECT_INVALID(&s, "uid_shift 1000");
        s.uid_shift = UINT32_MAX - 10;
        EXPECT_INVALID(&s, "uid_shift");
        s.uid_shift = USERNS_FIRST_BASE;

        s.network = (ContainerNetwork) 7;
        EXPECT_INVALID(&s, "network");
        s.network = CONTAINER_NETWORK_HOST;

        spec_add_volume(&s, "/data/v", "/proc/sys", false);
        EXPECT_INVALID(&s, "volume destination '/proc/sys'");
        free(s.volumes[0].destination);
        s.volumes[0].destination = strdup("/");
        EXPECT_INVALID(&s, "volume destination '/'");
        free(s.volumes[0].destination);
        s.volumes[0].destination = strdup("/data");
        free(s.volumes[0].source);
        s.volumes[0].source = strdup("/data/../etc");
        EXPECT_INVALID(&s, "volume source '/data/../etc'");
        free(s.volumes[0].source);
        s.volumes[0].source = strdup("/data/v");
        spec_add_volume(&s, "/data/w", "/data", true);
        EXPECT_INVALID(&s, "volume destination '/data' is used twice");
        free(s.volumes[1].destination);
        s.volumes[1].destination = strdup("/devices"); /* not below /dev */
        ASSERT_OK(container_spec_validate(&s, NULL));

        s.args = strv_free(s.args);
        EXPECT_INVALID(&s, "args");
}

TEST(config_has_the_isolation) {
        _cleanup_(container_spec_done) ContainerSpec s;
        _cleanup_json_ json_t *c = NULL;
        json_t *process, *caps, *linux_, *m, *map, *seccomp;

        spec_init(&s, "/srv/rootfs");
        s.uid_shift = USERNS_FIRST_BASE + 3 * USERNS_RANGE_SIZE;
        spec_add_volume(&s, "/data/volumes/web", "/var/lib/web", false);
        spec_add_volume(&s, "/data/volumes/conf", "/etc/web", true);
        spec_add_volume(&s, NULL, "/var/cache/web", false);
        s.volumes[2].size = 4096;
        ASSERT_OK(container_spec_validate(&s, NULL));
        ASSERT_OK(container_build_config(&s, &c));

        ASSERT_STREQ(json_string_value(json_object_get(c, "ociVersion")), "1.0.2");
        ASSERT_STREQ(json_string_value(json_object_get(c, "hostname")), "web");
        ASSERT_STREQ(json_string_value(json_object_get(json_object_get(c, "root"), "path")),
                     "/srv/rootfs");
        ASSERT_TRUE(json_is_true(json_object_get(json_object_get(c, "root"), "readonly")));

        process = json_object_get(c, "process");
        ASSERT_TRUE(json_is_true(json_object_get(process, "noNewPrivileges")));
        ASSERT_TRUE(json_is_false(json_object_get(process, "terminal")));
        ASSERT_STREQ(json_string_value(json_object_get(process, "cwd")), "/srv");
        ASSERT_TRUE(json_array_has_string(json_object_get(process, "env"), "LANG=C"));
        ASSERT_TRUE(json_array_has_string(json_object_get(process, "env"),
                                          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                                          "/usr/bin:/sbin:/bin"));
        caps = json_object_get(process, "capabilities");
        ASSERT_EQ(json_array_size(json_object_get(caps, "bounding")), 1);
        ASSERT_TRUE(
                json_array_has_string(json_object_get(caps, "effective"), "CAP_NET_BIND_SERVICE"));
        ASSERT_EQ(json_array_size(json_object_get(caps, "ambient")), 0); /* uid 0 */

        linux_ = json_object_get(c, "linux");
        map = json_array_get(json_object_get(linux_, "uidMappings"), 0);
        ASSERT_EQ(json_integer_value(json_object_get(map, "hostID")),
                  USERNS_FIRST_BASE + 3 * USERNS_RANGE_SIZE);
        ASSERT_EQ(json_integer_value(json_object_get(map, "containerID")), 0);
        ASSERT_EQ(json_integer_value(json_object_get(map, "size")), 65536);
        ASSERT_EQ(json_array_size(json_object_get(linux_, "gidMappings")), 1);
        ASSERT_TRUE(has_namespace(c, "user"));
        ASSERT_TRUE(has_namespace(c, "pid"));
        ASSERT_TRUE(has_namespace(c, "mount"));
        ASSERT_TRUE(has_namespace(c, "network"));
        ASSERT_TRUE(json_array_has_string(json_object_get(linux_, "maskedPaths"), "/proc/kcore"));
        ASSERT_TRUE(json_array_has_string(json_object_get(linux_, "readonlyPaths"), "/proc/sys"));
        seccomp = json_object_get(linux_, "seccomp");
        ASSERT_STREQ(json_string_value(json_object_get(seccomp, "defaultAction")),
                     "SCMP_ACT_ALLOW");
        ASSERT_TRUE(json_array_has_string(
                json_object_get(json_array_get(json_object_get(seccomp, "syscalls"), 0), "names"),
                "keyctl"));

        m = find_mount(c, "/sys");
        ASSERT_NOT_NULL(m);
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "ro"));
        m = find_mount(c, "/tmp");
        ASSERT_STREQ(json_string_value(json_object_get(m, "type")), "tmpfs");
        m = find_mount(c, "/run");
        ASSERT_STREQ(json_string_value(json_object_get(m, "type")), "tmpfs");
        ASSERT_NOT_NULL(find_mount(c, "/proc"));
        ASSERT_NOT_NULL(find_mount(c, "/dev"));
        m = find_mount(c, "/var/lib/web");
        ASSERT_STREQ(json_string_value(json_object_get(m, "source")), "/data/volumes/web");
        ASSERT_STREQ(json_string_value(json_object_get(m, "type")), "bind");
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "rw"));
        m = find_mount(c, "/etc/web");
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "ro"));
        /* A volume without a source is a tmpfs owned by the service's user. */
        m = find_mount(c, "/var/cache/web");
        ASSERT_STREQ(json_string_value(json_object_get(m, "type")), "tmpfs");
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "size=4096"));
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "uid=0"));
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "gid=0"));
        ASSERT_TRUE(json_array_has_string(json_object_get(m, "options"), "mode=700"));
}

TEST(config_host_network_writable_root_non_root_user) {
        _cleanup_(container_spec_done) ContainerSpec s;
        _cleanup_json_ json_t *c = NULL;
        json_t *caps;

        spec_init(&s, "/srv/rootfs");
        s.network = CONTAINER_NETWORK_HOST;
        s.writable_root = true;
        s.uid = 1000;
        s.gid = 100;
        strv_extend(&s.env, "PATH=/opt/bin");
        spec_add_volume(&s, NULL, "/scratch", false);
        ASSERT_OK(container_build_config(&s, &c));

        ASSERT_FALSE(has_namespace(c, "network"));
        ASSERT_TRUE(has_namespace(c, "user"));
        ASSERT_TRUE(json_is_false(json_object_get(json_object_get(c, "root"), "readonly")));
        ASSERT_EQ(json_integer_value(json_object_get(
                          json_object_get(json_object_get(c, "process"), "user"), "uid")),
                  1000);
        caps = json_object_get(json_object_get(c, "process"), "capabilities");
        ASSERT_TRUE(
                json_array_has_string(json_object_get(caps, "ambient"), "CAP_NET_BIND_SERVICE"));
        ASSERT_TRUE(json_array_has_string(json_object_get(caps, "inheritable"),
                                          "CAP_NET_BIND_SERVICE"));
        ASSERT_TRUE(json_array_has_string(json_object_get(find_mount(c, "/scratch"), "options"),
                                          "uid=1000"));
        ASSERT_TRUE(json_array_has_string(json_object_get(find_mount(c, "/scratch"), "options"),
                                          "size=67108864"));
        /* The spec's PATH wins; no default added. */
        ASSERT_EQ(json_array_size(json_object_get(json_object_get(c, "process"), "env")), 2);
}

TEST(bundle_is_canonical_json_0600) {
        _cleanup_(container_spec_done) ContainerSpec s;
        _cleanup_free_ char *bundle = NULL, *cfg = NULL, *data = NULL, *again = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct stat st;
        size_t n, m;

        spec_init(&s, "/srv/rootfs");
        bundle = strjoin(tmpdir, "/bundles/web");
        cfg = strjoin(bundle, "/config.json");
        ASSERT_OK(container_write_bundle(&s, bundle));
        ASSERT_OK(stat(cfg, &st));
        ASSERT_EQ(st.st_mode & 07777, 0600);
        ASSERT_OK(stat(bundle, &st));
        ASSERT_EQ(st.st_mode & 07777, 0700);
        ASSERT_OK(read_full_file(cfg, 1 << 20, &data, &n));
        ASSERT_OK(json_parse_strict(data, n, 1 << 20, &j, NULL));
        ASSERT_OK(json_dump_canonical(j, &again, &m));
        ASSERT_EQ(n, m);
        ASSERT_TRUE(memcmp(data, again, n) == 0);
        /* Rewriting replaces it. */
        ASSERT_OK(container_write_bundle(&s, bundle));
        ASSERT_ERRNO(container_write_bundle(&s, "relative/bundle"), -EINVAL);
}

TEST(prepare_creates_mount_points_and_volumes) {
        _cleanup_(container_spec_done) ContainerSpec s;
        _cleanup_free_ char *rootfs = NULL, *vol = NULL, *p = NULL, *existing = NULL, *data = NULL;
        struct stat st;

        if (geteuid() != 0)
                SKIP_TEST("needs root to give volumes to the mapped uid");

        rootfs = strjoin(tmpdir, "/rootfs");
        vol = strjoin(tmpdir, "/data/volumes/web");
        existing = strjoin(tmpdir, "/data/existing");
        data = strjoin(tmpdir, "/data");
        ASSERT_OK(mkdir(rootfs, 0755));
        ASSERT_OK(mkdir(data, 0755));
        ASSERT_OK(mkdir(existing, 0750));

        spec_init(&s, rootfs);
        s.uid = 7;
        s.gid = 8;
        spec_add_volume(&s, vol, "/var/lib/web", false);
        spec_add_volume(&s, existing, "/mnt/existing", true);
        ASSERT_OK(container_prepare(&s));

        for (const char *const *d = (const char *const[]){ "proc", "dev", "sys", "tmp", "run",
                                                           "var/lib/web", "mnt/existing", NULL };
             *d; d++) {
                free(p);
                p = strjoin(rootfs, "/", *d);
                ASSERT_OK(stat(p, &st));
                ASSERT_TRUE(S_ISDIR(st.st_mode));
        }
        ASSERT_OK(stat(vol, &st));
        ASSERT_EQ(st.st_mode & 07777, 0700);
        ASSERT_EQ(st.st_uid, USERNS_FIRST_BASE + 7);
        ASSERT_EQ(st.st_gid, USERNS_FIRST_BASE + 8);
        /* An existing volume is left alone. */
        ASSERT_OK(stat(existing, &st));
        ASSERT_EQ(st.st_mode & 07777, 0750);
        ASSERT_EQ(st.st_uid, 0);

        /* Idempotent. */
        ASSERT_OK(container_prepare(&s));
}

TEST(prepare_refuses_symlinked_mount_point) {
        _cleanup_(container_spec_done) ContainerSpec s;
        _cleanup_free_ char *rootfs = NULL, *link = NULL, *outside = NULL, *escaped = NULL,
                            *vol = NULL;

        rootfs = strjoin(tmpdir, "/rootfs-evil");
        outside = strjoin(tmpdir, "/outside");
        link = strjoin(rootfs, "/var");
        escaped = strjoin(outside, "/lib");
        ASSERT_OK(mkdir(rootfs, 0755));
        ASSERT_OK(mkdir(outside, 0755));
        /* The image points /var at a host directory: the mount point must not land there. */
        ASSERT_OK(symlink(outside, link));

        spec_init(&s, rootfs);
        vol = strjoin(tmpdir, "/data/v2");
        spec_add_volume(&s, vol, "/var/lib", false);
        ASSERT_ERRNO(container_prepare(&s), -ENOTDIR);
        ASSERT_TRUE(access(escaped, F_OK) < 0 && errno == ENOENT);
}

TEST(crun_argv) {
        _cleanup_strv_free_ char **argv = NULL;
        ContainerRuntime rt = { .state_dir = "/run/mos/crun" };
        ContainerRuntime bad = { .state_dir = "relative" };

        ASSERT_OK(container_run_argv(&rt, "web", "/run/mos/bundles/web", &argv));
        ASSERT_EQ(strv_length(argv), 8);
        ASSERT_STREQ(argv[0], "/usr/bin/crun");
        ASSERT_STREQ(argv[1], "--root");
        ASSERT_STREQ(argv[2], "/run/mos/crun");
        ASSERT_STREQ(argv[3], "--cgroup-manager=disabled");
        ASSERT_STREQ(argv[4], "run");
        ASSERT_STREQ(argv[5], "--bundle");
        ASSERT_STREQ(argv[6], "/run/mos/bundles/web");
        ASSERT_STREQ(argv[7], "web");
        ASSERT_ERRNO(container_run_argv(&bad, "web", "/b", &argv), -EINVAL);
}

TEST(delete_of_unknown_container_is_fine) {
        _cleanup_free_ char *state = strjoin(tmpdir, "/crun");
        ContainerRuntime rt = { .state_dir = state };

        ASSERT_OK(mkdir(state, 0700));
        ASSERT_OK(container_delete(&rt, "never-created"));
        ASSERT_ERRNO(container_delete(&rt, "../etc"), -EINVAL);
}

TEST(network_names) {
        ContainerNetwork n;
        ASSERT_OK(container_network_from_string("host", &n));
        ASSERT_EQ(n, CONTAINER_NETWORK_HOST);
        ASSERT_OK(container_network_from_string("none", &n));
        ASSERT_EQ(n, CONTAINER_NETWORK_NONE);
        ASSERT_ERRNO(container_network_from_string("bridge", &n), -EINVAL);
        ASSERT_STREQ(container_network_to_string(CONTAINER_NETWORK_HOST), "host");
}

int main(void) {
        if (!mkdtemp(tmpdir))
                tap_skip_all("cannot create a temporary directory");
        RUN(validate_accepts_good_spec);
        RUN(validate_refuses_bad_fields);
        RUN(config_has_the_isolation);
        RUN(config_host_network_writable_root_non_root_user);
        RUN(bundle_is_canonical_json_0600);
        RUN(prepare_creates_mount_points_and_volumes);
        RUN(prepare_refuses_symlinked_mount_point);
        RUN(crun_argv);
        RUN(delete_of_unknown_container_is_fine);
        RUN(network_names);
        (void) rm_rf(tmpdir);
        return tap_done();
}
