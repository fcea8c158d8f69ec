/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "netconf.h"
#include "string-util.h"
#include "tap.h"

static int parse(const char *s, Netconf **ret, char **ret_error) {
        return netconf_parse(s, strlen(s), ret, ret_error);
}

TEST(parses_the_qemu_user_network) {
        _cleanup_(netconf_freep) Netconf *c = NULL;
        char buf[32];

        ASSERT_OK(parse("{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":"
                        "\"10.0.2.15/24\",\"gateway\":\"10.0.2.2\"},{\"name\":\"eth1\","
                        "\"address\":\"192.168.7.1/30\"}]}",
                        &c, NULL));
        ASSERT_EQ(c->n_interfaces, 2);
        ASSERT_STREQ(c->interfaces[0].name, "eth0");
        ASSERT_EQ(c->interfaces[0].prefix, 24);
        ASSERT_EQ(ntohl(c->interfaces[0].address.s_addr), 0x0a00020f);
        ASSERT_EQ(ntohl(c->interfaces[0].gateway.s_addr), 0x0a000202);
        ASSERT_EQ(c->interfaces[1].gateway.s_addr, INADDR_ANY);
        ASSERT_OK(netconf_format_address(&c->interfaces[1], buf, sizeof buf));
        ASSERT_STREQ(buf, "192.168.7.1/30");
}

TEST(refuses_bad_documents) {
        static const struct {
                const char *json, *error;
        } bad[] = {
                { "{\"interfaces\":[]}", "version" },
                { "{\"version\":2,\"interfaces\":[]}", "'version': expected 1" },
                { "{\"version\":1}", "interfaces" },
                { "{\"version\":1,\"interfaces\":[],\"dns\":[]}", "dns" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\"}]}", "address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0/x\",\"address\":\"1.2.3.4/"
                  "8\"}]}",
                  "interfaces[0].name" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"abcdefghijklmnop\",\"address\":"
                  "\"1.2.3.4/8\"}]}",
                  "interfaces[0].name" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"1.2.3.4\"}]}",
                  "interfaces[0].address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"1.2.3.4/33\"}]}",
                  "interfaces[0].address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"1.2.3/8\"}]}",
                  "interfaces[0].address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"0.0.0.0/8\"}]}",
                  "interfaces[0].address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"1.2.3.4/+8\"}]}",
                  "interfaces[0].address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"10.0.2.15/24\","
                  "\"gateway\":\"10.0.3.2\"}]}",
                  "'interfaces[0]': the gateway is not another address" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"10.0.2.15/24\","
                  "\"gateway\":\"10.0.2.15\"}]}",
                  "'interfaces[0]': the gateway" },
                { "{\"version\":1,\"interfaces\":[{\"name\":\"eth0\",\"address\":\"1.2.3.4/8\"},"
                  "{\"name\":\"eth0\",\"address\":\"1.2.3.5/8\"}]}",
                  "listed twice" },
                { "{\"version\":1,\"version\":1,\"interfaces\":[]}", "duplicate" },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(netconf_freep) Netconf *c = NULL;
                _cleanup_free_ char *err = NULL;

                ASSERT_ERRNO(parse(bad[i].json, &c, &err), -EBADMSG);
                ASSERT_NULL(c);
                if (!err || !strstr(err, bad[i].error)) {
                        tap_fail("%s: error '%s' lacks '%s'", bad[i].json, err ? err : "(null)",
                                 bad[i].error);
                        return;
                }
        }
}

TEST(refuses_oversized) {
        _cleanup_free_ char *big = calloc(1, NETCONF_MAX_SIZE + 2);
        Netconf *c = NULL;

        ASSERT_NOT_NULL(big);
        memset(big, ' ', NETCONF_MAX_SIZE + 1);
        ASSERT_ERRNO(netconf_parse(big, NETCONF_MAX_SIZE + 1, &c, NULL), -EFBIG);
}

static int read_address(const char *name, struct in_addr *ret) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {};
        struct sockaddr_in sin;

        (void) strscpy(ifr.ifr_name, sizeof ifr.ifr_name, name);
        if (fd < 0 || ioctl(fd, SIOCGIFADDR, &ifr) < 0)
                return -errno;
        memcpy(&sin, &ifr.ifr_addr, sizeof sin);
        *ret = sin.sin_addr;
        return 0;
}

TEST(applies_in_a_private_network_namespace) {
        _cleanup_(netconf_freep) Netconf *c = NULL;
        _cleanup_free_ char *routes = NULL;
        const char *step = NULL;
        struct in_addr a = {};
        size_t n;

        /* A network namespace of our own: the host's interfaces are not touched. Its lo is
         * the only interface, down, without an address. */
        if (unshare(CLONE_NEWNET) < 0)
                SKIP_TEST("cannot create a network namespace here");
        ASSERT_OK(netconf_loopback_up());
        ASSERT_OK(netconf_loopback_up()); /* already up: fine */

        ASSERT_OK(parse("{\"version\":1,\"interfaces\":[{\"name\":\"lo\",\"address\":"
                        "\"10.9.8.7/24\",\"gateway\":\"10.9.8.1\"}]}",
                        &c, NULL));
        ASSERT_OK(netconf_apply_interface(&c->interfaces[0], 0, &step));
        ASSERT_OK(read_address("lo", &a));
        ASSERT_EQ(ntohl(a.s_addr), 0x0a090807);
        /* /proc/net/route: "lo 00000000 0108090A 0003 ..." (little-endian hex). */
        ASSERT_OK(read_full_file("/proc/net/route", 65536, &routes, &n));
        ASSERT_NOT_NULL(strstr(routes, "lo\t00000000\t0108090A\t0003"));
        /* Again: the route exists already, which is fine. */
        ASSERT_OK(netconf_apply_interface(&c->interfaces[0], 0, &step));

        free(c->interfaces[0].name);
        c->interfaces[0].name = strdup("nosuch0");
        ASSERT_ERRNO(netconf_apply_interface(&c->interfaces[0], 50000, &step), -ENODEV);
        ASSERT_STREQ(step, "waiting for the interface");
}

int main(void) {
        RUN(parses_the_qemu_user_network);
        RUN(refuses_bad_documents);
        RUN(refuses_oversized);
        RUN(applies_in_a_private_network_namespace);
        return tap_done();
}
