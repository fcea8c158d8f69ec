/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "dir-import.h"
#include "fileio.h"
#include "string-util.h"
#include "tap.h"

static char *tmpdir(void) {
        char t[] = "/tmp/test-dir-import.XXXXXX";
        return mkdtemp(t) ? strdup(t) : NULL;
}

static void rm_rf(const char *p) {
        _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", p);
        (void) !system(cmd);
}

static int at(const char *dir, const char *rel, char **ret) {
        *ret = strprintf("%s/%s", dir, rel);
        return *ret ? 0 : -ENOMEM;
}

typedef struct Rec {
        char buf[512];
} Rec;
static int rec_begin(void *u, FsNode *n) {
        Rec *r = u;
        size_t l = strlen(r->buf);
        snprintf(r->buf + l, sizeof r->buf - l, "%s=", n->path);
        return 0;
}
static int rec_write(void *u, const void *d, size_t n) {
        Rec *r = u;
        size_t l = strlen(r->buf);
        snprintf(r->buf + l, sizeof r->buf - l, "%.*s", (int) n, (const char *) d);
        return 0;
}
static int rec_end(void *u) {
        Rec *r = u;
        size_t l = strlen(r->buf);
        snprintf(r->buf + l, sizeof r->buf - l, ";");
        return 0;
}

TEST(imports_tree) {
        _cleanup_free_ char *d = tmpdir(), *p = NULL, *q = NULL, *err = NULL;
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        FsDataSink sink;
        Rec rec = {};
        FsNode *n;

        ASSERT_NOT_NULL(d);
        ASSERT_OK(at(d, "b", &p));
        ASSERT_OK(mkdir(p, 0750));
        p = mfree(p);
        ASSERT_OK(at(d, "b/z", &p));
        ASSERT_OK(write_file_atomic(p, "zz", 2, 0640, 0));
        ASSERT_OK(at(d, "a", &q));
        ASSERT_OK(link(p, q));
        p = mfree(p);
        q = mfree(q);
        ASSERT_OK(at(d, "b/link", &p));
        ASSERT_OK(symlink("../a", p));
        p = mfree(p);
        ASSERT_OK(at(d, "c", &p));
        ASSERT_OK(write_file_atomic(p, "c", 1, 0600, 0));
        bool have_xattr = setxattr(p, "user.k", "v", 1, 0) == 0;
        p = mfree(p);
        ASSERT_OK(at(d, "fifo", &p));
        ASSERT_OK(mkfifo(p, 0644));
        p = mfree(p);

        sink = (FsDataSink){ rec_begin, rec_write, rec_end, &rec };
        ASSERT_OK(fs_tree_new(NULL, &t));
        ASSERT_OK(dir_import(d, t, &sink, NULL, &err));
        /* name order, the hard link's data once */
        ASSERT_STREQ(rec.buf, "a=zz;c=c;");
        n = fs_tree_lookup(t, "b/z");
        ASSERT_TRUE(n->inode == fs_tree_lookup(t, "a")->inode);
        ASSERT_EQ(n->inode->nlink, 2);
        ASSERT_EQ(n->inode->mode, S_IFREG | 0640);
        ASSERT_EQ(fs_tree_lookup(t, "b")->inode->mode, S_IFDIR | 0750);
        ASSERT_STREQ(fs_tree_lookup(t, "b/link")->inode->target, "../a");
        ASSERT_TRUE(S_ISFIFO(fs_tree_lookup(t, "fifo")->inode->mode));
        if (have_xattr) {
                n = fs_tree_lookup(t, "c");
                ASSERT_EQ(n->inode->n_xattrs, 1);
                ASSERT_STREQ(n->inode->xattrs[0].name, "user.k");
        }
        rm_rf(d);
}

TEST(refuses_escaping_symlink) {
        _cleanup_free_ char *d = tmpdir(), *p = NULL, *err = NULL;
        _cleanup_(fs_tree_freep) FsTree *t = NULL;

        ASSERT_OK(at(d, "evil", &p));
        ASSERT_OK(symlink("../../../etc/shadow", p));
        ASSERT_OK(fs_tree_new(NULL, &t));
        ASSERT_ERRNO(dir_import(d, t, NULL, NULL, &err), -EBADMSG);
        ASSERT_STREQ(err, "symlink 'evil' points outside the image ('../../../etc/shadow')");
        rm_rf(d);
}

TEST(missing_directory) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        char *err = NULL;

        ASSERT_OK(fs_tree_new(NULL, &t));
        ASSERT_ERRNO(dir_import("/nonexistent/dir", t, NULL, NULL, &err), -ENOENT);
}

int main(void) {
        RUN(imports_tree);
        RUN(refuses_escaping_symlink);
        RUN(missing_directory);
        return tap_done();
}
