/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The host image's network configuration (/etc/mos/network.json), as mosd reads it. */

#include <stdlib.h>

#include "fuzz.h"
#include "netconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(netconf_freep) Netconf *c = NULL;
        _cleanup_free_ char *err = NULL;
        char buf[32];

        if (netconf_parse((const char *) data, size, &c, &err) < 0)
                return 0;
        for (size_t i = 0; i < c->n_interfaces; i++)
                if (!c->interfaces[i].name || c->interfaces[i].prefix < 1 ||
                    c->interfaces[i].prefix > 32 ||
                    netconf_format_address(&c->interfaces[i], buf, sizeof buf) < 0)
                        abort();
        return 0;
}
