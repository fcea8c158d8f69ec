/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The manifest and OCI image layout side of `mos disk create` (docs/disk.md).
 *
 * The store partition is an OCI image layout (image-spec v1.1 image-layout.md): "oci-layout",
 * "index.json" and blobs/sha256/<hex>. The blobs are read here directly by their content
 * address, and each is checked against its digest while it is hashed, so a corrupt or foreign
 * layout is refused before anything is written. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "disk.h"
#include "fd-util.h"
#include "fileio.h"
#include "json.h"
#include "keyset.h"
#include "manifest.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

#define SIGNATURE_FILE_MAX (64u * 1024)
#define OCI_MANIFEST_MAX (4u * 1024 * 1024)
#define MEDIA_TYPE_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_TYPE_MANIFEST "application/vnd.oci.image.manifest.v1+json"

void disk_content_done(DiskContent *c) {
        free(c->config);
        free(c->store);
        strv_free(c->owned_paths);
        for (size_t i = 0; i < c->n_owned_data; i++)
                free(c->owned_data[i]);
        free(c->owned_data);
        *c = (DiskContent){ 0 };
}

_printf_(2, 3) static void set_error(char **ret_error, const char *fmt, ...) {
        va_list ap;
        char *s;

        if (!ret_error)
                return;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        free(*ret_error);
        *ret_error = s;
}

/* image-spec descriptor.md: algorithm ":" encoded, here sha256 with 64 lower-case hex digits. */
static const char *sha256_digest_hex(const char *digest) {
        const char *h = startswith(digest, "sha256:");
        if (!h || strlen(h) != 64)
                return NULL;
        for (const char *c = h; *c; c++)
                if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
                        return NULL;
        return h;
}

/* Streams a blob file, checking size and digest. */
static int check_blob(const char *path, const char *digest, uint64_t size) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_free_ char *hex = NULL;
        _cleanup_close_ int fd = -1;
        uint8_t d[SHA256_DIGEST_SIZE];
        uint64_t total = 0;
        struct stat st;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size != size)
                return -EBADMSG;
        r = crypto_hash_new(HASH_SHA256, &h);
        if (r < 0)
                return r;
        buf = malloc(1 << 20);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = loop_read(fd, buf, 1 << 20);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                total += (uint64_t) k;
                r = crypto_hash_update(h, buf, (size_t) k);
                if (r < 0)
                        return r;
        }
        if (total != size)
                return -EBADMSG;
        r = crypto_hash_final(h, d);
        if (r < 0)
                return r;
        hex = hexmem(d, sizeof d);
        if (!hex)
                return -ENOMEM;
        return streq(hex, sha256_digest_hex(digest)) ? 0 : -EBADMSG;
}

static char *blob_path(const char *layout, const char *digest) {
        return strjoin(layout, "/blobs/sha256/", sha256_digest_hex(digest));
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

static int add_store_blob(DiskContent *c, const char *layout, const char *digest, uint64_t size,
                          char **ret_error) {
        const char *src, *dest;
        FatFile *f;
        int r;

        for (size_t i = 0; i < c->n_store; i++)
                if (endswith(c->store[i].path, sha256_digest_hex(digest)))
                        return 0; /* shared between images */
        r = own_path(c, blob_path(layout, digest), &src);
        if (r < 0)
                return r;
        r = check_blob(src, digest, size);
        if (r == -ENOENT) {
                set_error(ret_error, "blob %s is not in the OCI layout", digest);
                return -ENOENT;
        }
        if (r == -EBADMSG) {
                set_error(ret_error, "blob %s in the OCI layout does not match its digest or size",
                          digest);
                return -EBADMSG;
        }
        if (r < 0)
                return r;
        r = own_path(c, strjoin("blobs/sha256/", sha256_digest_hex(digest)), &dest);
        if (r < 0)
                return r;
        f = reallocarray(c->store, c->n_store + 1, sizeof *f);
        if (!f)
                return -ENOMEM;
        c->store = f;
        c->store[c->n_store++] = (FatFile){ .path = dest, .source = src, .size = size };
        return 0;
}

/* The image manifest (image-spec manifest.md): its config descriptor, and its layers, which
 * must be the signed manifest's, in order. */
static int add_image(DiskContent *c, const char *layout, const ManifestTarget *t,
                     char **ret_error) {
        const ManifestImage *img = &t->image;
        _cleanup_free_ char *path = blob_path(layout, img->digest), *data = NULL;
        _cleanup_json_ json_t *j = NULL;
        json_t *config, *layers, *l;
        const char *cd;
        size_t n, i;
        int r;

        if (!path)
                return -ENOMEM;
        r = add_store_blob(c, layout, img->digest, img->size, ret_error);
        if (r < 0)
                return r;
        r = read_full_file(path, OCI_MANIFEST_MAX, &data, &n);
        if (r < 0)
                return r;
        r = json_parse_strict(data, n, OCI_MANIFEST_MAX, &j, NULL);
        config = j ? json_object_get(j, "config") : NULL;
        layers = j ? json_object_get(j, "layers") : NULL;
        cd = json_string_value(json_object_get(config, "digest"));
        if (r < 0 || json_integer_value(json_object_get(j, "schemaVersion")) != 2 || !cd ||
            !sha256_digest_hex(cd) || !json_is_integer(json_object_get(config, "size")) ||
            json_integer_value(json_object_get(config, "size")) < 0 || !json_is_array(layers)) {
                set_error(ret_error,
                          "image manifest %s of target '%s' is not an OCI image manifest",
                          img->digest, t->name);
                return -EBADMSG;
        }
        if (json_array_size(layers) != img->n_layers) {
                set_error(ret_error,
                          "image manifest %s of target '%s' has other layers than the signed "
                          "manifest",
                          img->digest, t->name);
                return -EBADMSG;
        }
        json_array_foreach(layers, i, l) {
                const char *ld = json_string_value(json_object_get(l, "digest"));
                if (!ld || !streq(ld, img->layers[i].digest) ||
                    json_integer_value(json_object_get(l, "size")) !=
                            (json_int_t) img->layers[i].size) {
                        set_error(ret_error,
                                  "image manifest %s of target '%s' has other layers than the "
                                  "signed manifest",
                                  img->digest, t->name);
                        return -EBADMSG;
                }
        }
        r = add_store_blob(c, layout, cd,
                           (uint64_t) json_integer_value(json_object_get(config, "size")),
                           ret_error);
        if (r < 0)
                return r;
        for (i = 0; i < img->n_layers; i++) {
                r = add_store_blob(c, layout, img->layers[i].digest, img->layers[i].size,
                                   ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_memory_file(DiskContent *c, FatFile **files, size_t *n, const char *path,
                           uint8_t *data, size_t size) {
        FatFile *f;
        int r = own_data(c, data);
        if (r < 0)
                return r;
        f = reallocarray(*files, *n + 1, sizeof *f);
        if (!f)
                return -ENOMEM;
        *files = f;
        (*files)[(*n)++] = (FatFile){ .path = path, .data = data, .size = size };
        return 0;
}

static int make_index(DiskContent *c, const Manifest *m) {
        _cleanup_json_ json_t *index = json_object(), *list = json_array();
        static const char layout_file[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        _cleanup_free_ char *dump = NULL;
        uint8_t *d;
        size_t n;
        int r;

        if (!index || !list)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_targets; i++) {
                const ManifestTarget *t = &m->targets[i];
                json_t *desc =
                        json_pack("{s:s,s:s,s:I,s:{s:s,s:s}}", "mediaType", MEDIA_TYPE_MANIFEST,
                                  "digest", t->image.digest, "size", (json_int_t) t->image.size,
                                  "annotations", "org.opencontainers.image.ref.name",
                                  t->image.reference ?: t->name, "org.machineos.target", t->name);
                if (!desc || json_array_append_new(list, desc) < 0)
                        return -ENOMEM;
        }
        if (json_object_set_new(index, "schemaVersion", json_integer(2)) < 0 ||
            json_object_set_new(index, "mediaType", json_string(MEDIA_TYPE_INDEX)) < 0 ||
            json_object_set(index, "manifests", list) < 0)
                return -ENOMEM;
        r = json_dump_canonical(index, &dump, &n);
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
        _cleanup_free_ char *data = NULL, *sig = NULL, *sig_path = NULL;
        ManifestVerifyOptions o = { 0 };
        size_t dn, sn;
        int r;

        r = keyset_open(keyset_dir, &k);
        if (r < 0)
                return r;
        r = keyset_product_load(k, product, &prod);
        if (r < 0) {
                set_error(ret_error, "product '%s' of the keyset cannot be used", product);
                return r;
        }
        r = keyset_load_cert(k, KEYSET_MANIFEST_CA, &ca);
        if (r < 0)
                return r;
        r = read_full_file(manifest_path, MANIFEST_MAX_SIZE + 1, &data, &dn);
        if (r < 0)
                return r == -EFBIG ? -EFBIG : r;
        sig_path = strjoin(manifest_path, ".sig");
        if (!sig_path)
                return -ENOMEM;
        r = read_full_file(sig_path, SIGNATURE_FILE_MAX, &sig, &sn);
        if (r == -ENOENT) {
                set_error(ret_error, "the signature %s is missing", sig_path);
                return -EKEYREJECTED;
        }
        if (r < 0)
                return r;
        o.ca = ca;
        o.product = prod->uuid;
        o.now = (int64_t) time(NULL);
        r = manifest_verify(data, dn, sig, sn, &o, &m, ret_error);
        if (r < 0)
                return r;

        for (size_t i = 0; i < m->n_targets; i++) {
                r = add_image(&c, layout_dir, &m->targets[i], ret_error);
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
