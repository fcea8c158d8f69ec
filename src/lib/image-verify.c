/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Resolving and verifying MachineOS images in a layout. */

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "error-util.h"
#include "fd-util.h"
#include "image.h"
#include "io-util.h"
#include "memory-util.h"
#include "squashfs.h"
#include "string-util.h"
#include "verity.h"

int image_resolve(OciLayout *l, const char *ref, Image **ret, char **ret_error) {
        OciDescriptor d = {};
        char dg[DIGEST_STRING_MAX];
        int r;

        r = oci_layout_resolve(l, ref, &d, ret_error);
        if (r < 0)
                return r;
        if (!streq(d.media_type, OCI_MEDIA_TYPE_MANIFEST))
                r = error_set(ret_error, -EBADMSG, "'%s': %s is a %s, not an image manifest", ref,
                              digest_format(&d.digest, dg), d.media_type);
        else
                r = image_load(l, ref, &d.digest, d.size, ret, ret_error);
        oci_descriptor_done(&d);
        return r;
}

int image_load(OciLayout *l, const char *ref, const Digest *manifest, uint64_t manifest_size,
               Image **ret, char **ret_error) {
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_(oci_manifest_freep) OciManifest *m = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL;
        char dg[DIGEST_STRING_MAX];
        int r;

        img = calloc(1, sizeof *img);
        if (!img || !(img->ref = strdup(ref)))
                return -ENOMEM;
        img->manifest_digest = *manifest;
        img->manifest_size = manifest_size;
        digest_format(manifest, dg);

        r = oci_layout_read_blob(l, &img->manifest_digest, img->manifest_size,
                                 OCI_MANIFEST_SIZE_MAX, &data, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': manifest %s", ref, err ?: strerror(-r));
        r = oci_manifest_parse(data, img->manifest_size, &m, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': manifest %s: %s", ref, dg,
                                 err ?: strerror(-r));
        if (!streq_ptr(m->config.media_type, OCI_MEDIA_TYPE_CONFIG))
                return error_set(ret_error, -EBADMSG, "'%s': manifest %s: the config is a %s", ref,
                                 dg, m->config.media_type);
        if (m->n_layers == 0)
                return error_set(ret_error, -EBADMSG, "'%s': manifest %s has no layers", ref, dg);

        img->config_digest = m->config.digest;
        img->config_size = m->config.size;
        data = mfree(data);
        r = oci_layout_read_blob(l, &m->config.digest, m->config.size, OCI_CONFIG_SIZE_MAX, &data,
                                 &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': config %s", ref, err ?: strerror(-r));
        r = oci_image_config_parse(data, m->config.size, &img->config, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': config %s: %s", ref,
                                 digest_format(&m->config.digest, dg), err ?: strerror(-r));
        if (img->config->n_diff_ids != m->n_layers)
                return error_set(ret_error, -EBADMSG,
                                 "'%s': the config lists %zu layers, the manifest %zu", ref,
                                 img->config->n_diff_ids, m->n_layers);

        img->layers = calloc(m->n_layers, sizeof *img->layers);
        if (!img->layers)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_layers; i++) {
                ImageLayer *layer = &img->layers[i];
                r = mos_layer_verity_from_descriptor(&m->layers[i], &layer->verity, &err);
                if (r < 0)
                        return error_set(ret_error, r, "'%s': layer %zu (%s): %s", ref, i + 1,
                                         digest_format(&m->layers[i].digest, dg),
                                         err ?: strerror(-r));
                layer->digest = m->layers[i].digest;
                layer->size = m->layers[i].size;
                if (!digest_equal(&img->config->diff_ids[i], &layer->digest))
                        return error_set(ret_error, -EBADMSG,
                                         "'%s': layer %zu (%s): not the config's diff_id", ref,
                                         i + 1, dg);
                img->n_layers++;
        }
        *ret = TAKE_PTR(img);
        return 0;
}

/* The layer digest on its own thread, beside the verity workers. */
typedef struct DigestJob {
        int fd;
        uint64_t size;
        Digest result;
        int error;
} DigestJob;

static void *digest_thread(void *userdata) {
        DigestJob *j = userdata;
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;

        j->error = crypto_hash_new(HASH_SHA256, &h);
        if (j->error >= 0)
                j->error = hash_fd_range(j->fd, h, 0, j->size);
        if (j->error >= 0)
                j->error = crypto_hash_final(h, j->result.sha256);
        return NULL;
}

typedef struct VerifyProgress {
        const ImageVerifyOptions *options;
        char what[64];
} VerifyProgress;

static void verify_progress(uint64_t done, uint64_t total, void *userdata) {
        VerifyProgress *p = userdata;
        if (p->options && p->options->progress)
                p->options->progress(p->what, done, total, p->options->userdata);
}

static int verify_layer(OciLayout *l, const char *ref, size_t i, size_t n, const ImageLayer *layer,
                        const ImageVerifyOptions *o, char **ret_error) {
        _cleanup_close_ int fd = -1;
        char dg[DIGEST_STRING_MAX];
        const char *serr = NULL;
        VerityParams vp;
        VerityFailure f = {};
        VerifyProgress p = { .options = o };
        DigestJob job = {};
        pthread_t tid;
        bool threaded;
        uint64_t size;
        uint8_t pad[VERITY_BLOCK_SIZE];
        SquashfsInfo info;
        int r, rv;

        digest_format(&layer->digest, dg);
        r = oci_layout_open_blob(l, &layer->digest, &fd, &size);
        if (r < 0)
                return error_set(ret_error, r, "'%s': layer %zu (%s): %s", ref, i + 1, dg,
                                 r == -ENOENT ? "blob missing" : strerror(-r));
        if (size != layer->size)
                return error_set(ret_error, -EBADMSG,
                                 "'%s': layer %zu (%s): size mismatch (%llu bytes, expected %llu)",
                                 ref, i + 1, dg, (unsigned long long) size,
                                 (unsigned long long) layer->size);

        image_layer_verity_params(&layer->verity, &vp);

        /* digest and verity at the same time: both read the whole blob */
        job = (DigestJob){ .fd = fd, .size = size };
        threaded = pthread_create(&tid, NULL, digest_thread, &job) == 0;
        if (!threaded)
                digest_thread(&job);
        snprintf(p.what, sizeof p.what, "layer %zu/%zu: verifying", i + 1, n);
        rv = verity_verify(fd, &vp, layer->verity.root_hash,
                           &(VerityOptions){ .threads = o ? o->threads : 0,
                                             .progress = verify_progress,
                                             .userdata = &p },
                           &f);
        if (threaded)
                (void) pthread_join(tid, NULL);

        if (rv == -EUCLEAN)
                return error_set(ret_error, -EUCLEAN,
                                 "'%s': layer %zu (%s): %s block at offset %llu does not match the "
                                 "verity root hash",
                                 ref, i + 1, dg, f.hash_block ? "hash" : "data",
                                 (unsigned long long) f.offset);
        if (rv < 0)
                return error_set(ret_error, rv,
                                 "'%s': layer %zu (%s): cannot check the verity hash tree: %s", ref,
                                 i + 1, dg, strerror(-rv));
        if (job.error < 0)
                return error_set(ret_error, job.error,
                                 "'%s': layer %zu (%s): cannot read the blob: %s", ref, i + 1, dg,
                                 strerror(-job.error));
        if (!digest_equal(&job.result, &layer->digest))
                return error_set(ret_error, -EBADMSG, "'%s': layer %zu (%s): digest mismatch", ref,
                                 i + 1, dg);

        r = squashfs_check_superblock(fd, vp.hash_offset, &info, &serr);
        if (r < 0)
                return error_set(ret_error, r, "'%s': layer %zu (%s): squashfs superblock: %s", ref,
                                 i + 1, dg, serr ?: strerror(-r));
        /* docs/image-format.md: the squashfs image is padded with zeros to the hash offset */
        if (vp.hash_offset - info.bytes_used >= VERITY_BLOCK_SIZE)
                return error_set(ret_error, -EBADMSG,
                                 "'%s': layer %zu (%s): data after the squashfs image", ref, i + 1,
                                 dg);
        if (vp.hash_offset > info.bytes_used) {
                size_t k = (size_t) (vp.hash_offset - info.bytes_used);
                if (pread(fd, pad, k, (off_t) info.bytes_used) != (ssize_t) k)
                        return error_set(ret_error, -EIO,
                                         "'%s': layer %zu (%s): cannot read the padding", ref,
                                         i + 1, dg);
                if (!memeqzero(pad, k))
                        return error_set(ret_error, -EBADMSG,
                                         "'%s': layer %zu (%s): the padding after the squashfs "
                                         "image is not zero",
                                         ref, i + 1, dg);
        }
        return 0;
}

int image_verify(OciLayout *l, const char *ref, const ImageVerifyOptions *o, Image **ret,
                 char **ret_error) {
        _cleanup_(image_freep) Image *img = NULL;
        int r;

        r = image_resolve(l, ref, &img, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < img->n_layers; i++) {
                r = verify_layer(l, ref, i, img->n_layers, &img->layers[i], o, ret_error);
                if (r < 0)
                        return r;
        }
        if (ret)
                *ret = TAKE_PTR(img);
        return 0;
}
