/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos image build: sources -> squashfs layers with dm-verity -> OCI image in a layout. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "dir-import.h"
#include "error-util.h"
#include "fd-util.h"
#include "image.h"
#include "io-util.h"
#include "log.h"
#include "path-util.h"
#include "squashfs.h"
#include "string-util.h"
#include "strv.h"
#include "tar-import.h"
#include "verity.h"

#define SYMLINK_HOPS_MAX 8

Image *image_free(Image *i) {
        if (!i)
                return NULL;
        free(i->ref);
        free(i->layers);
        oci_image_config_free(i->config);
        free(i);
        return NULL;
}

const char *image_host_architecture(void) {
        static const struct {
                const char *uname, *goarch;
        } map[] = {
                { "x86_64", "amd64" },    { "aarch64", "arm64" }, { "i686", "386" },
                { "i386", "386" },        { "armv7l", "arm" },    { "riscv64", "riscv64" },
                { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
        };
        static struct utsname u;

        if (uname(&u) < 0)
                return "amd64";
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(u.machine, map[i].uname))
                        return map[i].goarch;
        return u.machine;
}

void image_layer_verity_params(const MosLayerVerity *v, VerityParams *ret) {
        *ret = (VerityParams){ .data_blocks = v->data_blocks, .hash_offset = v->hash_offset };
        memcpy(ret->salt, v->salt, v->salt_size);
        ret->salt_size = v->salt_size;
        /* the first 16 bytes of the salt as an RFC 9562 version 8 (custom) UUID */
        memcpy(ret->uuid, v->salt, MIN(v->salt_size, (size_t) VERITY_UUID_SIZE));
        ret->uuid[6] = (uint8_t) ((ret->uuid[6] & 0x0f) | 0x80);
        ret->uuid[8] = (uint8_t) ((ret->uuid[8] & 0x3f) | 0x80);
}

/* ---- sources ---- */

typedef enum SourceKind {
        SOURCE_DIRECTORY,
        SOURCE_TAR,
        SOURCE_OCI,
        SOURCE_DOCKER_ARCHIVE,
} SourceKind;

typedef struct Source {
        SourceKind kind;
        char *path;
        char *ref;
        OciImageConfig *config; /* NULL for directories and tar archives */
        size_t n_layers;

        OciLayout *layout; /* oci: */
        OciManifest *manifest;

        int fd;                        /* tar, docker-archive */
        DockerArchiveManifest *docker; /* docker-archive: */
        const DockerArchiveEntry *entry;
} Source;

static Source *source_free(Source *s) {
        if (!s)
                return NULL;
        free(s->path);
        free(s->ref);
        oci_image_config_free(s->config);
        oci_layout_free(s->layout);
        oci_manifest_free(s->manifest);
        safe_close(s->fd);
        docker_archive_manifest_free(s->docker);
        free(s);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Source *, source_free);

static bool layer_media_type_is_tar(const char *t) {
        return STR_IN_SET(t, OCI_MEDIA_TYPE_LAYER_TAR, OCI_MEDIA_TYPE_LAYER_TAR_GZIP,
                          OCI_MEDIA_TYPE_LAYER_TAR_ZSTD, DOCKER_MEDIA_TYPE_LAYER_TAR_GZIP,
                          DOCKER_MEDIA_TYPE_LAYER_TAR);
}

static const char *descriptor_ref_name(const OciDescriptor *d) {
        json_t *v =
                d->annotations ? json_object_get(d->annotations, OCI_ANNOTATION_REF_NAME) : NULL;
        return v ? json_string_value(v) : NULL;
}

/* In an image index, the manifest for this machine (or the only one). */
static int pick_platform(Source *s, const OciDescriptor *index_desc, OciDescriptor *ret,
                         char **ret_error) {
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL;
        const OciDescriptor *pick = NULL;
        char dg[DIGEST_STRING_MAX];
        int r;

        digest_format(&index_desc->digest, dg);
        r = oci_layout_read_blob(s->layout, &index_desc->digest, index_desc->size,
                                 OCI_INDEX_SIZE_MAX, &data, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': image index %s", s->path,
                                 err ?: strerror(-r));
        r = oci_index_parse(data, index_desc->size, &index, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': image index %s: %s", s->path, dg,
                                 err ?: strerror(-r));
        for (size_t i = 0; i < index->n_manifests; i++) {
                const OciDescriptor *d = &index->manifests[i];
                if (!oci_media_type_is_manifest(d->media_type))
                        continue;
                if (index->n_manifests == 1 ||
                    (d->has_platform && streq(d->platform.os, "linux") &&
                     streq(d->platform.architecture, image_host_architecture()))) {
                        pick = d;
                        break;
                }
        }
        if (!pick)
                return error_set(ret_error, -ENOENT,
                                 "'%s': image index %s has no manifest for linux/%s", s->path, dg,
                                 image_host_architecture());
        *ret = (OciDescriptor){ .digest = pick->digest,
                                .size = pick->size,
                                .media_type = strdup(pick->media_type) };
        return ret->media_type ? 0 : -ENOMEM;
}

static int source_open_oci(Source *s, char **ret_error) {
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL;
        OciDescriptor desc = {};
        const OciDescriptor *found = NULL;
        char dg[DIGEST_STRING_MAX];
        int r;

        r = oci_layout_open(s->path, 0, &s->layout, &err);
        if (r < 0)
                return error_set(ret_error, r, "%s", err ?: strerror(-r));
        r = oci_layout_read_index(s->layout, &index, &err);
        if (r < 0)
                return error_set(ret_error, r, "%s", err);
        for (size_t i = 0; i < index->n_manifests; i++) {
                const char *name = descriptor_ref_name(&index->manifests[i]);
                if (s->ref ? streq_ptr(name, s->ref) : index->n_manifests == 1) {
                        found = &index->manifests[i];
                        break;
                }
        }
        if (!found)
                return error_set(ret_error, -ENOENT,
                                 s->ref ? "'%s' has no image '%s'"
                                        : "'%s' holds several images, name one (oci:DIR:REF)%s",
                                 s->path, strempty(s->ref));
        if (oci_media_type_is_index(found->media_type))
                r = pick_platform(s, found, &desc, ret_error);
        else if (oci_media_type_is_manifest(found->media_type))
                r = (desc = (OciDescriptor){ .digest = found->digest,
                                             .size = found->size,
                                             .media_type = strdup(found->media_type) })
                                    .media_type
                            ? 0
                            : -ENOMEM;
        else
                r = error_set(ret_error, -EBADMSG, "'%s': '%s' is a %s, not an image", s->path,
                              strempty(s->ref), found->media_type);
        if (r < 0)
                return r;

        digest_format(&desc.digest, dg);
        r = oci_layout_read_blob(s->layout, &desc.digest, desc.size, OCI_MANIFEST_SIZE_MAX, &data,
                                 &err);
        if (r >= 0) {
                r = oci_manifest_parse(data, desc.size, &s->manifest, &err);
                if (r < 0)
                        r = error_set(ret_error, r, "'%s': manifest %s: %s", s->path, dg,
                                      err ?: strerror(-r));
        } else
                r = error_set(ret_error, r, "'%s': manifest %s", s->path, err ?: strerror(-r));
        oci_descriptor_done(&desc);
        if (r < 0)
                return r;

        free(data);
        data = NULL;
        free(err);
        err = NULL;
        digest_format(&s->manifest->config.digest, dg);
        r = oci_layout_read_blob(s->layout, &s->manifest->config.digest, s->manifest->config.size,
                                 OCI_CONFIG_SIZE_MAX, &data, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': config %s", s->path, err ?: strerror(-r));
        r = oci_image_config_parse(data, s->manifest->config.size, &s->config, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s': config %s: %s", s->path, dg,
                                 err ?: strerror(-r));

        if (s->manifest->n_layers == 0)
                return error_set(ret_error, -EBADMSG, "'%s': the image has no layers", s->path);
        if (s->config->n_diff_ids != s->manifest->n_layers)
                return error_set(ret_error, -EBADMSG,
                                 "'%s': the config lists %zu layers, the manifest %zu", s->path,
                                 s->config->n_diff_ids, s->manifest->n_layers);
        for (size_t i = 0; i < s->manifest->n_layers; i++)
                if (!layer_media_type_is_tar(s->manifest->layers[i].media_type))
                        return error_set(ret_error, -EBADMSG,
                                         "'%s': layer %zu has media type %s, not a tar layer",
                                         s->path, i + 1, s->manifest->layers[i].media_type);
        s->n_layers = s->manifest->n_layers;
        return 0;
}

/* Positions a new reader of the docker archive at member name, following symlinks
 * (docker save links layers it already wrote). */
static int docker_find_member(Source *s, const char *name, TarReader **ret, char **ret_error) {
        _cleanup_free_ char *want = strdup(name);

        if (!want)
                return -ENOMEM;
        for (unsigned hop = 0; hop < SYMLINK_HOPS_MAX; hop++) {
                _cleanup_(tar_reader_freep) TarReader *r = NULL;
                const char *path, *target;
                int q;

                q = tar_reader_new(&(TarInput){ .fd = s->fd, .size = UINT64_MAX }, &r);
                if (q < 0)
                        return q;
                for (;;) {
                        _cleanup_free_ char *norm = NULL;
                        q = tar_reader_next(r, &path);
                        if (q < 0)
                                return error_set(ret_error, q, "'%s': %s", s->path,
                                                 tar_reader_error(r));
                        if (q == 0)
                                return error_set(ret_error, -EBADMSG, "'%s' has no member '%s'",
                                                 s->path, want);
                        if (fs_path_normalize(path, &norm) >= 0 && streq(norm, want))
                                break;
                }
                target = tar_reader_member_symlink(r);
                if (!target) {
                        *ret = TAKE_PTR(r);
                        return 0;
                }
                /* resolve relative to the member's directory, inside the archive */
                _cleanup_free_ char *dir = NULL, *joined = NULL;
                const char *slash = strrchr(want, '/');
                dir = slash ? strndup(want, (size_t) (slash - want)) : strdup("");
                if (!dir)
                        return -ENOMEM;
                joined = isempty(dir) ? strdup(target) : strjoin(dir, "/", target);
                if (!joined)
                        return -ENOMEM;
                /* collapse "x/../" */
                _cleanup_strv_free_ char **parts = NULL;
                for (char *p = joined, *e; p && *p; p = e ? e + 1 : NULL) {
                        e = strchr(p, '/');
                        if (e)
                                *e = '\0';
                        if (streq(p, "..")) {
                                size_t n = strv_length(parts);
                                if (n == 0)
                                        return error_set(
                                                ret_error, -EBADMSG,
                                                "'%s': member '%s' links outside the archive",
                                                s->path, want);
                                free(parts[n - 1]);
                                parts[n - 1] = NULL;
                        } else if (!isempty(p) && !streq(p, ".") && strv_extend(&parts, p) < 0)
                                return -ENOMEM;
                }
                free(want);
                want = NULL;
                for (char **p = parts; p && *p; p++) {
                        char *n = want ? strjoin(want, "/", *p) : strdup(*p);
                        if (!n)
                                return -ENOMEM;
                        free(want);
                        want = n;
                }
                if (!want || !path_is_safe_relative(want))
                        return error_set(ret_error, -EBADMSG,
                                         "'%s': member '%s' links outside the archive", s->path,
                                         name);
        }
        return error_set(ret_error, -EBADMSG, "'%s': too many symlinks for member '%s'", s->path,
                         name);
}

static bool hex_file_name(const char *name, const char *prefix, const char *suffix, Digest *ret) {
        const char *p = startswith(name, prefix);
        _cleanup_free_ char *d = NULL;

        if (!p || strlen(p) != 64 + strlen(suffix) || !streq(p + 64, suffix))
                return false;
        d = strprintf("sha256:%.64s", p);
        return d && digest_parse(d, ret) >= 0;
}

/* RepoTags hold names as Docker normalises them ("docker.io/library/x:1" for "x:1"). */
static bool repo_tags_match(char **tags, const char *ref) {
        for (char **t = tags; t && *t; t++) {
                const char *rest = startswith(*t, "docker.io/");
                if (streq(*t, ref) ||
                    (rest && (streq(rest, ref) || streq_ptr(startswith(rest, "library/"), ref))))
                        return true;
        }
        return false;
}

static int source_open_docker(Source *s, char **ret_error) {
        _cleanup_(tar_reader_freep) TarReader *r = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL;
        const char *path;
        Digest want, got;
        size_t size;
        int q;

        s->fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (s->fd < 0)
                return error_set(ret_error, -errno, "cannot open '%s': %m", s->path);
        q = docker_find_member(s, "manifest.json", &r, ret_error);
        if (q < 0)
                return q;
        q = tar_reader_read_all(r, DOCKER_ARCHIVE_MANIFEST_SIZE_MAX, &data, &size);
        if (q < 0)
                return error_set(ret_error, q, "'%s': manifest.json: %s", s->path,
                                 tar_reader_error(r) ?: strerror(-q));
        q = docker_archive_manifest_parse(data, size, &s->docker, &err);
        if (q < 0)
                return error_set(ret_error, q, "'%s': manifest.json: %s", s->path,
                                 err ?: strerror(-q));

        for (size_t i = 0; i < s->docker->n_entries; i++)
                if (s->ref ? repo_tags_match(s->docker->entries[i].repo_tags, s->ref)
                           : s->docker->n_entries == 1) {
                        s->entry = &s->docker->entries[i];
                        break;
                }
        if (!s->entry)
                return error_set(
                        ret_error, -ENOENT,
                        s->ref ? "'%s' has no image '%s'"
                               : "'%s' holds several images, name one (docker-archive:FILE:REF)%s",
                        s->path, strempty(s->ref));

        r = tar_reader_free(r);
        free(data);
        data = NULL;
        q = docker_find_member(s, s->entry->config, &r, ret_error);
        if (q < 0)
                return q;
        q = tar_reader_read_all(r, OCI_CONFIG_SIZE_MAX, &data, &size);
        if (q < 0)
                return error_set(ret_error, q, "'%s': %s: %s", s->path, s->entry->config,
                                 tar_reader_error(r) ?: strerror(-q));
        /* The config's name is its digest: "<hex>.json" (docker before 25) or
         * "blobs/sha256/<hex>" (an OCI layout inside the archive). */
        if (hex_file_name(s->entry->config, "", ".json", &want) ||
            hex_file_name(s->entry->config, "blobs/sha256/", "", &want)) {
                q = digest_compute(data, size, &got);
                if (q < 0)
                        return q;
                if (!digest_equal(&want, &got))
                        return error_set(ret_error, -EBADMSG, "'%s': config %s: digest mismatch",
                                         s->path, s->entry->config);
        }
        q = oci_image_config_parse(data, size, &s->config, &err);
        if (q < 0)
                return error_set(ret_error, q, "'%s': config %s: %s", s->path, s->entry->config,
                                 err ?: strerror(-q));
        s->n_layers = strv_length(s->entry->layers);
        if (s->config->n_diff_ids != s->n_layers)
                return error_set(ret_error, -EBADMSG,
                                 "'%s': the config lists %zu layers, manifest.json %zu", s->path,
                                 s->config->n_diff_ids, s->n_layers);
        (void) path;
        return 0;
}

static int split_transport(const char *spec, const char *prefix, char **ret_path, char **ret_ref) {
        const char *rest = startswith(spec, prefix), *colon;
        _cleanup_free_ char *path = NULL, *ref = NULL;

        /* "oci:DIR[:REF]": as in containers/image, the path ends at the first ':' */
        colon = strchr(rest, ':');
        path = colon ? strndup(rest, (size_t) (colon - rest)) : strdup(rest);
        if (!path)
                return -ENOMEM;
        if (colon && colon[1]) {
                ref = strdup(colon + 1);
                if (!ref)
                        return -ENOMEM;
        }
        if (isempty(path))
                return -EINVAL;
        *ret_path = TAKE_PTR(path);
        *ret_ref = TAKE_PTR(ref);
        return 0;
}

static int source_open(const char *spec, Source **ret, char **ret_error) {
        _cleanup_(source_freep) Source *s = NULL;
        struct stat st;
        int r;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->fd = -1;
        if (startswith(spec, "oci:") || startswith(spec, "docker-archive:")) {
                bool oci = startswith(spec, "oci:");
                r = split_transport(spec, oci ? "oci:" : "docker-archive:", &s->path, &s->ref);
                if (r == -EINVAL)
                        return error_set(ret_error, -EINVAL, "source '%s' names no path", spec);
                if (r < 0)
                        return r;
                s->kind = oci ? SOURCE_OCI : SOURCE_DOCKER_ARCHIVE;
                r = oci ? source_open_oci(s, ret_error) : source_open_docker(s, ret_error);
                if (r < 0)
                        return r;
        } else {
                s->path = strdup(spec);
                if (!s->path)
                        return -ENOMEM;
                if (stat(spec, &st) < 0)
                        return error_set(ret_error, -errno, "cannot access source '%s': %m", spec);
                if (S_ISDIR(st.st_mode))
                        s->kind = SOURCE_DIRECTORY;
                else if (S_ISREG(st.st_mode)) {
                        s->kind = SOURCE_TAR;
                        s->fd = open(spec, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                        if (s->fd < 0)
                                return error_set(ret_error, -errno, "cannot open '%s': %m", spec);
                } else
                        return error_set(ret_error, -EINVAL,
                                         "source '%s' is neither a directory nor a file", spec);
                s->n_layers = 1;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---- one layer ---- */

typedef struct LayerProgress {
        const ImageBuildOptions *options;
        char what[64];
        uint64_t total;
} LayerProgress;

static void import_progress(uint64_t bytes, void *userdata) {
        LayerProgress *p = userdata;
        if (p->options->progress)
                p->options->progress(p->what, bytes, p->total, p->options->userdata);
}

static void verity_progress(uint64_t done, uint64_t total, void *userdata) {
        LayerProgress *p = userdata;
        if (p->options->progress)
                p->options->progress(p->what, done, total, p->options->userdata);
}

static int check_input_digest(Source *s, TarReader *r, size_t i, const Digest *want,
                              const uint64_t *want_size, char **ret_error) {
        char a[DIGEST_STRING_MAX];
        uint64_t size;
        Digest got;
        int q;

        q = tar_reader_input_digest(r, &got, &size);
        if (q < 0)
                return error_set(ret_error, q, "'%s': layer %zu: %s", s->path, i + 1,
                                 tar_reader_error(r) ?: strerror(-q));
        if (want_size && size != *want_size)
                return error_set(ret_error, -EBADMSG,
                                 "'%s': layer %zu (%s): size mismatch (%llu bytes, expected %llu)",
                                 s->path, i + 1, digest_format(want, a), (unsigned long long) size,
                                 (unsigned long long) *want_size);
        if (!digest_equal(&got, want))
                return error_set(ret_error, -EBADMSG, "'%s': layer %zu (%s): digest mismatch",
                                 s->path, i + 1, digest_format(want, a));
        return 0;
}

static int import_tar(Source *s, size_t i, TarReader *r, FsTree *tree, const FsDataSink *sink,
                      LayerProgress *p, char **ret_error) {
        int q = tar_reader_import(
                r, tree, sink, &(TarImportOptions){ .progress = import_progress, .userdata = p });
        if (q < 0) {
                if (s->kind == SOURCE_TAR)
                        return error_set(ret_error, q, "'%s': %s", s->path,
                                         tar_reader_error(r) ?: strerror(-q));
                return error_set(ret_error, q, "'%s': layer %zu: %s", s->path, i + 1,
                                 tar_reader_error(r) ?: strerror(-q));
        }
        return 0;
}

static int source_import_layer(Source *s, size_t i, FsTree *tree, const FsDataSink *sink,
                               LayerProgress *p, char **ret_error) {
        _cleanup_(tar_reader_freep) TarReader *r = NULL, *outer = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *err = NULL;
        Digest want;
        int q;

        switch (s->kind) {
        case SOURCE_DIRECTORY:
                q = dir_import(s->path, tree, sink,
                               &(DirImportOptions){ .progress = import_progress, .userdata = p },
                               &err);
                if (q < 0)
                        return error_set(ret_error, q, "'%s': %s", s->path, err ?: strerror(-q));
                return 0;

        case SOURCE_TAR: {
                struct stat st;
                if (fstat(s->fd, &st) >= 0)
                        p->total = (uint64_t) st.st_size;
                q = tar_reader_new(&(TarInput){ .fd = s->fd, .size = UINT64_MAX }, &r);
                if (q < 0)
                        return q;
                return import_tar(s, i, r, tree, sink, p, ret_error);
        }

        case SOURCE_OCI: {
                const OciDescriptor *d = &s->manifest->layers[i];
                q = oci_layout_open_blob(s->layout, &d->digest, &fd, NULL);
                if (q < 0)
                        return error_set(ret_error, q, "'%s': layer %zu: blob %s", s->path, i + 1,
                                         q == -ENOENT ? "missing" : strerror(-q));
                p->total = d->size;
                /* the blob's digest is computed while it is read, and checked at the end: a
                 * mismatch throws the layer away before anything refers to it */
                q = tar_reader_new(&(TarInput){ .fd = fd, .size = UINT64_MAX, .digest = true }, &r);
                if (q < 0)
                        return q;
                q = import_tar(s, i, r, tree, sink, p, &err);
                /* a blob that does not match its digest is reported as such, even when that
                 * made it unreadable */
                if (q < 0 && (q == -EBADMSG || q == -EFBIG) &&
                    check_input_digest(s, r, i, &d->digest, &d->size, ret_error) < 0)
                        return -EBADMSG;
                if (q < 0)
                        return error_set(ret_error, q, "%s", err);
                return check_input_digest(s, r, i, &d->digest, &d->size, ret_error);
        }

        case SOURCE_DOCKER_ARCHIVE: {
                const char *name = s->entry->layers[i];
                q = docker_find_member(s, name, &outer, ret_error);
                if (q < 0)
                        return q;
                /* "blobs/sha256/<hex>" names its digest; a legacy "<id>/layer.tar" is the
                 * uncompressed layer, whose digest is the config's diff_id */
                if (!hex_file_name(name, "blobs/sha256/", "", &want))
                        want = s->config->diff_ids[i];
                q = tar_reader_new(&(TarInput){ .outer = outer, .digest = true }, &r);
                if (q < 0)
                        return q;
                q = import_tar(s, i, r, tree, sink, p, &err);
                if (q < 0 && (q == -EBADMSG || q == -EFBIG) &&
                    check_input_digest(s, r, i, &want, NULL, ret_error) < 0)
                        return -EBADMSG;
                if (q < 0)
                        return error_set(ret_error, q, "%s", err);
                return check_input_digest(s, r, i, &want, NULL, ret_error);
        }
        }
        return -EINVAL;
}

/* The start of the layer digest: [0, size) hashed on its own thread while the tree is built. */
typedef struct PrefixJob {
        int fd;
        uint64_t size;
        CryptoHash *h;
        int error;
} PrefixJob;

static void *prefix_thread(void *userdata) {
        PrefixJob *j = userdata;

        j->error = hash_fd_range(j->fd, j->h, 0, j->size);
        return NULL;
}

/* docs/image-format.md: salt = SHA-256 of the squashfs superblock (96 bytes) followed by the
 * bytes from the start of the inode table to the hash offset (all metadata tables and the
 * padding). It depends only on the image, and is known before the data is read again. */
static int layer_salt(int fd, uint64_t size, uint64_t tables_start,
                      uint8_t ret[static SHA256_DIGEST_SIZE]) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
        int r;

        if (tables_start < SQUASHFS_SUPERBLOCK_SIZE || tables_start > size)
                return -EINVAL;
        r = crypto_hash_new(HASH_SHA256, &h);
        if (r >= 0)
                r = hash_fd_range(fd, h, 0, SQUASHFS_SUPERBLOCK_SIZE);
        if (r >= 0)
                r = hash_fd_range(fd, h, tables_start, size);
        if (r >= 0)
                r = crypto_hash_final(h, ret);
        return r;
}

/* Adds the verity hash area after the squashfs image (size bytes, a multiple of 4096) and
 * computes the layer's digest from the file as read back: the squashfs part on one thread
 * while the tree is built on the others, then the hash area. */
static int layer_seal(int fd, uint64_t size, uint64_t tables_start, const ImageBuildOptions *o,
                      LayerProgress *p, ImageLayer *ret) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
        VerityParams vp;
        ImageLayer layer = {};
        PrefixJob job;
        pthread_t tid;
        bool threaded;
        uint64_t area;
        int r;

        r = crypto_hash_new(HASH_SHA256, &h);
        if (r < 0)
                return r;
        r = layer_salt(fd, size, tables_start, layer.verity.salt);
        if (r < 0)
                return r;
        layer.verity.salt_size = SHA256_DIGEST_SIZE;
        layer.verity.data_blocks = size / VERITY_BLOCK_SIZE;
        layer.verity.hash_offset = size;
        image_layer_verity_params(&layer.verity, &vp);

        job = (PrefixJob){ .fd = fd, .size = size, .h = h };
        threaded = pthread_create(&tid, NULL, prefix_thread, &job) == 0;
        if (!threaded)
                prefix_thread(&job);
        r = verity_format(fd, &vp,
                          &(VerityOptions){ .threads = o->threads,
                                            .progress = verity_progress,
                                            .userdata = p },
                          layer.verity.root_hash);
        if (threaded)
                (void) pthread_join(tid, NULL);
        if (r < 0)
                return r;
        if (job.error < 0)
                return job.error;
        area = verity_hash_area_size(vp.data_blocks);
        /* start writing the tree to disk (see squashfs.c, write-behind) while it is hashed */
        (void) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        r = hash_fd_range(fd, h, size, size + area);
        if (r < 0)
                return r;
        r = crypto_hash_final(h, layer.digest.sha256);
        if (r < 0)
                return r;
        layer.size = size + area;
        *ret = layer;
        return 0;
}

static int build_layer(OciLayout *l, Source *s, size_t i, const ImageBuildOptions *o,
                       ImageLayer *ret, char **ret_error) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        ImageLayer layer;
        LayerProgress p = { .options = o };
        uint64_t size = 0, tables_start = 0;
        int r;

        r = oci_layout_blob_tmpfile(l, &fd, &tmp);
        if (r < 0)
                return error_set(ret_error, r, "cannot create a blob in '%s': %s",
                                 oci_layout_path(l), strerror(-r));

        {
                /* the tree first: the writer must go (joining its threads, which may still
                 * update the tree's file inodes) before the tree does */
                _cleanup_(fs_tree_freep) FsTree *tree = NULL;
                _cleanup_(squashfs_writer_freep) SquashfsWriter *w = NULL;
                FsDataSink sink;

                r = fs_tree_new(
                        &(FsTreeOptions){
                                .flags = s->kind == SOURCE_DIRECTORY ? 0 : FS_TREE_OCI_WHITEOUTS,
                                .clamp_mtime = o->have_epoch,
                                .epoch = o->epoch,
                                .payload_free = squashfs_payload_free,
                        },
                        &tree);
                if (r >= 0)
                        r = squashfs_writer_new(
                                fd,
                                &(SquashfsOptions){
                                        .compression_level = o->compression_level,
                                        .threads = o->threads,
                                        .mkfs_time = o->have_epoch
                                                             ? (uint32_t) MIN(o->epoch,
                                                                              (uint64_t) UINT32_MAX)
                                                             : 0,
                                },
                                &w);
                if (r < 0)
                        goto fail;
                squashfs_writer_data_sink(w, &sink);
                snprintf(p.what, sizeof p.what, "layer %zu/%zu: importing", i + 1, s->n_layers);
                r = source_import_layer(s, i, tree, &sink, &p, ret_error);
                if (r < 0)
                        goto fail;
                r = fs_tree_finalize(tree);
                if (r >= 0)
                        r = squashfs_writer_finish(w, tree, &size);
                tables_start = squashfs_writer_tables_start(w);
                if (r < 0) {
                        error_set(ret_error, r,
                                  "'%s': layer %zu: cannot write the squashfs image: %s", s->path,
                                  i + 1, strerror(-r));
                        goto fail;
                }
        }

        snprintf(p.what, sizeof p.what, "layer %zu/%zu: verity", i + 1, s->n_layers);
        r = layer_seal(fd, size, tables_start, o, &p, &layer);
        if (r < 0) {
                error_set(ret_error, r, "layer %zu: cannot build the verity hash tree: %s", i + 1,
                          strerror(-r));
                goto fail;
        }
        r = oci_layout_blob_commit(l, fd, tmp, &layer.digest);
        tmp = mfree(tmp);
        if (r < 0)
                return error_set(ret_error, r, "cannot store layer %zu in '%s': %s", i + 1,
                                 oci_layout_path(l), strerror(-r));
        *ret = layer;
        return 0;
fail:
        oci_layout_blob_abort(l, tmp);
        return r;
}

/* ---- config, manifest, tag ---- */

static int format_time(uint64_t t, char **ret) {
        struct tm tm;
        time_t tt = (time_t) MIN(t, (uint64_t) INT32_MAX * 64);
        char buf[64];

        if (!gmtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -EINVAL;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static int write_config(OciLayout *l, Source *s, const ImageBuildOptions *o, Image *img) {
        _cleanup_(oci_image_config_freep) OciImageConfig *c = NULL;
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->architecture = strdup(s->config ? s->config->architecture : image_host_architecture());
        c->os = strdup(s->config ? s->config->os : "linux");
        if (!c->architecture || !c->os)
                return -ENOMEM;
        if (s->config && s->config->variant && !(c->variant = strdup(s->config->variant)))
                return -ENOMEM;
        if (o->have_epoch) {
                r = format_time(o->epoch, &c->created);
                if (r < 0)
                        return r;
        } else if (s->config && s->config->created && !(c->created = strdup(s->config->created)))
                return -ENOMEM;
        c->config =
                s->config && s->config->config ? json_deep_copy(s->config->config) : json_object();
        if (!c->config)
                return -ENOMEM;
        /* the layers are not compressed: their digests are the diff_ids */
        c->diff_ids = calloc(img->n_layers + 1, sizeof *c->diff_ids);
        if (!c->diff_ids)
                return -ENOMEM;
        for (size_t i = 0; i < img->n_layers; i++)
                c->diff_ids[i] = img->layers[i].digest;
        c->n_diff_ids = img->n_layers;

        r = oci_image_config_format(c, &data, &size);
        if (r < 0)
                return r;
        r = oci_layout_write_blob(l, data, size, &img->config_digest);
        if (r < 0)
                return r;
        img->config_size = size;
        img->config = TAKE_PTR(c);
        return 0;
}

static int write_manifest(OciLayout *l, Image *img) {
        _cleanup_free_ OciDescriptor *layers = NULL;
        _cleanup_free_ char *data = NULL;
        OciManifest m = {
                .config = { .media_type = (char *) OCI_MEDIA_TYPE_CONFIG,
                            .digest = img->config_digest,
                            .size = img->config_size },
        };
        size_t size;
        int r = 0;

        layers = calloc(img->n_layers, sizeof *layers);
        if (!layers)
                return -ENOMEM;
        for (size_t i = 0; r >= 0 && i < img->n_layers; i++) {
                layers[i] = (OciDescriptor){
                        .media_type = (char *) MOS_MEDIA_TYPE_LAYER,
                        .digest = img->layers[i].digest,
                        .size = img->layers[i].size,
                        .annotations = json_object(),
                };
                r = layers[i].annotations ? mos_layer_verity_to_annotations(&img->layers[i].verity,
                                                                            layers[i].annotations)
                                          : -ENOMEM;
        }
        m.layers = layers;
        m.n_layers = img->n_layers;
        if (r >= 0)
                r = oci_manifest_format(&m, &data, &size);
        for (size_t i = 0; i < img->n_layers; i++)
                json_decref(layers[i].annotations);
        if (r < 0)
                return r;
        r = oci_layout_write_blob(l, data, size, &img->manifest_digest);
        if (r < 0)
                return r;
        img->manifest_size = size;
        return 0;
}

int image_build(OciLayout *l, const ImageBuildOptions *o, Image **ret, char **ret_error) {
        _cleanup_(source_freep) Source *s = NULL;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_free_ char *name = NULL, *tag = NULL;
        ImageBuildOptions opts = *o;
        int r;

        if (oci_reference_split(o->ref, &name, &tag) < 0)
                return error_set(ret_error, -EINVAL, "'%s' is not NAME:TAG", o->ref);
        if (opts.threads == 0)
                opts.threads = verity_default_threads();
        r = source_open(o->source, &s, ret_error);
        if (r < 0)
                return r;

        img = calloc(1, sizeof *img);
        if (!img)
                return -ENOMEM;
        img->ref = strdup(o->ref);
        img->layers = calloc(s->n_layers, sizeof *img->layers);
        if (!img->ref || !img->layers)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_layers; i++) {
                r = build_layer(l, s, i, &opts, &img->layers[i], ret_error);
                if (r < 0)
                        return r;
                img->n_layers++;
        }
        r = write_config(l, s, &opts, img);
        if (r < 0)
                return error_set(ret_error, r, "cannot store the image config in '%s': %s",
                                 oci_layout_path(l), strerror(-r));
        r = write_manifest(l, img);
        if (r < 0)
                return error_set(ret_error, r, "cannot store the image manifest in '%s': %s",
                                 oci_layout_path(l), strerror(-r));
        r = oci_layout_tag(l, o->ref,
                           &(OciDescriptor){ .media_type = (char *) OCI_MEDIA_TYPE_MANIFEST,
                                             .digest = img->manifest_digest,
                                             .size = img->manifest_size },
                           ret_error);
        if (r < 0)
                return r;
        if (ret)
                *ret = TAKE_PTR(img);
        return 0;
}
