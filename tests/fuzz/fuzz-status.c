/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What `mos status` parses from the socket, and what mosd parses from a client. A response
 * that parses must serialise and parse again to the same canonical bytes. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(status_reply_freep) StatusReply *r = NULL, *again = NULL;
        _cleanup_json_ json_t *j = NULL, *k = NULL;
        _cleanup_free_ char *err = NULL, *err2 = NULL, *a = NULL, *b = NULL;
        size_t na, nb;

        (void) status_request_parse((const char *) data, size, &err2);

        if (status_reply_parse((const char *) data, size, &r, &err) < 0)
                return 0;
        if (status_reply_to_json(r, &j) < 0 || json_dump_canonical(j, &a, &na) < 0)
                abort();
        if (status_reply_parse(a, na, &again, NULL) < 0)
                abort();
        if (status_reply_to_json(again, &k) < 0 || json_dump_canonical(k, &b, &nb) < 0)
                abort();
        if (na != nb || memcmp(a, b, na) != 0)
                abort();
        return 0;
}
