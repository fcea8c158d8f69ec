/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Building a manifest from the vendor's product description (docs/manifest.md, "The product
 * description"): YAML or JSON, defaults, creation time, images resolved in an OCI layout. Kept
 * apart from manifest.c so that programs that only verify (mos-init) do not link libyaml. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "string-util.h"
#include "time-util.h"
#include "yaml-json.h"

int manifest_resolve_image(const char *layout_dir, const char *reference, ManifestImage *ret,
                           char **ret_error) {
        /* THE SEAM. The OCI layout module (issue 4, not on main yet) provides what this needs:
         * the index.json entry tagged NAME:TAG (org.opencontainers.image.ref.name), its image
         * manifest's digest and size (both checked against the blob), and per layer descriptor
         * the digest, size and the verity annotations. Wiring, once it is on main (its branch
         * has oci_layout_open() and image_resolve()):
         *
         *   oci_layout_open(layout_dir, 0, &l, ret_error);
         *   image_resolve(l, reference, &img, ret_error);
         *   ret->reference = reference; ret->digest = "sha256:" + hex(img->manifest_digest);
         *   ret->size = img->manifest_size; for each img->layers[i]: digest, size, and
         *   verity.{root_hash, salt[salt_size], data_blocks, hash_offset} copied as they are.
         *
         * manifest_validate() then checks the verity geometry like for explicit images. Until
         * then: refuse, never guess. */
        if (ret_error)
                *ret_error = strprintf("cannot resolve '%s' in OCI layout '%s': image lookup in "
                                       "an OCI layout is not available in this build; name the "
                                       "image by digest (an image object) in the spec",
                                       reference, strempty(layout_dir));
        return -EOPNOTSUPP;
}

static void apply_spec_defaults(Manifest *m) {
        for (size_t i = 0; i < m->n_targets; i++) {
                ManifestContainer *ct = m->targets[i].container;
                if (!ct)
                        continue;
                if (!ct->args)
                        ct->args = calloc(1, sizeof(char *));
                if (!ct->env)
                        ct->env = calloc(1, sizeof(char *));
                if (!ct->working_dir)
                        ct->working_dir = strdup("/");
                /* Each service its own user namespace unless the vendor groups them. */
                if (!ct->userns_group)
                        ct->userns_group = strdup(m->targets[i].name);
        }
}

static bool spec_defaults_ok(const Manifest *m) {
        for (size_t i = 0; i < m->n_targets; i++) {
                const ManifestContainer *ct = m->targets[i].container;
                if (ct && (!ct->args || !ct->env || !ct->working_dir || !ct->userns_group))
                        return false;
        }
        return true;
}

int manifest_build(const char *spec, size_t size, const ManifestBuildOptions *o, Manifest **ret,
                   char **ret_error) {
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_json_ json_t *j = NULL;
        SpecFormat format = o->format;
        int r;

        if (size > MANIFEST_MAX_SIZE) {
                if (ret_error)
                        *ret_error = strprintf("%zu bytes exceed the limit of %u bytes", size,
                                               MANIFEST_MAX_SIZE);
                return -EFBIG;
        }
        if (format == SPEC_AUTO) {
                size_t i = 0;
                while (i < size && strchr(" \t\r\n", spec[i]) && spec[i])
                        i++;
                format = i < size && spec[i] == '{' ? SPEC_JSON : SPEC_YAML;
        }
        if (format == SPEC_JSON)
                r = json_parse_strict(spec, size, MANIFEST_MAX_SIZE, &j, ret_error);
        else
                r = yaml_to_json(spec, size, MANIFEST_MAX_SIZE, &j, ret_error);
        if (r < 0)
                return r;

        r = manifest_parse_spec(j, &m, ret_error);
        if (r < 0)
                return r;

        if (o->product)
                memcpy(m->product, o->product, UUID_SIZE);
        if (o->release)
                m->release = o->release;
        if (uuid_is_null(m->product)) {
                if (ret_error)
                        *ret_error = strdup("field 'product': missing (set it in the spec or "
                                            "use --product)");
                return -EBADMSG;
        }
        if (m->release == 0) {
                if (ret_error)
                        *ret_error = strdup("field 'release': missing (set it in the spec or use "
                                            "--release)");
                return -EBADMSG;
        }
        if (!m->created) {
                char buf[RFC3339_MAX];
                time_t t;

                r = source_date_epoch(&t);
                if (r < 0) {
                        if (ret_error)
                                *ret_error = strdup(
                                        r == -ENOENT
                                                ? "field 'created': missing (set it in the spec "
                                                  "or set $SOURCE_DATE_EPOCH, so that the output "
                                                  "does not depend on the clock)"
                                                : "$SOURCE_DATE_EPOCH is not a number of seconds");
                        return -EINVAL;
                }
                r = rfc3339_format(t, buf);
                if (r < 0)
                        return r;
                m->created = strdup(buf);
                if (!m->created)
                        return -ENOMEM;
        }
        apply_spec_defaults(m);
        if (!spec_defaults_ok(m))
                return -ENOMEM;

        for (size_t i = 0; i < m->n_targets; i++) {
                ManifestImage *img = &m->targets[i].image, resolved = {};
                _cleanup_free_ char *ref = NULL;

                if (img->digest)
                        continue; /* explicit */
                if (!o->layout_dir) {
                        if (ret_error)
                                *ret_error = strprintf("field 'targets[%zu].image': '%s' names "
                                                       "an image in an OCI layout, but no layout "
                                                       "was given (--layout)",
                                                       i, img->reference);
                        return -EINVAL;
                }
                r = manifest_resolve_image(o->layout_dir, img->reference, &resolved, ret_error);
                if (r < 0)
                        return r;
                ref = TAKE_PTR(img->reference);
                manifest_image_done(img);
                *img = resolved;
                if (!img->reference)
                        img->reference = TAKE_PTR(ref);
        }

        r = manifest_validate(m, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}
