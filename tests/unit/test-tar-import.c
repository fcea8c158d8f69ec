/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "fd-util.h"
#include "string-util.h"
#include "tap.h"
#include "tar-import.h"
#include "tar-util.h"

static int memfd_of(const TarBuf *t) {
        int fd = memfd_create("tar", MFD_CLOEXEC);
        if (fd >= 0 && loop_write(fd, t->data, t->size) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

/* A sink that records "path:size:sha256-prefix;" for each file. */
typedef struct Rec {
        char buf[1024];
        size_t current;
        const char *path;
        CryptoHash *h;
} Rec;
static int rec_begin(void *u, FsNode *n) {
        Rec *r = u;
        r->path = n->path;
        r->current = 0;
        return crypto_hash_new(HASH_SHA256, &r->h);
}
static int rec_write(void *u, const void *d, size_t n) {
        ((Rec *) u)->current += n;
        return crypto_hash_update(((Rec *) u)->h, d, n);
}
static int rec_end(void *u) {
        Rec *r = u;
        uint8_t d[32];
        size_t l = strlen(r->buf);
        crypto_hash_final(r->h, d);
        r->h = crypto_hash_free(r->h);
        snprintf(r->buf + l, sizeof r->buf - l, "%s:%zu:%02x%02x;", r->path, r->current, d[0],
                 d[1]);
        return 0;
}

static int import(const TarBuf *t, FsTreeFlags flags, FsTree **ret_tree, Rec *rec,
                  char **ret_error) {
        _cleanup_close_ int fd = memfd_of(t);
        _cleanup_(tar_reader_freep) TarReader *r = NULL;
        _cleanup_(fs_tree_freep) FsTree *tree = NULL;
        FsDataSink sink = { rec_begin, rec_write, rec_end, rec };
        int q;

        q = fs_tree_new(&(FsTreeOptions){ .flags = flags }, &tree);
        if (q < 0)
                return q;
        q = tar_reader_new(&(TarInput){ .fd = fd, .size = UINT64_MAX }, &r);
        if (q < 0)
                return q;
        q = tar_reader_import(r, tree, &sink, NULL);
        rec->h = crypto_hash_free(rec->h); /* a file cut short never reached rec_end() */
        if (q < 0) {
                if (ret_error)
                        *ret_error = strdup(tar_reader_error(r) ?: "");
                return q;
        }
        if (ret_tree)
                *ret_tree = TAKE_PTR(tree);
        return 0;
}

TEST(imports_members) {
        _cleanup_(fs_tree_freep) FsTree *tree = NULL;
        TarBuf t = {};
        Rec rec = {};
        FsNode *n;

        tarbuf_member(&t, "./", '5', 0755, 0, NULL, NULL, 0, 0, 0);
        tarbuf_member(&t, "etc/", '5', 0700, 5, NULL, NULL, 0, 0, 0);
        tarbuf_file(&t, "etc/hostname", "box\n");
        tarbuf_pax(&t, "SCHILY.xattr.user.color", "blue");
        tarbuf_file(&t, "etc/motd", "hello world\n");
        tarbuf_member(&t, "etc/link", '1', 0644, 0, "etc/motd", NULL, 0, 0, 0);
        tarbuf_member(&t, "bin", '2', 0777, 0, "usr/bin", NULL, 0, 0, 0);
        tarbuf_member(&t, "dev/null", '3', 0666, 0, NULL, NULL, 0, 1, 3);
        tarbuf_member(&t, "dev/loop0", '4', 0660, 0, NULL, NULL, 0, 7, 0);
        tarbuf_member(&t, "run/fifo", '6', 0600, 0, NULL, NULL, 0, 0, 0);
        tarbuf_file(&t, "opt/.wh.gone", "");
        tarbuf_file(&t, "var/.wh..wh..opq", "");
        /* larger than libarchive's input buffer: its contents must arrive intact */
        char *big = malloc(400001);
        for (size_t i = 0; i < 400000; i++)
                big[i] = (char) ('a' + (i * 7 + i / 4096) % 26);
        big[400000] = 0;
        tarbuf_file(&t, "big", big);
        uint8_t want[32];
        crypto_sha256(big, 400000, want);
        free(big);
        tarbuf_end(&t);

        ASSERT_OK(import(&t, FS_TREE_OCI_WHITEOUTS, &tree, &rec, NULL));
        char expect[128];
        snprintf(expect, sizeof expect, "etc/hostname:4:9d8f;etc/motd:12:a948;big:400000:%02x%02x;",
                 want[0], want[1]);
        ASSERT_STREQ(rec.buf, expect);
        n = fs_tree_lookup(tree, "etc");
        ASSERT_EQ(n->inode->mode, S_IFDIR | 0700);
        ASSERT_EQ(n->inode->uid, 5);
        n = fs_tree_lookup(tree, "etc/motd");
        ASSERT_EQ(n->inode->n_xattrs, 1);
        ASSERT_STREQ(n->inode->xattrs[0].name, "user.color");
        ASSERT_EQ(n->inode->nlink, 2);
        ASSERT_TRUE(fs_tree_lookup(tree, "etc/link")->inode == n->inode);
        ASSERT_STREQ(fs_tree_lookup(tree, "bin")->inode->target, "usr/bin");
        n = fs_tree_lookup(tree, "dev/null");
        ASSERT_EQ(n->inode->mode, S_IFCHR | 0666);
        ASSERT_EQ(n->inode->rdev_minor, 3);
        ASSERT_EQ(fs_tree_lookup(tree, "dev/loop0")->inode->mode, S_IFBLK | 0660);
        ASSERT_EQ(fs_tree_lookup(tree, "run/fifo")->inode->mode, S_IFIFO | 0600);
        ASSERT_EQ(fs_tree_lookup(tree, "opt/gone")->inode->mode, S_IFCHR);
        ASSERT_TRUE(fs_tree_lookup(tree, "var")->inode->opaque);
        ASSERT_EQ(fs_tree_lookup(tree, "etc/hostname")->inode->mtime, 1000);
        free(t.data);
}

static void expect_refusal(TarBuf *t, int error, const char *message) {
        _cleanup_free_ char *e = NULL;
        Rec rec = {};
        int q;

        tarbuf_end(t);
        q = import(t, FS_TREE_OCI_WHITEOUTS, NULL, &rec, &e);
        free(t->data);
        *t = (TarBuf){};
        if (q != error) {
                tap_fail("got %d (%s), expected %d", q, e ?: "", error);
                return;
        }
        if (!e || !strstr(e, message))
                tap_fail("message '%s' does not contain '%s'", e ?: "(null)", message);
}

TEST(refuses_bad_members) {
        TarBuf t = {};

        tarbuf_file(&t, "../etc/passwd", "x");
        expect_refusal(&t, -EBADMSG, "member '../etc/passwd' is absolute or leaves the archive");
        tarbuf_file(&t, "/etc/passwd", "x");
        expect_refusal(&t, -EBADMSG, "member '/etc/passwd' is absolute");
        tarbuf_file(&t, "a/../../b", "x");
        expect_refusal(&t, -EBADMSG, "leaves the archive");
        tarbuf_file(&t, "a", "x");
        tarbuf_file(&t, "a", "y");
        expect_refusal(&t, -EBADMSG, "duplicate member 'a'");
        tarbuf_member(&t, "h", '1', 0644, 0, "../../etc/shadow", NULL, 0, 0, 0);
        expect_refusal(&t, -EBADMSG, "hard link 'h' points outside the archive");
        tarbuf_member(&t, "h", '1', 0644, 0, "nothere", NULL, 0, 0, 0);
        expect_refusal(&t, -EBADMSG, "which is not an earlier member");
        tarbuf_member(&t, "s", '2', 0777, 0, "../../../../etc/shadow", NULL, 0, 0, 0);
        expect_refusal(&t, -EBADMSG, "symlink 's' points outside the image");
        tarbuf_pax(&t, "size", "99999999999999999");
        tarbuf_file(&t, "huge", "x");
        expect_refusal(&t, -EFBIG, "'huge': size 99999999999999999 is larger than the limit");
        tarbuf_pax(&t, "SCHILY.xattr.trusted.overlay.opaque", "y");
        tarbuf_file(&t, "o", "x");
        expect_refusal(&t, -EBADMSG, "reserved for overlayfs");
}

TEST(refuses_broken_archives) {
        TarBuf t = {}, u = {};
        _cleanup_free_ char *e = NULL;
        char junk[2048];

        /* truncated in the middle of a file's data */
        tarbuf_file(&t, "a", "0123456789");
        char *big = calloc(1, 5000);
        memset(big, 'x', 4999);
        tarbuf_file(&t, "big", big);
        free(big);
        t.size -= 3000;
        ASSERT_ERRNO(import(&t, 0, NULL, &(Rec){}, &e), -EBADMSG);
        ASSERT_TRUE(strstr(e, "truncated") != NULL);
        free(t.data);
        free(e);
        e = NULL;

        /* not an archive at all */
        memset(junk, 'A', sizeof junk);
        tarbuf_append(&u, junk, sizeof junk);
        ASSERT_ERRNO(import(&u, 0, NULL, &(Rec){}, &e), -EBADMSG);
        ASSERT_TRUE(strstr(e, "not a tar archive") != NULL);
        free(u.data);
        free(e);
        e = NULL;

        /* a header with a bad checksum after a good member */
        u = (TarBuf){};
        tarbuf_file(&u, "a", "x");
        tarbuf_file(&u, "b", "y");
        u.data[1024 + 148] ^= 1;
        tarbuf_end(&u);
        ASSERT_ERRNO(import(&u, 0, NULL, &(Rec){}, &e), -EBADMSG);
        free(u.data);
}

TEST(digest_covers_input) {
        TarBuf t = {};
        _cleanup_close_ int fd = -1;
        _cleanup_(tar_reader_freep) TarReader *r = NULL;
        _cleanup_(fs_tree_freep) FsTree *tree = NULL;
        Digest d, want;
        uint64_t size;

        tarbuf_file(&t, "a", "hello");
        tarbuf_end(&t);
        tarbuf_append(&t, "trailing garbage", 16); /* read, hashed, not parsed */
        fd = memfd_of(&t);
        ASSERT_OK(fs_tree_new(NULL, &tree));
        ASSERT_OK(tar_reader_new(&(TarInput){ .fd = fd, .size = UINT64_MAX, .digest = true }, &r));
        ASSERT_OK(tar_reader_import(r, tree, NULL, NULL));
        ASSERT_OK(tar_reader_input_digest(r, &d, &size));
        ASSERT_EQ(size, t.size);
        ASSERT_OK(digest_compute(t.data, t.size, &want));
        ASSERT_TRUE(digest_equal(&d, &want));
        free(t.data);
}

TEST(nested) {
        TarBuf inner = {}, outer = {};
        _cleanup_close_ int fd = -1;
        _cleanup_(tar_reader_freep) TarReader *o = NULL, *i = NULL;
        _cleanup_(fs_tree_freep) FsTree *tree = NULL;
        const char *path;
        Digest d, want;
        uint64_t size;

        tarbuf_file(&inner, "etc/os-release", "ID=test\n");
        tarbuf_end(&inner);
        tarbuf_file(&outer, "manifest.json", "[]");
        tarbuf_member(&outer, "abc/layer.tar", '0', 0644, 0, NULL, inner.data, inner.size, 0, 0);
        tarbuf_end(&outer);
        fd = memfd_of(&outer);
        ASSERT_OK(tar_reader_new(&(TarInput){ .fd = fd, .size = UINT64_MAX }, &o));
        ASSERT_EQ(tar_reader_next(o, &path), 1);
        ASSERT_STREQ(path, "manifest.json");
        ASSERT_EQ(tar_reader_next(o, &path), 1);
        ASSERT_STREQ(path, "abc/layer.tar");
        ASSERT_OK(tar_reader_new(&(TarInput){ .outer = o, .digest = true }, &i));
        ASSERT_OK(fs_tree_new(NULL, &tree));
        ASSERT_OK(tar_reader_import(i, tree, NULL, NULL));
        ASSERT_OK(tar_reader_input_digest(i, &d, &size));
        ASSERT_EQ(size, inner.size);
        ASSERT_OK(digest_compute(inner.data, inner.size, &want));
        ASSERT_TRUE(digest_equal(&d, &want));
        ASSERT_NOT_NULL(fs_tree_lookup(tree, "etc/os-release"));
        ASSERT_EQ(tar_reader_next(o, &path), 0);
        free(inner.data);
        free(outer.data);
}

int main(void) {
        RUN(imports_members);
        RUN(refuses_bad_members);
        RUN(refuses_broken_archives);
        RUN(digest_covers_input);
        RUN(nested);
        return tap_done();
}
