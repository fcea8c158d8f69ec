/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* YAML to JSON: the vendor may write a product description in YAML; it is converted into the
 * same json_t the JSON path produces, so one parser (with its schema checks) handles both. This
 * module is the only place that includes <yaml.h> (libyaml).
 *
 * Only the part of YAML 1.2 that maps onto JSON is accepted:
 *   - one document whose root is a mapping; mapping keys are scalars, unique;
 *   - no anchors, aliases or explicit tags (no "billion laughs", no type surprises);
 *   - plain scalars resolve as in the YAML 1.2 core schema, restricted: null, ~ and the empty
 *     scalar are null; true/false (also True/TRUE/False/FALSE) are booleans; decimal integers
 *     [-+]?[0-9]+ are integers (64-bit range); everything else, including what YAML would read
 *     as a float (1.0, 1e3, .inf), is the string as written;
 *   - quoted and block scalars are always strings; strings with NUL characters are refused;
 *   - nesting depth at most YAML_JSON_MAX_DEPTH.
 * Errors: -EFBIG above max_size, -EBADMSG otherwise, with *ret_error (may be NULL) naming the
 * line and column. */

#include <stddef.h>

#include "json.h"

#define YAML_JSON_MAX_DEPTH 64

int yaml_to_json(const char *data, size_t size, size_t max_size, json_t **ret, char **ret_error);
