/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/stat.h>

#include "fs-tree.h"
#include "string-util.h"
#include "tap.h"

static int add(FsTree *t, const char *path, mode_t mode) {
        return fs_tree_add(t, &(FsEntry){ .path = path, .mode = mode, .mtime = 1000 }, NULL);
}

static int add_link(FsTree *t, const char *path, const char *target) {
        return fs_tree_add(t, &(FsEntry){ .path = path, .mode = S_IFLNK | 0777, .symlink = target },
                           NULL);
}

static int add_hard(FsTree *t, const char *path, const char *target) {
        return fs_tree_add(t, &(FsEntry){ .path = path, .hardlink = target }, NULL);
}

TEST(normalize) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        char *x;

        ASSERT_OK(fs_path_normalize("./a/b/", &a));
        ASSERT_STREQ(a, "a/b");
        ASSERT_OK(fs_path_normalize("./", &b));
        ASSERT_STREQ(b, "");
        ASSERT_OK(fs_path_normalize(".", &c));
        ASSERT_STREQ(c, "");
        ASSERT_OK(fs_path_normalize("etc", &d));
        ASSERT_STREQ(d, "etc");
        ASSERT_ERRNO(fs_path_normalize("/etc/passwd", &x), -EBADMSG);
        ASSERT_ERRNO(fs_path_normalize("../x", &x), -EBADMSG);
        ASSERT_ERRNO(fs_path_normalize("a/../../x", &x), -EBADMSG);
        ASSERT_ERRNO(fs_path_normalize("a//b", &x), -EBADMSG);
        ASSERT_ERRNO(fs_path_normalize("a/./b", &x), -EBADMSG);
}

TEST(implicit_parents_and_duplicates) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        FsNode *n;

        ASSERT_OK(fs_tree_new(&(FsTreeOptions){ .clamp_mtime = true, .epoch = 500 }, &t));
        ASSERT_OK(add(t, "a/b/c", S_IFREG | 0644));
        n = fs_tree_lookup(t, "a/b");
        ASSERT_NOT_NULL(n);
        ASSERT_TRUE(S_ISDIR(n->inode->mode));
        ASSERT_TRUE(n->inode->implicit);
        ASSERT_EQ(n->inode->mtime, 500);
        /* the implicit directory may be described once */
        ASSERT_OK(fs_tree_add(
                t, &(FsEntry){ .path = "a/b/", .mode = S_IFDIR | 0700, .uid = 7, .mtime = 100 },
                NULL));
        ASSERT_EQ(n->inode->mode, S_IFDIR | 0700);
        ASSERT_EQ(n->inode->uid, 7);
        ASSERT_EQ(n->inode->mtime, 100);
        ASSERT_ERRNO(add(t, "a/b", S_IFDIR | 0755), -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t), "duplicate member 'a/b'");
        ASSERT_ERRNO(add(t, "a/b/c", S_IFREG | 0644), -EBADMSG);
        ASSERT_ERRNO(add(t, "a/b/c/d", S_IFREG | 0644), -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t), "'a/b/c/d': its parent 'a/b/c' is not a directory");
        /* mtime clamped to the epoch */
        ASSERT_OK(add(t, "late", S_IFREG | 0644));
        ASSERT_EQ(fs_tree_lookup(t, "late")->inode->mtime, 500);
        /* the root once */
        ASSERT_OK(add(t, "./", S_IFDIR | 0750));
        ASSERT_EQ(fs_tree_root(t)->inode->mode, S_IFDIR | 0750);
        ASSERT_ERRNO(add(t, ".", S_IFDIR | 0755), -EBADMSG);
        ASSERT_ERRNO(add(t, "/abs", S_IFREG | 0644), -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t), "member '/abs' is absolute or leaves the archive");
        ASSERT_ERRNO(add(t, "x/../../y", S_IFREG | 0644), -EBADMSG);
        ASSERT_ERRNO(add(t, "sock", 0170000), -EBADMSG);
}

TEST(links) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        FsNode *n;

        ASSERT_OK(fs_tree_new(NULL, &t));
        ASSERT_OK(add(t, "bin/busybox", S_IFREG | 0755));
        ASSERT_OK(add_hard(t, "bin/sh", "./bin/busybox"));
        ASSERT_OK(add_hard(t, "sbin/init", "bin/sh"));
        n = fs_tree_lookup(t, "sbin/init");
        ASSERT_TRUE(n->inode == fs_tree_lookup(t, "bin/busybox")->inode);
        ASSERT_EQ(n->inode->nlink, 3);
        ASSERT_ERRNO(add_hard(t, "x", "missing"), -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t),
                     "hard link 'x' points to 'missing', which is not an earlier member");
        ASSERT_ERRNO(add_hard(t, "y", "../etc/passwd"), -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t),
                     "hard link 'y' points outside the archive ('../etc/passwd')");
        ASSERT_ERRNO(add_hard(t, "z", "/etc/passwd"), -EBADMSG);
        ASSERT_ERRNO(add_hard(t, "d", "bin"), -EBADMSG);
        ASSERT_ERRNO(add_hard(t, "bin/sh", "bin/busybox"), -EBADMSG);

        ASSERT_OK(add_link(t, "usr/lib/libc.so", "../../lib/libc.so.6"));
        ASSERT_OK(add_link(t, "lib64/ld.so", "/lib/x86_64/ld.so"));
        ASSERT_OK(add_link(t, "etc/mtab", "../proc/self/mounts"));
        ASSERT_OK(add_link(t, "a/b/c", "./x/../../y"));
        ASSERT_ERRNO(add_link(t, "a/up", "../../../etc/shadow"), -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t),
                     "symlink 'a/up' points outside the image ('../../../etc/shadow')");
        ASSERT_ERRNO(add_link(t, "abs", "/../etc"), -EBADMSG);
        ASSERT_ERRNO(add_link(t, "empty", ""), -EBADMSG);
}

TEST(whiteouts) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL, *plain = NULL;
        FsNode *n;

        ASSERT_OK(fs_tree_new(&(FsTreeOptions){ .flags = FS_TREE_OCI_WHITEOUTS }, &t));
        ASSERT_OK(add(t, "etc", S_IFDIR | 0755));
        ASSERT_OK(add(t, "etc/.wh.passwd", S_IFREG | 0644));
        n = fs_tree_lookup(t, "etc/passwd");
        ASSERT_NOT_NULL(n);
        ASSERT_EQ(n->inode->mode, S_IFCHR);
        ASSERT_EQ(n->inode->rdev_major, 0);
        ASSERT_NULL(fs_tree_lookup(t, "etc/.wh.passwd"));
        ASSERT_OK(add(t, ".wh.top", S_IFREG | 0644));
        ASSERT_NOT_NULL(fs_tree_lookup(t, "top"));
        ASSERT_OK(add(t, "var/cache/.wh..wh..opq", S_IFREG | 0644));
        n = fs_tree_lookup(t, "var/cache");
        ASSERT_TRUE(n->inode->opaque);
        ASSERT_ERRNO(add(t, "var/cache/.wh..wh..opq", S_IFREG | 0644), -EBADMSG);
        /* the directory described after its marker keeps it */
        ASSERT_OK(add(t, "var/cache/", S_IFDIR | 0700));
        ASSERT_ERRNO(add(t, "etc/passwd", S_IFREG | 0644), -EBADMSG);
        ASSERT_ERRNO(add(t, "etc/.wh..wh.plnk", S_IFREG | 0644), -EBADMSG);
        ASSERT_ERRNO(add(t, "etc/.wh.", S_IFREG | 0644), -EBADMSG);
        ASSERT_OK(fs_tree_finalize(t));
        ASSERT_EQ(n->inode->n_xattrs, 1);
        ASSERT_STREQ(n->inode->xattrs[0].name, "trusted.overlay.opaque");
        ASSERT_EQ(n->inode->xattrs[0].value[0], 'y');

        /* without the flag the names are kept */
        ASSERT_OK(fs_tree_new(NULL, &plain));
        ASSERT_OK(add(plain, "etc/.wh.passwd", S_IFREG | 0644));
        ASSERT_NOT_NULL(fs_tree_lookup(plain, "etc/.wh.passwd"));
}

TEST(xattrs) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        FsXattr x[] = {
                { .name = (char *) "user.b", .value = (uint8_t *) "2", .size = 1 },
                { .name = (char *) "security.capability", .value = (uint8_t *) "\1\0", .size = 2 },
                { .name = (char *) "user.a", .value = (uint8_t *) "", .size = 0 },
        };
        FsXattr bad[] = {
                { .name = (char *) "system.posix_acl_access", .value = (uint8_t *) "", .size = 0 }
        };
        FsXattr ovl[] = { { .name = (char *) "trusted.overlay.redirect",
                            .value = (uint8_t *) "/x",
                            .size = 2 } };
        FsNode *n;

        ASSERT_OK(fs_tree_new(NULL, &t));
        ASSERT_OK(fs_tree_add(
                t, &(FsEntry){ .path = "f", .mode = S_IFREG | 0644, .xattrs = x, .n_xattrs = 3 },
                &n));
        ASSERT_EQ(n->inode->n_xattrs, 3);
        ASSERT_STREQ(n->inode->xattrs[0].name, "security.capability");
        ASSERT_STREQ(n->inode->xattrs[2].name, "user.b");
        ASSERT_ERRNO(fs_tree_add(t,
                                 &(FsEntry){ .path = "g",
                                             .mode = S_IFREG | 0644,
                                             .xattrs = bad,
                                             .n_xattrs = 1 },
                                 NULL),
                     -EBADMSG);
        ASSERT_ERRNO(fs_tree_add(t,
                                 &(FsEntry){ .path = "h",
                                             .mode = S_IFREG | 0644,
                                             .xattrs = ovl,
                                             .n_xattrs = 1 },
                                 NULL),
                     -EBADMSG);
        ASSERT_STREQ(fs_tree_error(t),
                     "'h': xattr 'trusted.overlay.redirect' is reserved for overlayfs");
}

static int collect(FsNode *n, void *userdata) {
        char *s = userdata;
        size_t l = strlen(s);
        snprintf(s + l, 256 - l, "[%s]", n->path);
        return 0;
}

TEST(postorder_sorted) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        char buf[256] = "";

        ASSERT_OK(fs_tree_new(NULL, &t));
        ASSERT_OK(add(t, "b/z", S_IFREG | 0644));
        ASSERT_OK(add(t, "a", S_IFREG | 0644));
        ASSERT_OK(add(t, "b/B", S_IFREG | 0644));
        ASSERT_OK(add(t, "c", S_IFDIR | 0755));
        ASSERT_OK(fs_tree_finalize(t));
        ASSERT_OK(fs_tree_walk_postorder(t, collect, buf));
        ASSERT_STREQ(buf, "[a][b/B][b/z][b][c][]");
        ASSERT_EQ(fs_tree_root(t)->inode->nlink, 4);
        ASSERT_EQ(fs_tree_node_count(t), 6);
}

int main(void) {
        RUN(normalize);
        RUN(implicit_parents_and_duplicates);
        RUN(links);
        RUN(whiteouts);
        RUN(xattrs);
        RUN(postorder_sorted);
        return tap_done();
}
