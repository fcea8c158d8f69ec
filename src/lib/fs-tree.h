/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The file tree of one image layer, built in memory from a directory or a tar stream before it
 * is written as squashfs. Only metadata lives here (names, modes, owners, times, link targets,
 * xattrs); file contents stream straight to the squashfs writer through an FsDataSink, so
 * memory grows with the number of files, not with their size.
 *
 * The tree enforces the rules every layer must follow, whatever its source:
 *   - paths are relative and stay inside the layer: no absolute paths, no "..", no empty or
 *     "." components (a leading "./" and a trailing "/" are accepted and dropped);
 *   - each path is added once: a second member with the same path is refused (a directory
 *     created implicitly as the parent of an earlier member may be described later);
 *   - hard links point to an earlier, non-directory member; symlinks may be absolute (they
 *     resolve inside the layer's root) but a relative or absolute target whose ".." would
 *     climb above the root is refused (lexically: symlinks in the way are not followed);
 *   - xattrs: only the user., trusted. and security. namespaces that squashfs can store, and
 *     never trusted.overlay.* from the input (overlayfs would obey them);
 *   - with FS_TREE_OCI_WHITEOUTS, OCI whiteouts become the overlayfs form (image-spec
 *     layer.md "Whiteouts"): ".wh.NAME" becomes a character device 0:0 named NAME, and
 *     ".wh..wh..opq" marks its directory opaque (xattr trusted.overlay.opaque="y"), so stacked
 *     layers mounted with overlayfs show what the OCI image shows.
 *
 * Errors: -EBADMSG for input that breaks a rule (the message, from fs_tree_error(), names the
 * member and the rule), -EFBIG for limits, -ENOMEM. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

#define FS_TREE_NODES_MAX (1024U * 1024U) /* members of one layer */
#define FS_XATTR_VALUE_MAX 65536U
#define FS_XATTRS_MAX 256U
#define FS_SYMLINK_MAX 4095U

typedef struct FsXattr {
        char *name;
        uint8_t *value;
        size_t size;
} FsXattr;

typedef struct FsNode FsNode;

/* What a directory entry points to; hard links share one. */
typedef struct FsInode {
        mode_t mode; /* S_IFMT type and the 07777 permission bits */
        uint32_t uid, gid;
        uint32_t mtime;
        uint32_t rdev_major, rdev_minor;
        char *target; /* symlink target */
        FsXattr *xattrs;
        size_t n_xattrs;
        uint32_t nlink; /* entries that point here; for directories 2 + subdirectories */
        uint32_t refs;  /* nodes that point here (memory ownership) */
        bool opaque;    /* directory: hides the lower layers' contents */
        bool implicit;  /* directory only created as the parent of a member so far */
        bool explicit_root;

        FsNode **children; /* directories; sorted by name after fs_tree_finalize() */
        size_t n_children, n_children_allocated;

        void *payload; /* the squashfs writer's file inode (regular files) */
        uint32_t inode_number;
        uint64_t inode_ref;
        bool visited;
} FsInode;

struct FsNode {
        char *path;       /* "" for the root, else "a/b/c" */
        const char *name; /* the last component, inside path */
        FsNode *parent;
        FsInode *inode;
};

typedef struct FsTree FsTree;

typedef enum FsTreeFlags {
        FS_TREE_OCI_WHITEOUTS = 1 << 0,
} FsTreeFlags;

typedef struct FsTreeOptions {
        FsTreeFlags flags;
        /* SOURCE_DATE_EPOCH: later mtimes are clamped to it (and it is the mtime of implicit
         * directories); 0 with clamp_mtime false: keep mtimes, implicit directories get 0. */
        bool clamp_mtime;
        uint64_t epoch;
        void (*payload_free)(void *payload);
} FsTreeOptions;

int fs_tree_new(const FsTreeOptions *o, FsTree **ret);
FsTree *fs_tree_free(FsTree *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(FsTree *, fs_tree_free);

/* One member to add. Which fields count depends on the type in mode. */
typedef struct FsEntry {
        const char *path;
        mode_t mode;
        uint32_t uid, gid;
        int64_t mtime;
        uint32_t rdev_major, rdev_minor;
        const char *symlink;  /* S_IFLNK */
        const char *hardlink; /* when set, a hard link to this earlier member (mode ignored) */
        const FsXattr *xattrs;
        size_t n_xattrs;
} FsEntry;

/* Adds e. *ret_node (may be NULL) is the new node, or NULL when the member only changed the
 * tree (an opaque marker). For a regular file (not a hard link) the caller then streams its
 * contents to the data sink. */
int fs_tree_add(FsTree *t, const FsEntry *e, FsNode **ret_node);

/* The last error message (member and rule), or NULL. */
const char *fs_tree_error(const FsTree *t);

/* Sorts directories, adds the opaque xattrs, counts links. Call once, after the last add. */
int fs_tree_finalize(FsTree *t);

FsNode *fs_tree_root(FsTree *t);
FsNode *fs_tree_lookup(FsTree *t, const char *path);
size_t fs_tree_node_count(const FsTree *t);

/* Receives regular files' contents in the order they are added. */
typedef struct FsDataSink {
        int (*begin)(void *userdata, FsNode *n);
        int (*write)(void *userdata, const void *data, size_t size);
        int (*end)(void *userdata);
        void *userdata;
} FsDataSink;

/* Visits every node in post-order (children sorted by name before their directory, the root
 * last). Needs fs_tree_finalize(). Stops at the first negative return. */
int fs_tree_walk_postorder(FsTree *t, int (*fn)(FsNode *n, void *userdata), void *userdata);

/* Checks a member path and returns its normalised form (no leading "./", no trailing "/"),
 * "" for the root. -EBADMSG when it is absolute, contains "..", "." or empty components. */
int fs_path_normalize(const char *path, char **ret);
