/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos status [--json] [--socket PATH]: the services mosd runs, from its status socket
 * (docs/status.md). */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "status.h"
#include "string-util.h"
#include "verb-status.h"
#include "verbs.h"

int verb_status(int argc, char *argv[]) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "socket", required_argument, NULL, 's' },
                {},
        };
        _cleanup_(status_reply_freep) StatusReply *reply = NULL;
        _cleanup_free_ char *error = NULL;
        const char *socket_path = STATUS_SOCKET_DEFAULT;
        bool json = false;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 's':
                        socket_path = optarg;
                        break;
                case ':':
                        return verb_usage_error(argv[0], "option '%s' needs a value",
                                                argv[optind - 1]);
                default:
                        return verb_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
                }
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);

        r = status_query(socket_path, &reply, &error);
        if (r == -EBADMSG || r == -EFBIG)
                return log_error_errno(r, "Malformed status from mosd at '%s': %s", socket_path,
                                       strempty(error));
        if (r == -EREMOTEIO)
                return log_error_errno(r, "mosd at '%s' refused the request: %s", socket_path,
                                       strempty(error));
        if (r < 0)
                return log_error_errno(r, "Failed to get the status from mosd at '%s': %m",
                                       socket_path);

        if (json) {
                _cleanup_json_ json_t *j = NULL;
                _cleanup_free_ char *text = NULL;

                r = status_reply_to_json(reply, &j);
                if (r >= 0)
                        r = json_dump_canonical(j, &text, NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to format the status: %m");
                puts(text);
        } else
                status_reply_print_table(reply, stdout);
        return 0;
}
