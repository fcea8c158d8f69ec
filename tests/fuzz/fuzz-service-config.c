/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mosd's services file. Whatever parses must make a valid container spec and an OCI config. */

#include <stdlib.h>

#include "container.h"
#include "fuzz.h"
#include "service-config.h"
#include "userns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ServiceConfig *c = NULL;
        _cleanup_free_ char *err = NULL;
        size_t n = 0;

        if (service_config_parse((const char *) data, size, &c, &n, &err) < 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ json_t *config = NULL;

                c[i].spec.uid_shift = USERNS_FIRST_BASE;
                if (container_spec_validate(&c[i].spec, NULL) < 0 ||
                    container_build_config(&c[i].spec, &config) < 0)
                        abort();
        }
        service_config_free_many(c, n);
        return 0;
}
