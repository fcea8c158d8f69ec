/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "error-util.h"
#include "fd-util.h"
#include "fileio.h"
#include "io-util.h"
#include "json.h"
#include "log.h"
#include "oci-layout.h"
#include "string-util.h"

#define LAYOUT_FILE "oci-layout"
#define LAYOUT_CONTENT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define INDEX_FILE "index.json"
#define BLOBS_DIR "blobs"
#define SHA256_DIR "blobs/sha256"

struct OciLayout {
        char *path;
        int dir_fd;   /* the layout directory: the index lock */
        int blobs_fd; /* blobs/: the blob lock, held for the layout's lifetime */
        int sha256_fd;
};

OciLayout *oci_layout_free(OciLayout *l) {
        if (!l)
                return NULL;
        safe_close(l->sha256_fd);
        safe_close(l->blobs_fd); /* releases the blob lock */
        safe_close(l->dir_fd);
        free(l->path);
        free(l);
        return NULL;
}

const char *oci_layout_path(const OciLayout *l) {
        return l->path;
}

static int lock_fd(int fd, int op) {
        while (flock(fd, op) < 0) {
                if (errno != EINTR)
                        return -errno;
        }
        return 0;
}

static int dir_is_empty(int fd) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (dup_fd < 0)
                return -errno;
        d = fdopendir(dup_fd);
        if (!d) {
                safe_close(dup_fd);
                return -errno;
        }
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return 0;
        return 1;
}

static int layout_initialize(OciLayout *l) {
        static const char empty_index[] =
                "{\"manifests\":[],\"mediaType\":\"" OCI_MEDIA_TYPE_INDEX "\",\"schemaVersion\":2}";
        int r;

        if (mkdirat(l->dir_fd, BLOBS_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdirat(l->dir_fd, SHA256_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        r = write_file_atomic_at(l->dir_fd, INDEX_FILE, empty_index, strlen(empty_index), 0644,
                                 WRITE_NO_REPLACE);
        if (r < 0 && r != -EEXIST)
                return r;
        /* oci-layout last: its presence marks a complete layout */
        r = write_file_atomic_at(l->dir_fd, LAYOUT_FILE, LAYOUT_CONTENT, strlen(LAYOUT_CONTENT),
                                 0644, WRITE_NO_REPLACE);
        if (r < 0 && r != -EEXIST)
                return r;
        return 0;
}

static int layout_check(OciLayout *l, char **ret_error) {
        _cleanup_free_ char *data = NULL, *err = NULL;
        _cleanup_json_ json_t *j = NULL;
        json_t *v;
        size_t size;
        int r;

        r = read_full_file_at(l->dir_fd, LAYOUT_FILE, 4096, &data, &size);
        if (r == -ENOENT)
                return error_set(ret_error, -EBADMSG,
                                 "'%s' is not an OCI image layout (no %s file)", l->path,
                                 LAYOUT_FILE);
        if (r < 0)
                return error_set(ret_error, r, "cannot read '%s/%s': %s", l->path, LAYOUT_FILE,
                                 strerror(-r));
        r = json_parse_strict(data, size, 4096, &j, &err);
        if (r < 0)
                return error_set(ret_error, -EBADMSG, "'%s/%s' is malformed: %s", l->path,
                                 LAYOUT_FILE, err ?: "invalid JSON");
        /* image-layout.md: imageLayoutVersion "1.0.0" */
        v = json_object_get(j, "imageLayoutVersion");
        if (!json_is_string(v) || !streq(json_string_value(v), "1.0.0"))
                return error_set(ret_error, -EBADMSG,
                                 "'%s/%s': imageLayoutVersion is not \"1.0.0\"", l->path,
                                 LAYOUT_FILE);
        return 0;
}

int oci_layout_open(const char *path, OciLayoutFlags flags, OciLayout **ret, char **ret_error) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        int r;

        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        l->dir_fd = l->blobs_fd = l->sha256_fd = -1;
        l->path = strdup(path);
        if (!l->path)
                return -ENOMEM;

        if ((flags & OCI_LAYOUT_CREATE) && mkdir(path, 0755) < 0 && errno != EEXIST)
                return error_set(ret_error, -errno, "cannot create '%s': %m", path);
        l->dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (l->dir_fd < 0)
                return error_set(ret_error, -errno, "cannot open '%s': %m", path);

        if (flags & OCI_LAYOUT_CREATE) {
                /* initialise under the index lock, so two first runs do not race */
                r = lock_fd(l->dir_fd, LOCK_EX);
                if (r < 0)
                        return r;
                if (faccessat(l->dir_fd, LAYOUT_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = dir_is_empty(l->dir_fd);
                        if (r == 0)
                                r = error_set(ret_error, -EBADMSG,
                                              "'%s' is neither empty nor an OCI image layout",
                                              path);
                        else if (r > 0)
                                r = layout_initialize(l);
                }
                (void) flock(l->dir_fd, LOCK_UN);
                if (r < 0)
                        return r == -EBADMSG ? r
                                             : error_set(ret_error, r,
                                                         "cannot create a layout in '%s': %s", path,
                                                         strerror(-r));
        }
        r = layout_check(l, ret_error);
        if (r < 0)
                return r;

        l->blobs_fd = openat(l->dir_fd, BLOBS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (l->blobs_fd < 0)
                return error_set(ret_error, errno == ENOENT ? -EBADMSG : -errno,
                                 "'%s' has no usable %s directory: %m", path, BLOBS_DIR);
        r = lock_fd(l->blobs_fd, (flags & OCI_LAYOUT_EXCLUSIVE) ? LOCK_EX : LOCK_SH);
        if (r < 0)
                return error_set(ret_error, r, "cannot lock '%s/%s': %s", path, BLOBS_DIR,
                                 strerror(-r));
        l->sha256_fd = openat(l->dir_fd, SHA256_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (l->sha256_fd < 0 && errno == ENOENT) {
                /* a layout whose images use no sha256 blobs yet */
                if (mkdirat(l->dir_fd, SHA256_DIR, 0755) < 0 && errno != EEXIST)
                        return error_set(ret_error, -errno, "cannot create '%s/%s': %m", path,
                                         SHA256_DIR);
                l->sha256_fd = openat(l->dir_fd, SHA256_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (l->sha256_fd < 0)
                return error_set(ret_error, -errno, "cannot open '%s/%s': %m", path, SHA256_DIR);
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- index.json ---- */

static int read_index(OciLayout *l, OciIndex **ret, char **ret_error) {
        _cleanup_free_ char *data = NULL, *err = NULL;
        size_t size;
        int r;

        r = read_full_file_at(l->dir_fd, INDEX_FILE, OCI_INDEX_SIZE_MAX, &data, &size);
        if (r == -EFBIG)
                return error_set(ret_error, r, "'%s/%s' is larger than %u bytes", l->path,
                                 INDEX_FILE, OCI_INDEX_SIZE_MAX);
        if (r < 0)
                return error_set(ret_error, r, "cannot read '%s/%s': %s", l->path, INDEX_FILE,
                                 strerror(-r));
        r = oci_index_parse(data, size, ret, &err);
        if (r < 0)
                return error_set(ret_error, r, "'%s/%s' is malformed: %s", l->path, INDEX_FILE,
                                 err ?: strerror(-r));
        return 0;
}

int oci_layout_read_index(OciLayout *l, OciIndex **ret, char **ret_error) {
        return read_index(l, ret, ret_error);
}

int oci_layout_update_index(OciLayout *l, int (*fn)(OciIndex *index, void *userdata),
                            void *userdata, char **ret_error) {
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = lock_fd(l->dir_fd, LOCK_EX);
        if (r < 0)
                return error_set(ret_error, r, "cannot lock '%s': %s", l->path, strerror(-r));
        r = read_index(l, &index, ret_error);
        if (r >= 0)
                r = fn(index, userdata);
        if (r >= 0)
                r = oci_index_format(index, &data, &size);
        if (r >= 0) {
                r = write_file_atomic_at(l->dir_fd, INDEX_FILE, data, size, 0644, 0);
                if (r < 0)
                        error_set(ret_error, r, "cannot write '%s/%s': %s", l->path, INDEX_FILE,
                                  strerror(-r));
        }
        (void) flock(l->dir_fd, LOCK_UN);
        return r;
}

static const char *descriptor_ref_name(const OciDescriptor *d) {
        json_t *v =
                d->annotations ? json_object_get(d->annotations, OCI_ANNOTATION_REF_NAME) : NULL;
        return v ? json_string_value(v) : NULL;
}

static int descriptor_copy(const OciDescriptor *s, OciDescriptor *d) {
        *d = (OciDescriptor){
                .digest = s->digest,
                .size = s->size,
                .has_platform = s->has_platform,
        };
        d->media_type = strdup(s->media_type);
        if (!d->media_type)
                return -ENOMEM;
        if (s->annotations) {
                d->annotations = json_deep_copy(s->annotations);
                if (!d->annotations)
                        return -ENOMEM;
        }
        if (s->artifact_type && !(d->artifact_type = strdup(s->artifact_type)))
                return -ENOMEM;
        if (s->has_platform) {
                d->platform.architecture = strdup(s->platform.architecture);
                d->platform.os = strdup(s->platform.os);
                if (!d->platform.architecture || !d->platform.os)
                        return -ENOMEM;
                if (s->platform.variant && !(d->platform.variant = strdup(s->platform.variant)))
                        return -ENOMEM;
        }
        return 0;
}

typedef struct TagOp {
        const char *ref;
        const OciDescriptor *desc;
        bool removed;
} TagOp;

static int do_tag(OciIndex *index, void *userdata) {
        TagOp *op = userdata;
        OciDescriptor d;
        size_t i;
        int r;

        r = descriptor_copy(op->desc, &d);
        if (r >= 0) {
                if (!d.annotations)
                        d.annotations = json_object();
                if (!d.annotations || json_object_set_new(d.annotations, OCI_ANNOTATION_REF_NAME,
                                                          json_string(op->ref)) < 0)
                        r = -ENOMEM;
        }
        if (r < 0) {
                oci_descriptor_done(&d);
                return r;
        }
        for (i = 0; i < index->n_manifests; i++)
                if (streq_ptr(descriptor_ref_name(&index->manifests[i]), op->ref))
                        break;
        if (i < index->n_manifests) {
                oci_descriptor_done(&index->manifests[i]);
                index->manifests[i] = d;
                return 0;
        }
        OciDescriptor *m = reallocarray(index->manifests, index->n_manifests + 1, sizeof *m);
        if (!m) {
                oci_descriptor_done(&d);
                return -ENOMEM;
        }
        index->manifests = m;
        index->manifests[index->n_manifests++] = d;
        return 0;
}

int oci_layout_tag(OciLayout *l, const char *ref, const OciDescriptor *manifest, char **ret_error) {
        TagOp op = { .ref = ref, .desc = manifest };
        return oci_layout_update_index(l, do_tag, &op, ret_error);
}

static int do_untag(OciIndex *index, void *userdata) {
        TagOp *op = userdata;

        for (size_t i = 0; i < index->n_manifests; i++)
                if (streq_ptr(descriptor_ref_name(&index->manifests[i]), op->ref)) {
                        oci_descriptor_done(&index->manifests[i]);
                        memmove(&index->manifests[i], &index->manifests[i + 1],
                                (index->n_manifests - i - 1) * sizeof *index->manifests);
                        index->n_manifests--;
                        op->removed = true;
                        return 0;
                }
        return -ENOENT;
}

int oci_layout_untag(OciLayout *l, const char *ref, char **ret_error) {
        TagOp op = { .ref = ref };
        int r = oci_layout_update_index(l, do_untag, &op, ret_error);
        if (r == -ENOENT)
                return error_set(ret_error, r, "no image '%s' in '%s'", ref, l->path);
        return r;
}

int oci_layout_resolve(OciLayout *l, const char *ref, OciDescriptor *ret, char **ret_error) {
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        int r;

        r = read_index(l, &index, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < index->n_manifests; i++)
                if (streq_ptr(descriptor_ref_name(&index->manifests[i]), ref)) {
                        r = descriptor_copy(&index->manifests[i], ret);
                        if (r < 0)
                                oci_descriptor_done(ret);
                        return r;
                }
        return error_set(ret_error, -ENOENT, "no image '%s' in '%s'", ref, l->path);
}

/* ---- blobs ---- */

char *oci_layout_blob_path(const Digest *d) {
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        return strjoin(SHA256_DIR "/", digest_format_hex(d, hex));
}

int oci_layout_open_blob(OciLayout *l, const Digest *d, int *ret_fd, uint64_t *ret_size) {
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        struct stat st;
        int fd;

        fd = openat(l->sha256_fd, digest_format_hex(d, hex), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                safe_close(fd);
                return -EBADMSG;
        }
        *ret_fd = fd;
        if (ret_size)
                *ret_size = (uint64_t) st.st_size;
        return 0;
}

int oci_layout_read_blob(OciLayout *l, const Digest *d, uint64_t size, size_t max, char **ret,
                         char **ret_error) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        char s[DIGEST_STRING_MAX];
        size_t n;
        Digest got;
        int r;

        digest_format(d, s);
        if (size > max)
                return error_set(ret_error, -EFBIG,
                                 "blob %s: size %llu is larger than the limit of %zu bytes", s,
                                 (unsigned long long) size, max);
        r = oci_layout_open_blob(l, d, &fd, NULL);
        if (r < 0)
                return error_set(ret_error, r, "blob %s: %s", s,
                                 r == -ENOENT ? "missing" : strerror(-r));
        r = read_full_fd(fd, max, &data, &n);
        if (r == -EFBIG || (r >= 0 && n != size))
                return error_set(ret_error, -EBADMSG,
                                 "blob %s: size mismatch (expected %llu bytes)", s,
                                 (unsigned long long) size);
        if (r < 0)
                return error_set(ret_error, r, "blob %s: %s", s, strerror(-r));
        r = digest_compute(data, n, &got);
        if (r < 0)
                return r;
        if (!digest_equal(&got, d))
                return error_set(ret_error, -EBADMSG, "blob %s: digest mismatch", s);
        *ret = TAKE_PTR(data);
        return 0;
}

int oci_layout_check_blob(OciLayout *l, const Digest *d, uint64_t size, char **ret_error) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
        _cleanup_close_ int fd = -1;
        char s[DIGEST_STRING_MAX];
        uint64_t have;
        Digest got;
        int r;

        digest_format(d, s);
        r = oci_layout_open_blob(l, d, &fd, &have);
        if (r < 0)
                return error_set(ret_error, r, "blob %s: %s", s,
                                 r == -ENOENT ? "missing" : strerror(-r));
        if (have != size)
                return error_set(ret_error, -EBADMSG,
                                 "blob %s: size mismatch (%llu bytes, expected %llu)", s,
                                 (unsigned long long) have, (unsigned long long) size);
        r = crypto_hash_new(HASH_SHA256, &h);
        if (r >= 0)
                r = hash_fd_range(fd, h, 0, size);
        if (r >= 0)
                r = crypto_hash_final(h, got.sha256);
        if (r < 0)
                return error_set(ret_error, r, "blob %s: %s", s, strerror(-r));
        if (!digest_equal(&got, d))
                return error_set(ret_error, -EBADMSG, "blob %s: digest mismatch", s);
        return 0;
}

int oci_layout_blob_tmpfile(OciLayout *l, int *ret_fd, char **ret_tmp_path) {
        _cleanup_free_ char *tmp = NULL;
        int fd, rw;

        fd = open_tmpfile_beside_at(l->sha256_fd, "./blob", 0644, &tmp);
        if (fd < 0)
                return fd;
        /* the writer opens write-only; builders read their output back */
        rw = openat(l->sha256_fd, tmp, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        safe_close(fd);
        if (rw < 0) {
                int r = -errno;
                unlink_tmpfile_at(l->sha256_fd, tmp);
                return r;
        }
        *ret_fd = rw;
        *ret_tmp_path = TAKE_PTR(tmp);
        return 0;
}

int oci_layout_blob_commit(OciLayout *l, int fd, const char *tmp_path, const Digest *d) {
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        int r;

        /* an existing blob of that name is replaced: the new copy was just checked, the old
         * one might have been damaged */
        r = link_tmpfile_at(fd, l->sha256_fd, tmp_path, digest_format_hex(d, hex), 0);
        if (r < 0)
                unlink_tmpfile_at(l->sha256_fd, tmp_path);
        return r;
}

void oci_layout_blob_abort(OciLayout *l, const char *tmp_path) {
        unlink_tmpfile_at(l->sha256_fd, tmp_path);
}

int oci_layout_write_blob(OciLayout *l, const void *data, size_t size, Digest *ret) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        Digest want, got;
        int r;

        r = digest_compute(data, size, &want);
        if (r < 0)
                return r;
        r = oci_layout_blob_tmpfile(l, &fd, &tmp);
        if (r < 0)
                return r;
        r = loop_write(fd, data, size);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0) {
                _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
                r = crypto_hash_new(HASH_SHA256, &h);
                if (r >= 0)
                        r = hash_fd_range(fd, h, 0, size);
                if (r >= 0)
                        r = crypto_hash_final(h, got.sha256);
        }
        if (r >= 0 && !digest_equal(&got, &want))
                r = -EIO; /* what we read back is not what we wrote */
        if (r < 0) {
                oci_layout_blob_abort(l, tmp);
                return r;
        }
        r = oci_layout_blob_commit(l, fd, tmp, &want);
        if (r < 0)
                return r;
        *ret = want;
        return 0;
}

/* ---- gc ---- */

typedef struct Reach {
        Digest *d;
        size_t n, allocated;
} Reach;

static bool reach_has(const Reach *r, const Digest *d) {
        for (size_t i = 0; i < r->n; i++)
                if (digest_equal(&r->d[i], d))
                        return true;
        return false;
}

static int reach_add(Reach *r, const Digest *d) {
        if (reach_has(r, d))
                return 0;
        if (r->n == r->allocated) {
                size_t m = r->allocated ? r->allocated * 2 : 64;
                Digest *n = reallocarray(r->d, m, sizeof *n);
                if (!n)
                        return -ENOMEM;
                r->d = n;
                r->allocated = m;
        }
        r->d[r->n++] = *d;
        return 1;
}

static int reach_descriptor(OciLayout *l, Reach *reach, const OciDescriptor *d, unsigned depth,
                            char **ret_error) {
        _cleanup_free_ char *data = NULL, *err = NULL;
        char s[DIGEST_STRING_MAX];
        int r;

        r = reach_add(reach, &d->digest);
        if (r <= 0)
                return r;
        if (!oci_media_type_is_manifest(d->media_type) && !oci_media_type_is_index(d->media_type))
                return 0; /* a leaf */
        if (depth > 8)
                return error_set(ret_error, -EBADMSG, "image indexes nested too deeply");

        digest_format(&d->digest, s);
        r = oci_layout_read_blob(l, &d->digest, d->size,
                                 oci_media_type_is_index(d->media_type) ? OCI_INDEX_SIZE_MAX
                                                                        : OCI_MANIFEST_SIZE_MAX,
                                 &data, &err);
        if (r == -ENOENT)
                return 0; /* nothing to keep below a missing blob */
        if (r < 0)
                return error_set(ret_error, -EBADMSG, "refusing to collect garbage: %s",
                                 err ?: strerror(-r));

        if (oci_media_type_is_index(d->media_type)) {
                _cleanup_(oci_index_freep) OciIndex *i = NULL;
                r = oci_index_parse(data, d->size, &i, &err);
                if (r < 0)
                        return error_set(ret_error, -EBADMSG,
                                         "refusing to collect garbage: index %s: %s", s,
                                         err ?: strerror(-r));
                for (size_t k = 0; k < i->n_manifests; k++) {
                        r = reach_descriptor(l, reach, &i->manifests[k], depth + 1, ret_error);
                        if (r < 0)
                                return r;
                }
        } else {
                _cleanup_(oci_manifest_freep) OciManifest *m = NULL;
                r = oci_manifest_parse(data, d->size, &m, &err);
                if (r < 0)
                        return error_set(ret_error, -EBADMSG,
                                         "refusing to collect garbage: manifest %s: %s", s,
                                         err ?: strerror(-r));
                r = reach_add(reach, &m->config.digest);
                for (size_t k = 0; r >= 0 && k < m->n_layers; k++)
                        r = reach_add(reach, &m->layers[k].digest);
                if (r < 0)
                        return r;
        }
        return 0;
}

int oci_layout_gc(OciLayout *l, uint64_t *ret_removed, uint64_t *ret_bytes, char **ret_error) {
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        Reach reach = {};
        uint64_t removed = 0, bytes = 0;
        struct dirent *de;
        int r, dfd;

        /* the index lock too: no tag may point at a blob while we decide it is garbage */
        r = lock_fd(l->dir_fd, LOCK_EX);
        if (r < 0)
                return r;
        r = read_index(l, &index, ret_error);
        for (size_t i = 0; r >= 0 && i < index->n_manifests; i++)
                r = reach_descriptor(l, &reach, &index->manifests[i], 0, ret_error);
        if (r < 0)
                goto finish;

        /* a new open file description: a dup would share (and keep) the read position */
        dfd = openat(l->sha256_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || !(d = fdopendir(dfd))) {
                r = -errno;
                safe_close(dfd);
                goto finish;
        }
        while ((de = readdir(d))) {
                Digest dg;
                _cleanup_free_ char *name = NULL;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                name = strjoin("sha256:", de->d_name);
                if (!name) {
                        r = -ENOMEM;
                        goto finish;
                }
                if (digest_parse(name, &dg) >= 0 && reach_has(&reach, &dg))
                        continue;
                if (fstatat(l->sha256_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    S_ISDIR(st.st_mode))
                        continue;
                if (unlinkat(l->sha256_fd, de->d_name, 0) < 0) {
                        r = error_set(ret_error, -errno, "cannot remove '%s/%s/%s': %m", l->path,
                                      SHA256_DIR, de->d_name);
                        goto finish;
                }
                removed++;
                bytes += (uint64_t) st.st_size;
        }
        if (fsync(l->sha256_fd) < 0) {
                r = -errno;
                goto finish;
        }
        if (ret_removed)
                *ret_removed = removed;
        if (ret_bytes)
                *ret_bytes = bytes;
        r = 0;
finish:
        (void) flock(l->dir_fd, LOCK_UN);
        free(reach.d);
        return r;
}
