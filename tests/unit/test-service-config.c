/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "service-config.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"
#include "userns.h"

TEST(parses_full_and_minimal_services) {
        static const char text[] =
                "{\"services\":["
                "{\"name\":\"web\",\"rootfs\":\"/srv/web\",\"command\":[\"/bin/httpd\",\"-f\"],"
                "\"environment\":[\"A=b\"],\"working_directory\":\"/var/www\",\"user\":33,"
                "\"group\":34,\"userns_group\":\"front\",\"network\":\"host\","
                "\"writable_root\":true,\"restart\":\"always\",\"volumes\":["
                "{\"source\":\"/data/volumes/web\",\"destination\":\"/var/"
                "www\",\"read_only\":true},"
                "{\"source\":\"/data/volumes/cache\",\"destination\":\"/cache\"},"
                "{\"destination\":\"/scratch\",\"size\":1048576}]},"
                "{\"name\":\"min\",\"rootfs\":\"/srv/min\",\"command\":[\"/bin/true\"]}]}";
        ServiceConfig *c = NULL;
        size_t n = 0;

        ASSERT_OK(service_config_parse(text, strlen(text), &c, &n, NULL));
        ASSERT_EQ(n, 2);
        ASSERT_STREQ(c[0].spec.name, "web");
        ASSERT_STREQ(c[0].spec.rootfs, "/srv/web");
        ASSERT_EQ(strv_length(c[0].spec.args), 2);
        ASSERT_STREQ(c[0].spec.env[0], "A=b");
        ASSERT_STREQ(c[0].spec.cwd, "/var/www");
        ASSERT_EQ(c[0].spec.uid, 33);
        ASSERT_EQ(c[0].spec.gid, 34);
        ASSERT_EQ(c[0].spec.uid_shift, 0); /* allocated by the caller */
        ASSERT_STREQ(c[0].userns_group, "front");
        ASSERT_EQ(c[0].spec.network, CONTAINER_NETWORK_HOST);
        ASSERT_TRUE(c[0].spec.writable_root);
        ASSERT_EQ(c[0].restart, RESTART_ALWAYS);
        ASSERT_EQ(c[0].spec.n_volumes, 3);
        ASSERT_NULL(c[0].spec.volumes[2].source);
        ASSERT_EQ(c[0].spec.volumes[2].size, 1048576);
        ASSERT_TRUE(c[0].spec.volumes[0].read_only);
        ASSERT_FALSE(c[0].spec.volumes[1].read_only);
        ASSERT_STREQ(c[0].spec.volumes[1].destination, "/cache");

        /* Defaults. */
        ASSERT_STREQ(c[1].userns_group, "min");
        ASSERT_EQ(c[1].restart, RESTART_ON_FAILURE);
        ASSERT_EQ(c[1].spec.network, CONTAINER_NETWORK_NONE);
        ASSERT_FALSE(c[1].spec.writable_root);
        ASSERT_EQ(c[1].spec.n_volumes, 0);
        ASSERT_NULL(c[1].spec.cwd);
        service_config_free_many(c, n);
}

#define EXPECT_BAD(text, substring)                                                                \
        do {                                                                                       \
                ServiceConfig *_c = NULL;                                                          \
                size_t _n = 0;                                                                     \
                _cleanup_free_ char *_err = NULL;                                                  \
                ASSERT_ERRNO(service_config_parse(text, strlen(text), &_c, &_n, &_err), -EBADMSG); \
                if (!_err || !strstr(_err, substring)) {                                           \
                        tap_fail("message '%s' lacks '%s'", _err ?: "(null)", substring);          \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ONE(fields)                                                                                \
        "{\"services\":[{\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"/x\"]" fields "}]}"

TEST(refusals_name_the_field) {
        EXPECT_BAD("{}", "'services': missing");
        EXPECT_BAD("{\"services\":{}}", "'services': expected an array");
        EXPECT_BAD("{\"services\":[{\"name\":\"a\",\"rootfs\":\"/r\"}]}",
                   "'services[0].command': missing");
        EXPECT_BAD(ONE(",\"network\":\"bridge\""),
                   "'services[0].network': expected \"none\" or \"host\"");
        EXPECT_BAD(ONE(",\"restart\":\"sometimes\""), "'services[0].restart': expected \"no\"");
        EXPECT_BAD(ONE(",\"user\":65536"), "'services[0].user': expected 0..65535");
        EXPECT_BAD(ONE(",\"group\":-1"), "'services[0].group': expected 0..65535");
        EXPECT_BAD(ONE(",\"userns_group\":\"a/b\""), "'services[0].userns_group': expected");
        EXPECT_BAD(ONE(",\"privileged\":true"), "'services[0].privileged': unknown field");
        EXPECT_BAD(ONE(",\"volumes\":[{\"source\":\"/d\"}]"),
                   "'services[0].volumes[0].destination': missing");
        EXPECT_BAD(ONE(",\"volumes\":[{\"destination\":\"/x\",\"size\":-1}]"),
                   "'services[0].volumes[0].size': expected a non-negative integer");
        EXPECT_BAD(ONE(",\"volumes\":[{\"source\":\"/d\",\"destination\":\"/x\",\"mode\":1}]"),
                   "'services[0].volumes[0].mode': unknown field");
        EXPECT_BAD(ONE(",\"volumes\":[{\"source\":\"d\",\"destination\":\"/x\"}]"),
                   "'services[0]': volume source 'd'");
        EXPECT_BAD(ONE(",\"environment\":[\"=x\"]"), "'services[0]': env '=x'");
        EXPECT_BAD(ONE(",\"command\":[]"), "duplicate");
        EXPECT_BAD("{\"services\":[{\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[]}]}",
                   "'services[0]': args: expected a non-empty command");
        EXPECT_BAD("{\"services\":[{\"name\":\"a b\",\"rootfs\":\"/r\",\"command\":[\"/x\"]}]}",
                   "'services[0]': name 'a b'");
        EXPECT_BAD("{\"services\":[{\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"/x\"]},"
                   "{\"name\":\"a\",\"rootfs\":\"/r\",\"command\":[\"/x\"]}]}",
                   "'services[1]': service name 'a' is used twice");
        EXPECT_BAD("{\"services\":[1]}", "'services[0]': expected an object");
}

TEST(size_limit) {
        ServiceConfig *c = NULL;
        size_t n;
        ASSERT_ERRNO(service_config_parse("{}", SERVICE_CONFIG_MAX_SIZE + 1, &c, &n, NULL), -EFBIG);
}

TEST(from_manifest_target) {
        ManifestVolume volumes[] = {
                { .label = (char *) "data",
                  .mount_path = (char *) "/var/lib/web",
                  .persistent = true,
                  .size = 1 << 20 },
                { .label = (char *) "cache",
                  .mount_path = (char *) "/var/cache/web",
                  .persistent = false,
                  .size = 4096 },
        };
        ManifestContainer ct = {
                .command = (char *[]){ (char *) "/bin/httpd", NULL },
                .args = (char *[]){ (char *) "-f", (char *) "-p", (char *) "80", NULL },
                .env = (char *[]){ (char *) "A=b", NULL },
                .working_dir = (char *) "/srv",
                .network = NETWORK_HOST,
                .restart = RESTART_ALWAYS,
                .volumes = volumes,
                .n_volumes = 2,
        };
        ManifestTarget t = { .name = (char *) "web", .type = TARGET_CONTAINER, .container = &ct };
        ManifestTarget host = { .name = (char *) "host", .type = TARGET_HOSTFS };
        _cleanup_(service_config_done) ServiceConfig sc = {};
        ServiceConfig unused;

        ASSERT_OK(service_config_from_manifest(&t, "/run/mos/rootfs/web", "/data/volumes", &sc));
        ASSERT_STREQ(sc.spec.name, "web");
        ASSERT_STREQ(sc.spec.rootfs, "/run/mos/rootfs/web");
        ASSERT_EQ(strv_length(sc.spec.args), 4);
        ASSERT_STREQ(sc.spec.args[0], "/bin/httpd");
        ASSERT_STREQ(sc.spec.args[3], "80");
        ASSERT_STREQ(sc.spec.env[0], "A=b");
        ASSERT_STREQ(sc.spec.cwd, "/srv");
        ASSERT_STREQ(sc.userns_group, "web");
        ASSERT_EQ(sc.spec.network, CONTAINER_NETWORK_HOST);
        ASSERT_EQ(sc.restart, RESTART_ALWAYS);
        ASSERT_EQ(sc.spec.n_volumes, 2);
        ASSERT_STREQ(sc.spec.volumes[0].source, "/data/volumes/web/data");
        ASSERT_STREQ(sc.spec.volumes[0].destination, "/var/lib/web");
        ASSERT_NULL(sc.spec.volumes[1].source);
        ASSERT_EQ(sc.spec.volumes[1].size, 4096);
        ASSERT_FALSE(sc.spec.writable_root);

        ASSERT_ERRNO(service_config_from_manifest(&host, "/r", "/data/volumes", &unused), -EINVAL);
        ct.working_dir = (char *) "relative";
        ASSERT_ERRNO(service_config_from_manifest(&t, "/r", "/data/volumes", &unused), -EINVAL);
}

int main(void) {
        RUN(parses_full_and_minimal_services);
        RUN(refusals_name_the_field);
        RUN(size_limit);
        RUN(from_manifest_target);
        return tap_done();
}
