/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* yaml_to_json(): whatever converts must dump canonically and parse back as strict JSON to the
 * same bytes (no NUL, no reals, no duplicate keys can come out of the converter). */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "yaml-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_json_ json_t *j = NULL, *k = NULL;
        _cleanup_free_ char *err = NULL, *a = NULL, *b = NULL;
        size_t na, nb;

        if (yaml_to_json((const char *) data, size, 1 << 20, &j, &err) < 0)
                return 0;
        if (json_dump_canonical(j, &a, &na) < 0)
                abort();
        if (json_parse_strict(a, na, 1 << 24, &k, NULL) < 0)
                abort();
        if (json_dump_canonical(k, &b, &nb) < 0 || na != nb || memcmp(a, b, na) != 0)
                abort();
        return 0;
}
