/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Building a manifest from the vendor's product description (docs/manifest.md, "The product
 * description"): YAML or JSON, defaults, creation time, images resolved in an OCI layout. Kept
 * apart from manifest.c so that programs that only verify (mos-init) do not link libyaml. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "image.h"
#include "manifest.h"
#include "oci-layout.h"
#include "string-util.h"
#include "time-util.h"
#include "yaml-json.h"

int manifest_resolve_image(const char *layout_dir, const char *reference, ManifestImage *ret,
                           char **ret_error) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_(manifest_image_done) ManifestImage mi = {};
        _cleanup_free_ char *err = NULL;
        int r;

        /* image_resolve() (issue 4's layout API): the index.json entry tagged NAME:TAG
         * (org.opencontainers.image.ref.name), its image manifest's digest and size, both checked
         * against the blob, and per layer the digest, size and the verity annotations.
         * manifest_validate() then checks the verity geometry as for explicit images. */
        r = oci_layout_open(layout_dir, 0, &l, &err);
        if (r >= 0)
                r = image_resolve(l, reference, &img, &err);
        if (r < 0) {
                if (ret_error)
                        *ret_error =
                                strprintf("cannot resolve '%s' in OCI layout '%s': %s", reference,
                                          strempty(layout_dir), err ?: strerror(-r));
                return r;
        }

        mi.reference = strdup(reference);
        mi.digest = digest_to_string(&img->manifest_digest);
        mi.size = img->manifest_size;
        mi.layers = calloc(img->n_layers ?: 1, sizeof(ManifestLayer));
        if (!mi.reference || !mi.digest || !mi.layers)
                return -ENOMEM;
        for (size_t i = 0; i < img->n_layers; i++) {
                const ImageLayer *il = &img->layers[i];
                ManifestLayer *ml = &mi.layers[i];

                mi.n_layers++;
                ml->digest = digest_to_string(&il->digest);
                ml->size = il->size;
                memcpy(ml->verity.root_hash, il->verity.root_hash, sizeof ml->verity.root_hash);
                ml->verity.salt = malloc(il->verity.salt_size ?: 1);
                if (!ml->digest || !ml->verity.salt)
                        return -ENOMEM;
                memcpy(ml->verity.salt, il->verity.salt, il->verity.salt_size);
                ml->verity.salt_size = il->verity.salt_size;
                ml->verity.data_blocks = il->verity.data_blocks;
                ml->verity.hash_offset = il->verity.hash_offset;
        }
        *ret = mi;
        mi = (ManifestImage){};
        return 0;
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
