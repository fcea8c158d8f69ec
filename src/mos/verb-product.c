/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos product add */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "keyset.h"
#include "log.h"
#include "verb-trust.h"
#include "verb-util.h"
#include "verbs.h"

int verb_product_add(int argc, char *argv[]) {
        static const struct option options[] = {
                { "uuid", required_argument, NULL, 'u' },
                {},
        };
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
        const char *dir, *name, *uuid_arg = NULL;
        uint8_t uuid[UUID_SIZE];
        char text[UUID_STRING_MAX];
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'u':
                        uuid_arg = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 2, 2, "DIR NAME");
        if (r > 0)
                return r;
        dir = argv[optind];
        name = argv[optind + 1];
        if (!keyset_product_name_is_valid(name))
                return verb_usage_error(argv[0],
                                        "invalid product name '%s': expected 1 to %d of a-z, 0-9 "
                                        "and '-', not starting with '-'",
                                        name, KEYSET_PRODUCT_NAME_MAX);
        if (uuid_arg && (uuid_from_string(uuid_arg, uuid) < 0 || uuid_is_null(uuid)))
                return verb_usage_error(argv[0], "invalid --uuid '%s': expected a non-nil UUID",
                                        uuid_arg);

        r = keyset_open(dir, &k);
        if (r < 0)
                return log_error_errno(r, "Failed to open keyset '%s': %m", dir);
        r = keyset_product_add(k, name, uuid_arg ? uuid : NULL, &p);
        if (r == -EEXIST)
                return log_error_errno(r,
                                       "Refusing to add product '%s' to keyset '%s': a product "
                                       "with that name exists.",
                                       name, dir);
        if (r == -EADDRINUSE)
                return log_error_errno(r,
                                       "Refusing to add product '%s' to keyset '%s': another "
                                       "product has UUID %s.",
                                       name, dir, uuid_arg);
        if (r < 0)
                return log_error_errno(r, "Failed to add product '%s' to keyset '%s': %m", name,
                                       dir);
        log_info("Added product '%s' to keyset '%s'.", name, dir);
        /* The UUID alone on stdout, for scripts. */
        printf("%s\n", uuid_to_string(p->uuid, text));
        return 0;
}
