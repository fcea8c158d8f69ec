/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The manifest parser and the spec builder. Invariants: a manifest that parses formats to
 * canonical bytes that parse again to the same bytes; a spec that builds gives a manifest that
 * parses. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "manifest.h"

static void roundtrip(const Manifest *m) {
        _cleanup_(manifest_freep) Manifest *again = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL;
        size_t na, nb;

        if (manifest_format(m, &a, &na) < 0)
                abort();
        if (manifest_parse(a, na, &again, NULL) < 0)
                abort();
        if (manifest_format(again, &b, &nb) < 0 || na != nb || memcmp(a, b, na) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(manifest_freep) Manifest *m = NULL, *built = NULL;
        _cleanup_free_ char *err = NULL, *err2 = NULL;
        ManifestBuildOptions o = { .format = SPEC_AUTO };

        if (manifest_parse((const char *) data, size, &m, &err) >= 0)
                roundtrip(m);
        else if (!err)
                abort(); /* every refusal says why */
        if (manifest_build((const char *) data, size, &o, &built, &err2) >= 0)
                roundtrip(built);
        return 0;
}
