/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* squashfs 4.0 (Linux Documentation/filesystems/squashfs.rst) written and read through
 * libsquashfs. The order of the tables follows what the kernel expects: superblock,
 * compressor options, data and fragment blocks, inode table, directory table, fragment table,
 * id table, xattr tables. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr.h>
#include <sqfs/xattr_reader.h>
#include <sqfs/xattr_writer.h>

#include "crypto.h"
#include "io-util.h"
#include "log.h"
#include "squashfs.h"
#include "string-util.h"

#define NO_INDEX 0xFFFFFFFFU
#define NO_TABLE 0xFFFFFFFFFFFFFFFFULL

static int sqfs_to_errno(int e) {
        switch (e) {
        case 0:
                return 0;
        case SQFS_ERROR_ALLOC:
                return -ENOMEM;
        case SQFS_ERROR_IO:
                return -EIO;
        case SQFS_ERROR_OVERFLOW:
                return -EFBIG;
        case SQFS_ERROR_ARG_INVALID:
        case SQFS_ERROR_SEQUENCE:
        case SQFS_ERROR_INTERNAL:
                return -EINVAL;
        case SQFS_ERROR_UNSUPPORTED:
                return -EOPNOTSUPP;
        default: /* corrupted, out of bounds, bad superblock, compressor */
                return -EBADMSG;
        }
}

/* ---- sqfs_file_t on a file descriptor we own elsewhere ---- */

typedef struct FdFile {
        sqfs_file_t base;
        int fd;
        uint64_t size;
        uint64_t written_back; /* writeback started up to here */
} FdFile;

/* Write-behind: the blob is fsynced before it is committed, so start writing it to disk as
 * it grows instead of all at once at the end. */
#define WRITE_BEHIND (8U << 20)

static void fd_file_destroy(sqfs_object_t *o) {
        /* embedded in its owner; the fd is closed by whoever opened it */
}

static int fd_file_read_at(sqfs_file_t *f, sqfs_u64 offset, void *buffer, size_t size) {
        FdFile *ff = (FdFile *) f;

        if (offset > ff->size || size > ff->size - offset)
                return SQFS_ERROR_OUT_OF_BOUNDS;
        return pread_full(ff->fd, buffer, size, offset) < 0 ? SQFS_ERROR_IO : 0;
}

static int fd_file_write_at(sqfs_file_t *f, sqfs_u64 offset, const void *buffer, size_t size) {
        FdFile *ff = (FdFile *) f;
        uint64_t end = offset + size;

        if (end < offset || end > INT64_MAX)
                return SQFS_ERROR_OVERFLOW;
        if (pwrite_full(ff->fd, buffer, size, offset) < 0)
                return SQFS_ERROR_IO;
        if (end > ff->size)
                ff->size = end;
        if (ff->size > ff->written_back + WRITE_BEHIND) {
                (void) sync_file_range(ff->fd, (off_t) ff->written_back,
                                       (off_t) (ff->size - ff->written_back),
                                       SYNC_FILE_RANGE_WRITE);
                ff->written_back = ff->size;
        }
        return 0;
}

static sqfs_u64 fd_file_get_size(const sqfs_file_t *f) {
        return ((const FdFile *) f)->size;
}

static int fd_file_truncate(sqfs_file_t *f, sqfs_u64 size) {
        FdFile *ff = (FdFile *) f;

        if (size > INT64_MAX)
                return SQFS_ERROR_OVERFLOW;
        if (ftruncate(ff->fd, (off_t) size) < 0)
                return SQFS_ERROR_IO;
        ff->size = size;
        return 0;
}

static void fd_file_init(FdFile *f, int fd, uint64_t size) {
        *f = (FdFile){
                .base = {
                        .base = { .destroy = fd_file_destroy, .copy = NULL },
                        .read_at = fd_file_read_at,
                        .write_at = fd_file_write_at,
                        .get_size = fd_file_get_size,
                        .truncate = fd_file_truncate,
                },
                .fd = fd,
                .size = size,
        };
}

/* ---- the writer ---- */

struct SquashfsWriter {
        FdFile file;
        sqfs_super_t super;
        sqfs_compressor_t *cmp, *uncmp;
        sqfs_block_writer_t *blkwr;
        sqfs_frag_table_t *frag;
        sqfs_block_processor_t *proc;
        sqfs_id_table_t *ids;
        sqfs_xattr_writer_t *xwr;
        sqfs_meta_writer_t *im, *dm;
        sqfs_dir_writer_t *dirwr;
        bool in_file;
        bool finished;
        uint32_t inode_count;
};

void squashfs_payload_free(void *payload) {
        free(payload); /* libsquashfs allocates inodes with malloc() */
}

SquashfsWriter *squashfs_writer_free(SquashfsWriter *w) {
        if (!w)
                return NULL;
        /* libsquashfs does not free the block of a file still being written, nor the fragment
         * block being filled: hand them over first (whatever it writes goes into a file that is
         * being thrown away) */
        if (w->proc && !w->finished) {
                if (w->in_file)
                        (void) sqfs_block_processor_end_file(w->proc);
                (void) sqfs_block_processor_finish(w->proc);
        }
        /* the block processor first: it joins its threads and still uses the others */
        sqfs_destroy(w->proc);
        sqfs_destroy(w->dirwr);
        sqfs_destroy(w->dm);
        sqfs_destroy(w->im);
        sqfs_destroy(w->xwr);
        sqfs_destroy(w->ids);
        sqfs_destroy(w->frag);
        sqfs_destroy(w->blkwr);
        sqfs_destroy(w->uncmp);
        sqfs_destroy(w->cmp);
        free(w);
        return NULL;
}

int squashfs_writer_new(int fd, const SquashfsOptions *o, SquashfsWriter **ret) {
        _cleanup_(squashfs_writer_freep) SquashfsWriter *w = NULL;
        sqfs_compressor_config_t cfg;
        sqfs_block_processor_desc_t desc;
        unsigned level =
                o && o->compression_level ? o->compression_level : SQUASHFS_ZSTD_LEVEL_DEFAULT;
        unsigned threads = o && o->threads ? o->threads : 1;
        int r;

        if (level > SQUASHFS_ZSTD_LEVEL_MAX)
                return -EINVAL;
        w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        fd_file_init(&w->file, fd, 0);
        if (ftruncate(fd, 0) < 0)
                return -errno;

        r = sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, SQUASHFS_BLOCK_SIZE, 0);
        if (r)
                return sqfs_to_errno(r);
        cfg.level = level;
        r = sqfs_compressor_create(&cfg, &w->cmp);
        if (r)
                return sqfs_to_errno(r);
        r = sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, SQUASHFS_BLOCK_SIZE,
                                        SQFS_COMP_FLAG_UNCOMPRESS);
        if (r)
                return sqfs_to_errno(r);
        r = sqfs_compressor_create(&cfg, &w->uncmp);
        if (r)
                return sqfs_to_errno(r);

        r = sqfs_super_init(&w->super, SQUASHFS_BLOCK_SIZE, o ? o->mkfs_time : 0, SQFS_COMP_ZSTD);
        if (r)
                return sqfs_to_errno(r);
        r = sqfs_super_write(&w->super, &w->file.base);
        if (r)
                return sqfs_to_errno(r);
        r = w->cmp->write_options(w->cmp, &w->file.base);
        if (r < 0)
                return sqfs_to_errno(r);
        if (r > 0)
                w->super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;

        /* flags 0: duplicate blocks are compared byte for byte, not only by checksum */
        w->blkwr = sqfs_block_writer_create(&w->file.base, SQFS_DEVBLK_SIZE, 0);
        w->frag = sqfs_frag_table_create(0);
        w->ids = sqfs_id_table_create(0);
        w->xwr = sqfs_xattr_writer_create(0);
        w->im = sqfs_meta_writer_create(&w->file.base, w->cmp, 0);
        w->dm = sqfs_meta_writer_create(&w->file.base, w->cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
        if (!w->blkwr || !w->frag || !w->ids || !w->xwr || !w->im || !w->dm)
                return -ENOMEM;
        w->dirwr = sqfs_dir_writer_create(w->dm, 0);
        if (!w->dirwr)
                return -ENOMEM;

        desc = (sqfs_block_processor_desc_t){
                .size = sizeof desc,
                .max_block_size = SQUASHFS_BLOCK_SIZE,
                .num_workers = threads,
                .max_backlog = 8 * threads,
                .cmp = w->cmp,
                .wr = w->blkwr,
                .tbl = w->frag,
                /* fragments are deduplicated only after a byte comparison */
                .file = &w->file.base,
                .uncmp = w->uncmp,
        };
        r = sqfs_block_processor_create_ex(&desc, &w->proc);
        if (r)
                return sqfs_to_errno(r);

        *ret = TAKE_PTR(w);
        return 0;
}

int squashfs_writer_begin_file(SquashfsWriter *w, FsNode *n) {
        if (w->in_file || !S_ISREG(n->inode->mode) || n->inode->payload)
                return -EINVAL;
        w->in_file = true;
        return sqfs_to_errno(sqfs_block_processor_begin_file(
                w->proc, (sqfs_inode_generic_t **) &n->inode->payload, NULL, 0));
}

int squashfs_writer_append(SquashfsWriter *w, const void *data, size_t size) {
        if (!w->in_file)
                return -EINVAL;
        return sqfs_to_errno(sqfs_block_processor_append(w->proc, data, size));
}

int squashfs_writer_end_file(SquashfsWriter *w) {
        if (!w->in_file)
                return -EINVAL;
        w->in_file = false;
        return sqfs_to_errno(sqfs_block_processor_end_file(w->proc));
}

static int sink_begin(void *userdata, FsNode *n) {
        return squashfs_writer_begin_file(userdata, n);
}
static int sink_write(void *userdata, const void *data, size_t size) {
        return squashfs_writer_append(userdata, data, size);
}
static int sink_end(void *userdata) {
        return squashfs_writer_end_file(userdata);
}

void squashfs_writer_data_sink(SquashfsWriter *w, FsDataSink *ret) {
        *ret = (FsDataSink){
                .begin = sink_begin, .write = sink_write, .end = sink_end, .userdata = w
        };
}

static int number_inode(FsNode *n, void *userdata) {
        SquashfsWriter *w = userdata;

        if (n->inode->inode_number == 0) {
                if (w->inode_count == UINT32_MAX - 1)
                        return -EFBIG;
                n->inode->inode_number = ++w->inode_count;
        }
        return 0;
}

/* Linux new_encode_dev(), which squashfs stores and the kernel decodes with new_decode_dev(). */
static uint32_t encode_dev(uint32_t major, uint32_t minor) {
        return (minor & 0xffU) | ((major & 0xfffU) << 8) | ((minor & ~0xffU) << 12);
}

static sqfs_inode_generic_t *special_inode_new(const FsInode *i) {
        size_t extra = S_ISLNK(i->mode) ? strlen(i->target) : 0;
        sqfs_inode_generic_t *s = calloc(1, sizeof *s + extra);

        if (!s)
                return NULL;
        switch (i->mode & S_IFMT) {
        case S_IFLNK:
                s->base.type = SQFS_INODE_SLINK;
                s->data.slink.nlink = i->nlink;
                s->data.slink.target_size = (sqfs_u32) extra;
                memcpy(s->extra, i->target, extra);
                s->payload_bytes_available = s->payload_bytes_used = (sqfs_u32) extra;
                break;
        case S_IFCHR:
        case S_IFBLK:
                s->base.type = S_ISCHR(i->mode) ? SQFS_INODE_CDEV : SQFS_INODE_BDEV;
                s->data.dev.nlink = i->nlink;
                s->data.dev.devno = encode_dev(i->rdev_major, i->rdev_minor);
                break;
        case S_IFIFO:
        case S_IFSOCK:
                s->base.type = S_ISFIFO(i->mode) ? SQFS_INODE_FIFO : SQFS_INODE_SOCKET;
                s->data.ipc.nlink = i->nlink;
                break;
        case S_IFREG: /* a file whose contents never went through the block processor */
                s->base.type = SQFS_INODE_FILE;
                s->data.file.fragment_index = NO_INDEX;
                s->data.file.fragment_offset = NO_INDEX;
                break;
        default:
                free(s);
                return NULL;
        }
        return s;
}

static int write_xattrs(SquashfsWriter *w, const FsInode *i, uint32_t *ret) {
        sqfs_u32 idx;
        int r;

        if (i->n_xattrs == 0) {
                *ret = NO_INDEX;
                return 0;
        }
        r = sqfs_xattr_writer_begin(w->xwr, 0);
        for (size_t k = 0; r == 0 && k < i->n_xattrs; k++)
                r = sqfs_xattr_writer_add(w->xwr, i->xattrs[k].name, i->xattrs[k].value,
                                          i->xattrs[k].size);
        if (r == 0)
                r = sqfs_xattr_writer_end(w->xwr, &idx);
        if (r)
                return sqfs_to_errno(r);
        *ret = idx;
        return 0;
}

static int serialize_node(FsNode *n, void *userdata) {
        SquashfsWriter *w = userdata;
        FsInode *i = n->inode;
        sqfs_inode_generic_t *s;
        sqfs_u64 block;
        sqfs_u32 offset, xattr = NO_INDEX;
        int r;

        if (i->visited)
                return 0; /* another hard link wrote it */
        i->visited = true;

        r = write_xattrs(w, i, &xattr);
        if (r < 0)
                return r;

        if (S_ISDIR(i->mode)) {
                r = sqfs_dir_writer_begin(w->dirwr, 0);
                for (size_t k = 0; r == 0 && k < i->n_children; k++) {
                        FsInode *c = i->children[k]->inode;
                        r = sqfs_dir_writer_add_entry(w->dirwr, i->children[k]->name,
                                                      c->inode_number, c->inode_ref,
                                                      (sqfs_u16) c->mode);
                }
                if (r == 0)
                        r = sqfs_dir_writer_end(w->dirwr);
                if (r)
                        return sqfs_to_errno(r);
                s = sqfs_dir_writer_create_inode(w->dirwr, 0, xattr,
                                                 n->parent ? n->parent->inode->inode_number
                                                           : w->inode_count + 1);
                if (!s)
                        return -ENOMEM;
                if (s->base.type == SQFS_INODE_DIR)
                        s->data.dir.nlink = i->nlink;
                else
                        s->data.dir_ext.nlink = i->nlink;
        } else if (S_ISREG(i->mode) && i->payload) {
                s = TAKE_PTR(i->payload);
                if (i->nlink > 1) {
                        r = sqfs_inode_make_extended(s);
                        if (r) {
                                free(s);
                                return sqfs_to_errno(r);
                        }
                        s->data.file_ext.nlink = i->nlink;
                }
        } else {
                s = special_inode_new(i);
                if (!s)
                        return -ENOMEM;
        }

        s->base.mode = (sqfs_u16) i->mode;
        s->base.mod_time = i->mtime;
        s->base.inode_number = i->inode_number;
        r = sqfs_inode_set_xattr_index(s, xattr);
        if (r == 0)
                r = sqfs_id_table_id_to_index(w->ids, i->uid, &s->base.uid_idx);
        if (r == 0)
                r = sqfs_id_table_id_to_index(w->ids, i->gid, &s->base.gid_idx);
        if (r == 0) {
                sqfs_meta_writer_get_position(w->im, &block, &offset);
                i->inode_ref = (block << 16) | offset;
                r = sqfs_meta_writer_write_inode(w->im, s);
        }
        free(s);
        return sqfs_to_errno(r);
}

int squashfs_writer_finish(SquashfsWriter *w, FsTree *tree, uint64_t *ret_size) {
        static const uint8_t zeros[SQUASHFS_ALIGN] = {};
        FsNode *root = fs_tree_root(tree);
        uint64_t size;
        int r;

        if (w->in_file)
                return -EINVAL;
        w->finished = true;
        r = sqfs_to_errno(sqfs_block_processor_finish(w->proc));
        if (r < 0)
                return r;

        /* inode numbers 1..N in post-order (the root last), then the inodes in that order:
         * a directory's entries need the numbers and locations of its children */
        w->inode_count = 0;
        r = fs_tree_walk_postorder(tree, number_inode, w);
        if (r < 0)
                return r;
        w->super.inode_table_start = w->file.base.get_size(&w->file.base);
        r = fs_tree_walk_postorder(tree, serialize_node, w);
        if (r < 0)
                return r;
        r = sqfs_to_errno(sqfs_meta_writer_flush(w->im));
        if (r == 0)
                r = sqfs_to_errno(sqfs_meta_writer_flush(w->dm));
        if (r < 0)
                return r;
        w->super.root_inode_ref = root->inode->inode_ref;
        w->super.directory_table_start = w->file.base.get_size(&w->file.base);
        r = sqfs_to_errno(sqfs_meta_write_write_to_file(w->dm));
        if (r == 0)
                r = sqfs_to_errno(sqfs_frag_table_write(w->frag, &w->file.base, &w->super, w->cmp));
        if (r == 0)
                r = sqfs_to_errno(sqfs_id_table_write(w->ids, &w->file.base, &w->super, w->cmp));
        if (r == 0)
                r = sqfs_to_errno(
                        sqfs_xattr_writer_flush(w->xwr, &w->file.base, &w->super, w->cmp));
        if (r < 0)
                return r;

        w->super.inode_count = w->inode_count;
        w->super.bytes_used = w->file.base.get_size(&w->file.base);
        r = sqfs_to_errno(sqfs_super_write(&w->super, &w->file.base));
        if (r < 0)
                return r;

        size = w->super.bytes_used;
        if (size % SQUASHFS_ALIGN != 0) {
                r = sqfs_to_errno(w->file.base.write_at(&w->file.base, size, zeros,
                                                        SQUASHFS_ALIGN - size % SQUASHFS_ALIGN));
                if (r < 0)
                        return r;
                size += SQUASHFS_ALIGN - size % SQUASHFS_ALIGN;
        }
        *ret_size = size;
        return 0;
}

_Static_assert(sizeof(sqfs_super_t) == SQUASHFS_SUPERBLOCK_SIZE,
               "the on-disk superblock is 96 bytes");

uint64_t squashfs_writer_tables_start(const SquashfsWriter *w) {
        return w->super.inode_table_start;
}

/* ---- reading ---- */

static bool table_inside(uint64_t start, uint64_t end) {
        return start == NO_TABLE || start < end;
}

int squashfs_check_superblock(int fd, uint64_t limit, SquashfsInfo *ret, const char **ret_error) {
        FdFile f;
        sqfs_super_t s;
        const char *e = NULL;
        int r;

        fd_file_init(&f, fd, limit);
        r = sqfs_super_read(&s, &f.base);
        if (r == SFQS_ERROR_SUPER_MAGIC)
                e = "no squashfs magic";
        else if (r == SFQS_ERROR_SUPER_VERSION)
                e = "not squashfs version 4.0";
        else if (r == SQFS_ERROR_SUPER_BLOCK_SIZE)
                e = "invalid block size";
        else if (r == SQFS_ERROR_OUT_OF_BOUNDS || r == SQFS_ERROR_IO)
                e = "image shorter than a superblock";
        else if (r != 0)
                e = "invalid superblock";
        else if (s.compression_id < SQFS_COMP_MIN || s.compression_id > SQFS_COMP_MAX)
                e = "unknown compressor";
        else if (s.bytes_used > limit || s.bytes_used < sizeof(sqfs_super_t))
                e = "bytes_used beyond the end of the layer's data";
        else if (!(s.inode_table_start < s.directory_table_start &&
                   s.directory_table_start < s.bytes_used && s.id_table_start < s.bytes_used &&
                   table_inside(s.fragment_table_start, s.bytes_used) &&
                   table_inside(s.export_table_start, s.bytes_used) &&
                   table_inside(s.xattr_id_table_start, s.bytes_used) &&
                   s.inode_table_start >= sizeof(sqfs_super_t)))
                e = "table offsets outside the image";
        else if (s.inode_count == 0)
                e = "no inodes";
        if (e) {
                if (ret_error)
                        *ret_error = e;
                return -EBADMSG;
        }
        if (ret)
                *ret = (SquashfsInfo){
                        .bytes_used = s.bytes_used,
                        .inode_count = s.inode_count,
                        .block_size = s.block_size,
                        .compression_id = s.compression_id,
                        .mkfs_time = s.modification_time,
                };
        return 0;
}

typedef struct Lister {
        sqfs_data_reader_t *data;
        sqfs_xattr_reader_t *xattrs;
        FILE *out;
} Lister;

static char type_char(uint16_t mode) {
        switch (mode & S_IFMT) {
        case S_IFDIR:
                return 'd';
        case S_IFLNK:
                return 'l';
        case S_IFCHR:
                return 'c';
        case S_IFBLK:
                return 'b';
        case S_IFIFO:
                return 'p';
        case S_IFSOCK:
                return 's';
        default:
                return '-';
        }
}

static uint32_t inode_nlink(const sqfs_inode_generic_t *s) {
        switch (s->base.type) {
        case SQFS_INODE_DIR:
                return s->data.dir.nlink;
        case SQFS_INODE_EXT_DIR:
                return s->data.dir_ext.nlink;
        case SQFS_INODE_EXT_FILE:
                return s->data.file_ext.nlink;
        case SQFS_INODE_SLINK:
        case SQFS_INODE_EXT_SLINK:
                return s->data.slink.nlink;
        case SQFS_INODE_BDEV:
        case SQFS_INODE_CDEV:
        case SQFS_INODE_EXT_BDEV:
        case SQFS_INODE_EXT_CDEV:
                return s->data.dev.nlink;
        case SQFS_INODE_FIFO:
        case SQFS_INODE_SOCKET:
        case SQFS_INODE_EXT_FIFO:
        case SQFS_INODE_EXT_SOCKET:
                return s->data.ipc.nlink;
        default:
                return 1;
        }
}

static int list_file_data(Lister *l, const sqfs_inode_generic_t *s) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
        uint8_t buf[65536], d[SHA256_DIGEST_SIZE];
        _cleanup_free_ char *hex = NULL;
        sqfs_u64 size, off = 0;
        int r;

        r = sqfs_to_errno(sqfs_inode_get_file_size(s, &size));
        if (r < 0)
                return r;
        r = crypto_hash_new(HASH_SHA256, &h);
        if (r < 0)
                return r;
        while (off < size) {
                sqfs_u32 want = (sqfs_u32) MIN((sqfs_u64) sizeof buf, size - off);
                sqfs_s32 k = sqfs_data_reader_read(l->data, s, off, buf, want);
                if (k <= 0)
                        return k < 0 ? sqfs_to_errno(k) : -EBADMSG;
                r = crypto_hash_update(h, buf, (size_t) k);
                if (r < 0)
                        return r;
                off += (sqfs_u64) k;
        }
        r = crypto_hash_final(h, d);
        if (r < 0)
                return r;
        hex = hexmem(d, sizeof d);
        if (!hex)
                return -ENOMEM;
        fprintf(l->out, " size=%llu sha256=%s", (unsigned long long) size, hex);
        return 0;
}

static int list_xattrs(Lister *l, const sqfs_inode_generic_t *s) {
        sqfs_xattr_id_t desc;
        sqfs_u32 idx;
        int r;

        r = sqfs_inode_get_xattr_index(s, &idx);
        if (r || idx == NO_INDEX)
                return sqfs_to_errno(r);
        r = sqfs_xattr_reader_get_desc(l->xattrs, idx, &desc);
        if (r == 0)
                r = sqfs_xattr_reader_seek_kv(l->xattrs, &desc);
        if (r)
                return sqfs_to_errno(r);
        for (sqfs_u32 k = 0; k < desc.count; k++) {
                sqfs_xattr_entry_t *key = NULL;
                sqfs_xattr_value_t *val = NULL;
                _cleanup_free_ char *hex = NULL;

                r = sqfs_xattr_reader_read_key(l->xattrs, &key);
                if (r)
                        return sqfs_to_errno(r);
                r = sqfs_xattr_reader_read_value(l->xattrs, key, &val);
                if (r) {
                        free(key);
                        return sqfs_to_errno(r);
                }
                /* read_key() returns the whole name, prefix included, NUL-terminated */
                hex = hexmem(val->value, val->size);
                fprintf(l->out, " xattr %s=%s", (const char *) key->key, hex ?: "");
                free(key);
                free(val);
        }
        return 0;
}

static int list_node(Lister *l, const sqfs_tree_node_t *n, const char *path) {
        const sqfs_inode_generic_t *s = n->inode;
        uint16_t mode = s->base.mode;
        int r;

        fprintf(l->out, "%s %c%04o %u:%u %u nlink=%u", path, type_char(mode), mode & 07777, n->uid,
                n->gid, s->base.mod_time, inode_nlink(s));
        if (S_ISLNK(mode))
                fprintf(l->out, " -> %.*s", (int) s->data.slink.target_size,
                        (const char *) s->extra);
        if (S_ISCHR(mode) || S_ISBLK(mode)) {
                uint32_t d = s->data.dev.devno;
                fprintf(l->out, " dev=%u:%u", (d & 0xfff00) >> 8,
                        (d & 0xff) | ((d >> 12) & 0xfff00));
        }
        if (S_ISREG(mode)) {
                r = list_file_data(l, s);
                if (r < 0)
                        return r;
        }
        r = list_xattrs(l, s);
        if (r < 0)
                return r;
        fputc('\n', l->out);

        for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
                _cleanup_free_ char *p = streq(path, ".")
                                                 ? strdup((const char *) c->name)
                                                 : strjoin(path, "/", (const char *) c->name);
                if (!p)
                        return -ENOMEM;
                r = list_node(l, c, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

int squashfs_list(int fd, char **ret) {
        struct stat st;
        FdFile f;
        sqfs_super_t super;
        sqfs_compressor_config_t cfg;
        sqfs_compressor_t *cmp = NULL;
        sqfs_id_table_t *ids = NULL;
        sqfs_dir_reader_t *dr = NULL;
        sqfs_tree_node_t *root = NULL;
        Lister l = {};
        char *buf = NULL;
        size_t size = 0;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        fd_file_init(&f, fd, (uint64_t) st.st_size);
        r = sqfs_super_read(&super, &f.base);
        if (r == 0)
                r = sqfs_compressor_config_init(&cfg, super.compression_id, super.block_size,
                                                SQFS_COMP_FLAG_UNCOMPRESS);
        if (r == 0)
                r = sqfs_compressor_create(&cfg, &cmp);
        if (r)
                return sqfs_to_errno(r);

        ids = sqfs_id_table_create(0);
        l.xattrs = sqfs_xattr_reader_create(0);
        dr = sqfs_dir_reader_create(&super, cmp, &f.base, 0);
        l.data = sqfs_data_reader_create(&f.base, super.block_size, cmp, 0);
        if (!ids || !l.xattrs || !dr || !l.data) {
                r = -ENOMEM;
                goto out;
        }
        r = sqfs_id_table_read(ids, &f.base, &super, cmp);
        if (r == 0)
                r = sqfs_xattr_reader_load(l.xattrs, &super, &f.base, cmp);
        if (r == 0)
                r = sqfs_data_reader_load_fragment_table(l.data, &super);
        if (r == 0)
                r = sqfs_dir_reader_get_full_hierarchy(dr, ids, NULL, 0, &root);
        r = sqfs_to_errno(r);
        if (r < 0)
                goto out;
        l.out = open_memstream(&buf, &size);
        if (!l.out) {
                r = -ENOMEM;
                goto out;
        }
        r = list_node(&l, root, ".");
        if (fclose(l.out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r >= 0)
                *ret = TAKE_PTR(buf);
out:
        free(buf);
        sqfs_dir_tree_destroy(root);
        sqfs_destroy(l.data);
        sqfs_destroy(dr);
        sqfs_destroy(l.xattrs);
        sqfs_destroy(ids);
        sqfs_destroy(cmp);
        return r < 0 ? r : 0;
}
