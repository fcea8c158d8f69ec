/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The appliance's network (docs/appliance.md, "Networking"): mosd brings up the loopback
 * interface and the interfaces of /etc/mos/network.json in the host image (so the
 * configuration is covered by the host image's dm-verity like everything else the host runs),
 * with the classic SIOCSIF* and SIOCADDRT ioctls (netdevice(7), route(8)'s interface): no
 * DHCP client, no netlink library. IPv4 only.
 *
 *   {"version":1,
 *    "interfaces":[{"name":"eth0","address":"10.0.2.15/24","gateway":"10.0.2.2"}]}
 *
 * name: a kernel interface name (1..15 of [A-Za-z0-9_.-]); address: dotted quad and prefix
 * length 1..32, mandatory; gateway: optional, the default route, inside the address's subnet.
 * Unknown fields are refused; the parser has a fuzz target. */

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define NETCONF_PATH "/etc/mos/network.json"
#define NETCONF_MAX_SIZE (64u * 1024)
#define NETCONF_MAX_INTERFACES 16

typedef struct NetconfInterface {
        char *name;
        struct in_addr address;
        unsigned prefix;
        struct in_addr gateway; /* INADDR_ANY: none */
} NetconfInterface;

typedef struct Netconf {
        NetconfInterface *interfaces;
        size_t n_interfaces;
} Netconf;

Netconf *netconf_free(Netconf *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Netconf *, netconf_free);

/* -EBADMSG with a one-line *ret_error naming the field, -EFBIG beyond NETCONF_MAX_SIZE. */
int netconf_parse(const char *data, size_t size, Netconf **ret, char **ret_error);
int netconf_load(const char *path, Netconf **ret, char **ret_error);

/* Sets IFF_UP on lo (the kernel gives it 127.0.0.1/8 and ::1). */
int netconf_loopback_up(void);

/* Configures one interface: waits up to timeout_usec for it to appear (the driver may still
 * be probing), sets the address and netmask, brings it up and adds the default route through
 * the gateway. An address or route that is already there is fine. *ret_step (may be NULL)
 * says what failed ("waiting for the interface", "setting the address", ...). */
int netconf_apply_interface(const NetconfInterface *i, uint64_t timeout_usec,
                            const char **ret_step);

/* "10.0.2.15/24" */
int netconf_format_address(const NetconfInterface *i, char *buf, size_t size);
