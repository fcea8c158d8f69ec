/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The OCI JSON parsers: manifest, index and image config, and the MachineOS layer
 * annotations. Whatever parses must format, and the formatted document must parse again to
 * the same bytes. */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "oci-image.h"

static void manifest(const uint8_t *data, size_t size) {
        _cleanup_(oci_manifest_freep) OciManifest *m = NULL, *m2 = NULL;
        _cleanup_free_ char *err = NULL, *a = NULL, *b = NULL;
        size_t na, nb;

        if (oci_manifest_parse((const char *) data, size, &m, &err) < 0)
                return;
        for (size_t i = 0; i < m->n_layers; i++) {
                MosLayerVerity v;
                _cleanup_free_ char *e = NULL;
                (void) mos_layer_verity_from_descriptor(&m->layers[i], &v, &e);
        }
        if (oci_manifest_format(m, &a, &na) < 0)
                return;
        if (oci_manifest_parse(a, na, &m2, NULL) < 0 || oci_manifest_format(m2, &b, &nb) < 0 ||
            na != nb || memcmp(a, b, na) != 0)
                abort();
}

static void index_(const uint8_t *data, size_t size) {
        _cleanup_(oci_index_freep) OciIndex *i = NULL, *i2 = NULL;
        _cleanup_free_ char *err = NULL, *a = NULL, *b = NULL;
        size_t na, nb;

        if (oci_index_parse((const char *) data, size, &i, &err) < 0)
                return;
        if (oci_index_format(i, &a, &na) < 0)
                return;
        if (oci_index_parse(a, na, &i2, NULL) < 0 || oci_index_format(i2, &b, &nb) < 0 ||
            na != nb || memcmp(a, b, na) != 0)
                abort();
}

static void config(const uint8_t *data, size_t size) {
        _cleanup_(oci_image_config_freep) OciImageConfig *c = NULL, *c2 = NULL;
        _cleanup_free_ char *err = NULL, *a = NULL, *b = NULL;
        size_t na, nb;

        if (oci_image_config_parse((const char *) data, size, &c, &err) < 0)
                return;
        if (oci_image_config_format(c, &a, &na) < 0)
                return;
        if (oci_image_config_parse(a, na, &c2, NULL) < 0 ||
            oci_image_config_format(c2, &b, &nb) < 0 || na != nb || memcmp(a, b, na) != 0)
                abort();
}

static void docker(const uint8_t *data, size_t size) {
        _cleanup_(docker_archive_manifest_freep) DockerArchiveManifest *m = NULL;
        _cleanup_free_ char *err = NULL;

        (void) docker_archive_manifest_parse((const char *) data, size, &m, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        docker(data, size);
        manifest(data, size);
        index_(data, size);
        config(data, size);
        return 0;
}
