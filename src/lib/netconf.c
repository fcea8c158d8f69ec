/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "netconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "json.h"
#include "parse-util.h"
#include "string-util.h"

#define USEC_PER_MSEC UINT64_C(1000)

Netconf *netconf_free(Netconf *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_interfaces; i++)
                free(c->interfaces[i].name);
        free(c->interfaces);
        free(c);
        return NULL;
}

static uint32_t prefix_mask(unsigned prefix) {
        return prefix == 0 ? 0 : htonl(UINT32_MAX << (32 - prefix));
}

static bool name_is_valid(const char *s, size_t len) {
        if (len == 0 || len >= IFNAMSIZ || strlen(s) != len)
                return false;
        for (const char *p = s; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
                            *p))
                        return false;
        return !streq(s, ".") && !streq(s, "..");
}

static int parse_name(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (!name_is_valid(json_string_value(v), json_string_length(v)))
                return json_dispatch_error(c, name,
                                           "expected an interface name of 1..%d characters of "
                                           "[A-Za-z0-9_.-]",
                                           IFNAMSIZ - 1);
        return json_parse_field_string(c, name, v, dest);
}

static int parse_ipv4(const char *s, struct in_addr *ret) {
        /* inet_pton(AF_INET) takes exactly the dotted-quad form (no octal, no short forms). */
        return inet_pton(AF_INET, s, ret) == 1 ? 0 : -EINVAL;
}

static int parse_address(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        NetconfInterface *i = dest;
        const char *s = json_string_value(v), *slash = strchr(s, '/');
        char ip[INET_ADDRSTRLEN];
        unsigned prefix;

        if (strlen(s) != json_string_length(v) || !slash || (size_t) (slash - s) >= sizeof ip ||
            safe_atou(slash + 1, &prefix) < 0 || prefix < 1 || prefix > 32)
                goto bad;
        memcpy(ip, s, (size_t) (slash - s));
        ip[slash - s] = 0;
        if (parse_ipv4(ip, &i->address) < 0 || i->address.s_addr == INADDR_ANY)
                goto bad;
        i->prefix = prefix;
        return 0;
bad:
        return json_dispatch_error(c, name,
                                   "expected an IPv4 address and prefix length, "
                                   "such as \"10.0.2.15/24\"");
}

static int parse_gateway(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        const char *s = json_string_value(v);

        if (strlen(s) != json_string_length(v) || parse_ipv4(s, dest) < 0 ||
            ((struct in_addr *) dest)->s_addr == INADDR_ANY)
                return json_dispatch_error(c, name,
                                           "expected an IPv4 address such as \"10.0.2.2\"");
        return 0;
}

static int parse_interfaces(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        static const JsonField fields[] = {
                { "name", JSON_STRING, parse_name, offsetof(NetconfInterface, name),
                  JSON_MANDATORY },
                { "address", JSON_STRING, parse_address, 0, JSON_MANDATORY },
                { "gateway", JSON_STRING, parse_gateway, offsetof(NetconfInterface, gateway), 0 },
                {},
        };
        Netconf *conf = dest;
        size_t i, n = json_array_size(v);
        json_t *e;

        if (n > NETCONF_MAX_INTERFACES)
                return json_dispatch_error(c, name, "at most %u interfaces",
                                           NETCONF_MAX_INTERFACES);
        conf->interfaces = calloc(n ?: 1, sizeof(NetconfInterface));
        if (!conf->interfaces)
                return -ENOMEM;
        json_array_foreach(v, i, e) {
                _cleanup_free_ char *path = strprintf("%s[%zu]", name, i);
                NetconfInterface *ni = &conf->interfaces[i];
                uint32_t mask;
                int r;

                if (!path)
                        return -ENOMEM;
                conf->n_interfaces++;
                r = json_dispatch(c, path, e, fields, 0, ni);
                if (r < 0)
                        return r;
                mask = prefix_mask(ni->prefix);
                if (ni->gateway.s_addr != INADDR_ANY &&
                    ((ni->gateway.s_addr & mask) != (ni->address.s_addr & mask) ||
                     ni->gateway.s_addr == ni->address.s_addr))
                        return json_dispatch_error(c, path,
                                                   "the gateway is not another address of the "
                                                   "interface's subnet");
                for (size_t j = 0; j < i; j++)
                        if (streq(conf->interfaces[j].name, ni->name))
                                return json_dispatch_error(
                                        c, path, "interface '%s' is listed twice", ni->name);
        }
        return 0;
}

static int parse_version(JsonDispatchContext *c, const char *name, json_t *v, void *dest) {
        if (json_integer_value(v) != 1)
                return json_dispatch_error(c, name, "expected 1");
        return 0;
}

int netconf_parse(const char *data, size_t size, Netconf **ret, char **ret_error) {
        static const JsonField fields[] = {
                { "version", JSON_INTEGER, parse_version, 0, JSON_MANDATORY },
                { "interfaces", JSON_ARRAY, parse_interfaces, 0, JSON_MANDATORY },
                {},
        };
        _cleanup_(json_dispatch_context_freep) JsonDispatchContext *c = NULL;
        _cleanup_(netconf_freep) Netconf *conf = NULL;
        _cleanup_json_ json_t *j = NULL;
        int r;

        r = json_parse_strict(data, size, NETCONF_MAX_SIZE, &j, ret_error);
        if (r < 0)
                return r;
        conf = calloc(1, sizeof(*conf));
        c = json_dispatch_context_new();
        if (!conf || !c)
                return -ENOMEM;
        r = json_dispatch(c, NULL, j, fields, 0, conf);
        if (r < 0) {
                if (r == -EBADMSG && ret_error)
                        *ret_error = strdup(json_dispatch_error_message(c));
                return r;
        }
        *ret = TAKE_PTR(conf);
        return 0;
}

int netconf_load(const char *path, Netconf **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = read_full_file(path, NETCONF_MAX_SIZE, &data, &size);
        if (r < 0)
                return r;
        return netconf_parse(data, size, ret, ret_error);
}

int netconf_format_address(const NetconfInterface *i, char *buf, size_t size) {
        char ip[INET_ADDRSTRLEN];

        if (!inet_ntop(AF_INET, &i->address, ip, sizeof ip))
                return -errno;
        if ((size_t) snprintf(buf, size, "%s/%u", ip, i->prefix) >= size)
                return -ENOBUFS;
        return 0;
}

/* ---- applying: netdevice(7) ioctls on an AF_INET datagram socket ---- */

static int set_flags_up(int fd, const char *name) {
        struct ifreq ifr = {};

        if (strscpy(ifr.ifr_name, sizeof ifr.ifr_name, name) < 0)
                return -EINVAL;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

static void sockaddr_in_set(struct sockaddr *sa, struct in_addr a) {
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a };
        memcpy(sa, &sin, sizeof sin);
}

int netconf_loopback_up(void) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        return set_flags_up(fd, "lo");
}

static uint64_t now_usec(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

int netconf_apply_interface(const NetconfInterface *i, uint64_t timeout_usec,
                            const char **ret_step) {
        _cleanup_close_ int fd = -1;
        struct ifreq ifr = {};
        struct rtentry rt = {};
        uint64_t deadline = now_usec() + timeout_usec;
        const char *step;
        int r;

        step = "opening a socket";
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                r = -errno;
                goto fail;
        }
        step = "waiting for the interface";
        if (strscpy(ifr.ifr_name, sizeof ifr.ifr_name, i->name) < 0) {
                r = -EINVAL;
                goto fail;
        }
        while (if_nametoindex(i->name) == 0) {
                if (now_usec() >= deadline) {
                        r = -ENODEV;
                        goto fail;
                }
                (void) usleep(20 * USEC_PER_MSEC);
        }

        step = "setting the address";
        sockaddr_in_set(&ifr.ifr_addr, i->address);
        if (ioctl(fd, SIOCSIFADDR, &ifr) < 0) {
                r = -errno;
                goto fail;
        }
        step = "setting the netmask";
        sockaddr_in_set(&ifr.ifr_netmask, (struct in_addr){ .s_addr = prefix_mask(i->prefix) });
        if (ioctl(fd, SIOCSIFNETMASK, &ifr) < 0) {
                r = -errno;
                goto fail;
        }
        step = "bringing it up";
        r = set_flags_up(fd, i->name);
        if (r < 0)
                goto fail;

        if (i->gateway.s_addr != INADDR_ANY) {
                /* The default route: destination and genmask 0.0.0.0, through the gateway,
                 * bound to this interface (route(8) "add default gw G dev NAME"). */
                step = "adding the default route";
                sockaddr_in_set(&rt.rt_dst, (struct in_addr){ .s_addr = INADDR_ANY });
                sockaddr_in_set(&rt.rt_genmask, (struct in_addr){ .s_addr = INADDR_ANY });
                sockaddr_in_set(&rt.rt_gateway, i->gateway);
                rt.rt_flags = RTF_UP | RTF_GATEWAY;
                rt.rt_dev = ifr.ifr_name;
                if (ioctl(fd, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
                        r = -errno;
                        goto fail;
                }
        }
        return 0;
fail:
        if (ret_step)
                *ret_step = step;
        return r;
}
