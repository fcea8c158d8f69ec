/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compress.h"
#include "crypto.h"
#include "error-util.h"
#include "log.h"
#include "string-util.h"
#include "tar-import.h"

#define INPUT_BUFFER_SIZE (128U * 1024U)

struct TarReader {
        struct archive *a;
        struct archive_entry *entry;
        TarInput in;
        uint64_t pos;  /* input bytes pulled so far */
        uint8_t *buf;  /* input, handed to libarchive */
        uint8_t *data; /* members' contents, read out of libarchive */
        CryptoHash *hash;

        /* gzip is inflated by compress.h's checked stream rather than by libarchive, whose gzip
         * filter does not check the CRC-32 and length in each member's trailer (RFC 1952
         * section 2.3.1). */
        bool probed;
        GunzipStream *gzip;
        int input_error;
        bool opened;
        char *error;
};

TarReader *tar_reader_free(TarReader *r) {
        if (!r)
                return NULL;
        if (r->a)
                archive_read_free(r->a);
        crypto_hash_free(r->hash);
        gunzip_stream_free(r->gzip);
        free(r->buf);
        free(r->data);
        free(r->error);
        free(r);
        return NULL;
}

const char *tar_reader_error(const TarReader *r) {
        return r->error;
}

/* Pulls up to size bytes of raw input into buf (hashing them); returns how many, 0 at the end,
 * or -errno. */
static ssize_t input_pull(TarReader *r, uint8_t *buf, size_t size) {
        ssize_t k;

        if (r->in.outer) {
                k = archive_read_data(r->in.outer->a, buf, size);
                if (k < 0)
                        return -EBADMSG;
        } else {
                uint64_t remaining = r->in.size == UINT64_MAX ? UINT64_MAX : r->in.size - r->pos;
                size_t want = (size_t) MIN((uint64_t) size, remaining);

                if (want == 0)
                        return 0;
                do
                        k = pread(r->in.fd, buf, want, (off_t) (r->in.offset + r->pos));
                while (k < 0 && errno == EINTR);
                if (k < 0)
                        return -errno;
                if (k == 0 && r->in.size != UINT64_MAX)
                        return -EBADMSG; /* the file is shorter than the range */
        }
        if (k > 0 && r->hash) {
                int q = crypto_hash_update(r->hash, buf, (size_t) k);
                if (q < 0)
                        return q;
        }
        r->pos += (uint64_t) k;
        return k;
}

static ssize_t gzip_input_pull(void *userdata, uint8_t *buf, size_t size) {
        return input_pull(userdata, buf, size);
}

static ssize_t input_next(TarReader *r) {
        if (!r->probed) {
                ssize_t k;
                int q;

                r->probed = true;
                k = input_pull(r, r->buf, INPUT_BUFFER_SIZE);
                if (k < 2 || r->buf[0] != 0x1f || r->buf[1] != 0x8b)
                        return k; /* not gzip: libarchive reads it (plain or zstd) */
                q = gunzip_stream_new(gzip_input_pull, r, r->buf, (size_t) k, &r->gzip);
                if (q < 0)
                        return q;
        }
        if (r->gzip)
                return gunzip_stream_read(r->gzip, r->buf, INPUT_BUFFER_SIZE);
        return input_pull(r, r->buf, INPUT_BUFFER_SIZE);
}

static la_ssize_t input_read(struct archive *a, void *userdata, const void **ret_buf) {
        TarReader *r = userdata;
        ssize_t k = input_next(r);

        if (k < 0) {
                r->input_error = (int) k;
                archive_set_error(a, (int) -k, "cannot read the input: %s", strerror((int) -k));
                return -1;
        }
        *ret_buf = r->buf;
        return k;
}

static la_int64_t input_skip(struct archive *a, void *userdata, la_int64_t request) {
        TarReader *r = userdata;
        uint64_t remaining;

        /* only installed for plain ranges of a file without a digest; a gzip stream cannot
         * be skipped into */
        if (request <= 0 || r->gzip || !r->probed)
                return 0;
        remaining = r->in.size == UINT64_MAX ? (uint64_t) request : r->in.size - r->pos;
        remaining = MIN(remaining, (uint64_t) request);
        r->pos += remaining;
        return (la_int64_t) remaining;
}

int tar_reader_new(const TarInput *in, TarReader **ret) {
        _cleanup_(tar_reader_freep) TarReader *r = NULL;
        int k;

        r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->in = *in;
        if (!r->in.outer && r->in.size == UINT64_MAX) {
                struct stat st;
                if (fstat(r->in.fd, &st) < 0)
                        return -errno;
                if (S_ISREG(st.st_mode) && (uint64_t) st.st_size >= r->in.offset)
                        r->in.size = (uint64_t) st.st_size - r->in.offset;
        }
        r->buf = malloc(INPUT_BUFFER_SIZE);
        r->data = malloc(INPUT_BUFFER_SIZE);
        r->a = archive_read_new();
        if (!r->buf || !r->data || !r->a)
                return -ENOMEM;
        if (in->digest) {
                k = crypto_hash_new(HASH_SHA256, &r->hash);
                if (k < 0)
                        return k;
        }
        if (archive_read_support_format_tar(r->a) != ARCHIVE_OK ||
            archive_read_support_filter_none(r->a) != ARCHIVE_OK ||
            archive_read_support_filter_zstd(r->a) != ARCHIVE_OK)
                return -EOPNOTSUPP; /* not built in: we never run external decompressors */

        archive_read_set_read_callback(r->a, input_read);
        if (!in->outer && !in->digest && r->in.size != UINT64_MAX)
                archive_read_set_skip_callback(r->a, input_skip);
        archive_read_set_callback_data(r->a, r);
        /* opened on the first tar_reader_next(), so that errors have a reader to live in */
        *ret = TAKE_PTR(r);
        return 0;
}

static int archive_failure(TarReader *r, const char *where) {
        const char *e = archive_error_string(r->a);

        if (r->input_error == -EBADMSG && r->gzip && gunzip_stream_error(r->gzip))
                return error_replace(&r->error, -EBADMSG, "truncated or corrupt archive: gzip: %s",
                                     gunzip_stream_error(r->gzip));
        if (r->input_error < 0 && r->input_error != -EBADMSG)
                return error_replace(&r->error, r->input_error, "%s: cannot read the input: %s",
                                     where, strerror(-r->input_error));
        return error_replace(&r->error, -EBADMSG, "%s: %s", where,
                             e ?: "truncated or corrupt archive");
}

static const char *entry_path(struct archive_entry *e) {
        return archive_entry_pathname(e) ?: archive_entry_pathname_utf8(e);
}

int tar_reader_next(TarReader *r, const char **ret_path) {
        int k;

        if (!r->opened) {
                k = archive_read_open1(r->a);
                if (k != ARCHIVE_OK)
                        return archive_failure(
                                r, "truncated, corrupt or not a tar archive (plain, gzip or zstd)");
                r->opened = true;
        }
        k = archive_read_next_header(r->a, &r->entry);
        if (k == ARCHIVE_EOF)
                return 0;
        if (k != ARCHIVE_OK && k != ARCHIVE_WARN)
                return archive_failure(r, "truncated or corrupt archive");
        if (ret_path)
                *ret_path = entry_path(r->entry) ?: "";
        return 1;
}

const char *tar_reader_member_symlink(TarReader *r) {
        if (!r->entry || archive_entry_filetype(r->entry) != AE_IFLNK)
                return NULL;
        return archive_entry_symlink(r->entry);
}

ssize_t tar_reader_read(TarReader *r, void *buf, size_t n) {
        la_ssize_t k = archive_read_data(r->a, buf, n);

        if (k < 0)
                return archive_failure(r, "truncated or corrupt archive");
        return k;
}

int tar_reader_read_all(TarReader *r, size_t max, char **ret, size_t *ret_size) {
        _cleanup_free_ char *b = NULL;
        const char *path = entry_path(r->entry) ?: "";
        la_int64_t declared = archive_entry_size(r->entry);
        size_t have = 0;

        if (declared < 0 || (uint64_t) declared > max)
                return error_replace(&r->error, -EFBIG, "'%s' is larger than %zu bytes", path, max);
        b = malloc((size_t) declared + 1);
        if (!b)
                return -ENOMEM;
        for (;;) {
                ssize_t k;
                if (have == (size_t) declared) {
                        char extra;
                        k = tar_reader_read(r, &extra, 1);
                        if (k < 0)
                                return (int) k;
                        if (k > 0)
                                return error_replace(&r->error, -EBADMSG,
                                                     "'%s': more data than declared", path);
                        break;
                }
                k = tar_reader_read(r, b + have, (size_t) declared - have);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        return error_replace(&r->error, -EBADMSG, "'%s': truncated", path);
                have += (size_t) k;
        }
        b[have] = '\0';
        *ret = TAKE_PTR(b);
        *ret_size = have;
        return 0;
}

int tar_reader_input_digest(TarReader *r, Digest *ret, uint64_t *ret_size) {
        _cleanup_free_ uint8_t *scratch = NULL;
        Digest d;
        ssize_t k;
        int q;

        if (!r->hash)
                return -EINVAL;
        /* Whatever follows the archive's end marker is part of the input and of its digest. */
        scratch = malloc(INPUT_BUFFER_SIZE);
        if (!scratch)
                return -ENOMEM;
        do
                k = input_pull(r, scratch, INPUT_BUFFER_SIZE);
        while (k > 0);
        if (k < 0)
                return error_replace(&r->error, (int) k, "cannot read the input: %s",
                                     strerror((int) -k));
        q = crypto_hash_final(r->hash, d.sha256);
        if (q < 0)
                return q;
        r->hash = crypto_hash_free(r->hash);
        *ret = d;
        if (ret_size)
                *ret_size = r->pos;
        return 0;
}

typedef struct Xattrs {
        FsXattr *x;
        size_t n;
} Xattrs;

static void xattrs_done(Xattrs *x) {
        free(x->x); /* names and values belong to the archive entry */
        x->x = NULL;
        x->n = 0;
}

static int entry_xattrs(TarReader *r, const char *path, Xattrs *ret) {
        const char *name;
        const void *value;
        size_t size;

        archive_entry_xattr_reset(r->entry);
        while (archive_entry_xattr_next(r->entry, &name, &value, &size) == ARCHIVE_OK) {
                FsXattr *n;
                if (ret->n >= FS_XATTRS_MAX)
                        return error_replace(&r->error, -EFBIG, "'%s': more than %u xattrs", path,
                                             FS_XATTRS_MAX);
                n = reallocarray(ret->x, ret->n + 1, sizeof *n);
                if (!n)
                        return -ENOMEM;
                ret->x = n;
                ret->x[ret->n++] = (FsXattr){ .name = (char *) name,
                                              .value = (uint8_t *) value,
                                              .size = size };
        }
        return 0;
}

static int import_data(TarReader *r, FsNode *n, const char *path, uint64_t declared,
                       const FsDataSink *sink) {
        uint64_t total = 0;
        int q;

        if (sink) {
                q = sink->begin(sink->userdata, n);
                if (q < 0)
                        return error_replace(&r->error, q, "'%s': cannot store the file: %s", path,
                                             strerror(-q));
        }
        for (;;) {
                /* not r->buf: libarchive still points into the input it was given */
                ssize_t k = tar_reader_read(r, r->data, INPUT_BUFFER_SIZE);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                total += (uint64_t) k;
                if (total > declared)
                        return error_replace(&r->error, -EBADMSG, "'%s': more data than declared",
                                             path);
                if (sink) {
                        q = sink->write(sink->userdata, r->data, (size_t) k);
                        if (q < 0)
                                return error_replace(&r->error, q,
                                                     "'%s': cannot store the file: %s", path,
                                                     strerror(-q));
                }
        }
        if (total != declared)
                return error_replace(&r->error, -EBADMSG, "'%s': truncated (%llu of %llu bytes)",
                                     path, (unsigned long long) total,
                                     (unsigned long long) declared);
        if (sink) {
                q = sink->end(sink->userdata);
                if (q < 0)
                        return error_replace(&r->error, q, "'%s': cannot store the file: %s", path,
                                             strerror(-q));
        }
        return 0;
}

static int import_member(TarReader *r, FsTree *tree, const FsDataSink *sink, uint64_t size_max) {
        struct archive_entry *e = r->entry;
        const char *path = entry_path(e) ?: "";
        const char *hardlink = archive_entry_hardlink(e);
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        la_int64_t size = archive_entry_size(e);
        _cleanup_(xattrs_done) Xattrs x = {};
        FsNode *n = NULL;
        FsEntry fe;
        int q;

        if (uid < 0 || uid > UINT32_MAX || gid < 0 || gid > UINT32_MAX)
                return error_replace(&r->error, -EBADMSG, "'%s': owner %lld:%lld out of range",
                                     path, (long long) uid, (long long) gid);
        if (size < 0 || (uint64_t) size > size_max)
                return error_replace(&r->error, -EFBIG,
                                     "'%s': size %lld is larger than the limit of %llu bytes", path,
                                     (long long) size, (unsigned long long) size_max);
        if (!hardlink && archive_entry_filetype(e) == AE_IFLNK && !archive_entry_symlink(e))
                return error_replace(&r->error, -EBADMSG, "'%s': symlink without a target", path);
        q = entry_xattrs(r, path, &x);
        if (q < 0)
                return q;

        fe = (FsEntry){
                .path = path,
                .mode = archive_entry_mode(e),
                .uid = (uint32_t) uid,
                .gid = (uint32_t) gid,
                .mtime = archive_entry_mtime(e),
                .rdev_major = (uint32_t) archive_entry_rdevmajor(e),
                .rdev_minor = (uint32_t) archive_entry_rdevminor(e),
                .symlink = archive_entry_symlink(e),
                .hardlink = hardlink,
                .xattrs = x.x,
                .n_xattrs = x.n,
        };
        q = fs_tree_add(tree, &fe, &n);
        if (q < 0) {
                if (q == -EBADMSG || q == -EFBIG)
                        return error_replace(&r->error, q, "%s",
                                             fs_tree_error(tree) ?: "invalid member");
                return q;
        }
        /* Regular files carry data; a hard link, a whiteout or a directory never does here
         * (libarchive skips whatever data such a member has). */
        if (n && !hardlink && S_ISREG(n->inode->mode))
                return import_data(r, n, path, (uint64_t) size, sink);
        return 0;
}

int tar_reader_import(TarReader *r, FsTree *tree, const FsDataSink *sink,
                      const TarImportOptions *o) {
        uint64_t size_max = o && o->member_size_max ? o->member_size_max : TAR_MEMBER_SIZE_MAX;
        int q;

        for (;;) {
                q = tar_reader_next(r, NULL);
                if (q <= 0)
                        return q;
                q = import_member(r, tree, sink, size_max);
                if (q < 0)
                        return q;
                if (o && o->progress)
                        o->progress(r->pos, o->userdata);
        }
}
