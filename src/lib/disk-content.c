/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The manifest and OCI image layout side of `mos disk create` (docs/disk.md).
 *
 * The store partition is an OCI image layout (image-spec v1.1 image-layout.md): "oci-layout",
 * "index.json" and blobs/sha256/<hex>. The source layout is read through the layout and image
 * modules (oci-layout.h, image.h): each image manifest and config is read once, checked
 * against its digest and parsed from those same bytes, which are the ones that go to the
 * disk; each layer is checked against its digest and size, and its descriptor against the
 * signed manifest. A corrupt or foreign layout is refused before anything is written. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "disk.h"
#include "error-util.h"
#include "fileio.h"
#include "image.h"
#include "json.h"
#include "keyset.h"
#include "manifest.h"
#include "oci-image.h"
#include "oci-layout.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

void disk_content_done(DiskContent *c) {
        free(c->config);
        free(c->store);
        strv_free(c->owned_paths);
        for (size_t i = 0; i < c->n_owned_data; i++)
                free(c->owned_data[i]);
        free(c->owned_data);
        *c = (DiskContent){ 0 };
}

static int own_path(DiskContent *c, char *p, const char **ret) {
        if (!p)
                return -ENOMEM;
        if (strv_extend(&c->owned_paths, p) < 0) {
                free(p);
                return -ENOMEM;
        }
        *ret = c->owned_paths[strv_length(c->owned_paths) - 1];
        free(p);
        return 0;
}

static int own_data(DiskContent *c, uint8_t *d) {
        uint8_t **n = reallocarray(c->owned_data, c->n_owned_data + 1, sizeof *n);
        if (!n) {
                free(d);
                return -ENOMEM;
        }
        c->owned_data = n;
        c->owned_data[c->n_owned_data++] = d;
        return 0;
}

static int add_file(FatFile **files, size_t *n, FatFile f) {
        FatFile *m = reallocarray(*files, *n + 1, sizeof *m);
        if (!m)
                return -ENOMEM;
        *files = m;
        (*files)[(*n)++] = f;
        return 0;
}

static int add_memory_file(DiskContent *c, FatFile **files, size_t *n, const char *path,
                           uint8_t *data, size_t size) {
        int r = own_data(c, data);
        if (r < 0)
                return r;
        return add_file(files, n, (FatFile){ .path = path, .data = data, .size = size });
}

static bool store_has(const DiskContent *c, const Digest *d) {
        _cleanup_free_ char *path = oci_layout_blob_path(d);
        for (size_t i = 0; path && i < c->n_store; i++)
                if (streq(c->store[i].path, path))
                        return true;
        return false;
}

/* A blob read into memory and checked against its digest (a manifest or a config): those bytes
 * go to the disk, nothing reads the file again. */
static int add_blob_data(DiskContent *c, OciLayout *l, const Digest *d, uint64_t size, size_t max,
                         char **ret_error) {
        _cleanup_free_ char *data = NULL;
        const char *dest;
        int r;

        if (store_has(c, d))
                return 0; /* shared between images */
        r = oci_layout_read_blob(l, d, size, max, &data, ret_error);
        if (r < 0)
                return r;
        r = own_path(c, oci_layout_blob_path(d), &dest);
        if (r < 0)
                return r;
        return add_memory_file(c, &c->store, &c->n_store, dest, (uint8_t *) TAKE_PTR(data),
                               (size_t) size);
}

/* A layer: checked against its digest and size, then streamed from the layout by fat32_write().
 * Layers can be large; the appliance checks every block of them through dm-verity anyway. */
static int add_blob_file(DiskContent *c, OciLayout *l, const Digest *d, uint64_t size,
                         char **ret_error) {
        const char *src, *dest;
        char *rel;
        int r;

        if (store_has(c, d))
                return 0;
        r = oci_layout_check_blob(l, d, size, ret_error);
        if (r < 0)
                return r;
        rel = oci_layout_blob_path(d);
        if (!rel)
                return -ENOMEM;
        r = own_path(c, path_join(oci_layout_path(l), rel), &src);
        if (r < 0) {
                free(rel);
                return r;
        }
        r = own_path(c, rel, &dest);
        if (r < 0)
                return r;
        return add_file(&c->store, &c->n_store,
                        (FatFile){ .path = dest, .source = src, .size = size });
}

static bool verity_equal(const ManifestVerity *m, const MosLayerVerity *v) {
        return memcmp(m->root_hash, v->root_hash, sizeof m->root_hash) == 0 &&
               m->salt_size == v->salt_size && memcmp(m->salt, v->salt, v->salt_size) == 0 &&
               m->data_blocks == v->data_blocks && m->hash_offset == v->hash_offset;
}

/* The image the signed manifest names by digest (image_load(): manifest, config, layer
 * descriptors with their verity annotations), whose layers must be the signed manifest's, in
 * order, with the same sizes and verity parameters; then its blobs. */
static int add_image(DiskContent *c, OciLayout *l, const ManifestTarget *t, char **ret_error) {
        const ManifestImage *mi = &t->image;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_free_ char *err = NULL;
        Digest d;
        int r;

        r = digest_parse(mi->digest, &d);
        if (r < 0) /* manifest_validate() checked it */
                return error_set(ret_error, -EBADMSG, "target '%s': digest %s is not sha256",
                                 t->name, mi->digest);
        r = image_load(l, mi->reference ?: t->name, &d, mi->size, &img, &err);
        if (r < 0)
                return error_set(ret_error, r, "target '%s': %s", t->name, err ?: strerror(-r));
        if (img->n_layers != mi->n_layers)
                return error_set(ret_error, -EBADMSG,
                                 "target '%s': image manifest %s has %zu layers, the signed "
                                 "manifest %zu",
                                 t->name, mi->digest, img->n_layers, mi->n_layers);
        for (size_t i = 0; i < mi->n_layers; i++) {
                const ManifestLayer *ml = &mi->layers[i];
                const ImageLayer *il = &img->layers[i];
                char dg[DIGEST_STRING_MAX];

                if (!streq(digest_format(&il->digest, dg), ml->digest) || il->size != ml->size)
                        return error_set(ret_error, -EBADMSG,
                                         "target '%s': layer %zu of image manifest %s is %s (%llu "
                                         "bytes), the signed manifest says %s (%llu bytes)",
                                         t->name, i + 1, mi->digest, dg,
                                         (unsigned long long) il->size, ml->digest,
                                         (unsigned long long) ml->size);
                if (!verity_equal(&ml->verity, &il->verity))
                        return error_set(ret_error, -EBADMSG,
                                         "target '%s': layer %zu (%s): the verity parameters of "
                                         "the layout differ from the signed manifest's",
                                         t->name, i + 1, ml->digest);
        }

        r = add_blob_data(c, l, &img->manifest_digest, img->manifest_size, OCI_MANIFEST_SIZE_MAX,
                          &err);
        if (r >= 0)
                r = add_blob_data(c, l, &img->config_digest, img->config_size, OCI_CONFIG_SIZE_MAX,
                                  &err);
        for (size_t i = 0; r >= 0 && i < img->n_layers; i++)
                r = add_blob_file(c, l, &img->layers[i].digest, img->layers[i].size, &err);
        if (r < 0)
                return error_set(ret_error, r, "target '%s': %s", t->name, err ?: strerror(-r));
        return 0;
}

/* index.json names one image manifest per target: ref.name is the image's NAME:TAG (or the
 * target's name), org.machineos.target the target. */
static int make_index(DiskContent *c, const Manifest *m) {
        static const char layout_file[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        _cleanup_free_ char *dump = NULL;
        uint8_t *d;
        size_t n;
        int r;

        index = calloc(1, sizeof *index);
        if (!index)
                return -ENOMEM;
        index->manifests = calloc(m->n_targets, sizeof *index->manifests);
        if (!index->manifests)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_targets; i++) {
                const ManifestTarget *t = &m->targets[i];
                OciDescriptor *desc = &index->manifests[index->n_manifests++];

                desc->size = t->image.size;
                if (digest_parse(t->image.digest, &desc->digest) < 0)
                        return -EBADMSG;
                desc->media_type = strdup(OCI_MEDIA_TYPE_MANIFEST);
                desc->annotations =
                        json_pack("{s:s,s:s}", OCI_ANNOTATION_REF_NAME,
                                  t->image.reference ?: t->name, "org.machineos.target", t->name);
                if (!desc->media_type || !desc->annotations)
                        return -ENOMEM;
        }
        r = oci_index_format(index, &dump, &n);
        if (r < 0)
                return r;
        r = add_memory_file(c, &c->store, &c->n_store, "index.json", (uint8_t *) TAKE_PTR(dump), n);
        if (r < 0)
                return r;
        d = (uint8_t *) strdup(layout_file);
        if (!d)
                return -ENOMEM;
        return add_memory_file(c, &c->store, &c->n_store, "oci-layout", d, strlen(layout_file));
}

int disk_content_from_manifest(const char *keyset_dir, const char *product,
                               const char *manifest_path, const char *layout_dir, DiskContent *ret,
                               char **ret_error) {
        _cleanup_(disk_content_done) DiskContent c = { 0 };
        _cleanup_(keyset_product_freep) KeysetProduct *prod = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_free_ char *data = NULL, *sig = NULL, *sig_path = NULL;
        ManifestVerifyOptions o = { 0 };
        size_t dn, sn;
        int r;

        r = keyset_open(keyset_dir, &k);
        if (r < 0)
                return r;
        r = keyset_product_load(k, product, &prod);
        if (r < 0)
                return error_set(ret_error, r, "product '%s' of the keyset cannot be used",
                                 product);
        r = keyset_load_cert(k, KEYSET_MANIFEST_CA, &ca);
        if (r < 0)
                return r;
        r = read_full_file(manifest_path, MANIFEST_MAX_SIZE + 1, &data, &dn);
        if (r < 0)
                return r;
        sig_path = strjoin(manifest_path, ".sig");
        if (!sig_path)
                return -ENOMEM;
        r = read_full_file(sig_path, CMS_SIGNATURE_MAX, &sig, &sn);
        if (r == -ENOENT)
                return error_set(ret_error, -EKEYREJECTED, "the signature %s is missing", sig_path);
        if (r < 0)
                return r;
        o.ca = ca;
        o.product = prod->uuid;
        o.now = (int64_t) time(NULL);
        r = manifest_verify(data, dn, sig, sn, &o, &m, ret_error);
        if (r < 0)
                return r;

        r = oci_layout_open(layout_dir, 0, &l, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_targets; i++) {
                r = add_image(&c, l, &m->targets[i], ret_error);
                if (r < 0)
                        return r;
        }
        r = make_index(&c, m);
        if (r < 0)
                return r;
        r = crypto_sha256(data, dn, c.manifest_digest);
        if (r < 0)
                return r;
        r = add_memory_file(&c, &c.config, &c.n_config, DISK_CONFIG_MANIFEST,
                            (uint8_t *) TAKE_PTR(data), dn);
        if (r >= 0)
                r = add_memory_file(&c, &c.config, &c.n_config, DISK_CONFIG_SIGNATURE,
                                    (uint8_t *) TAKE_PTR(sig), sn);
        if (r < 0)
                return r;
        c.data_size = m->data_size;
        c.store_size = m->store_size;
        *ret = c;
        c = (DiskContent){ 0 };
        return 0;
}
