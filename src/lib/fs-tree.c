/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto.h"
#include "error-util.h"
#include "fs-tree.h"
#include "log.h"
#include "path-util.h"
#include "siphash.h"
#include "string-util.h"

#define OCI_WHITEOUT_PREFIX ".wh."
#define OCI_OPAQUE_MARKER ".wh..wh..opq"
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

struct FsTree {
        FsTreeOptions options;
        FsNode *root;
        /* path -> node, open addressing */
        FsNode **table;
        size_t table_size, n_nodes;
        uint8_t hash_key[16];
        char *error;
};

/* ---- the path table ---- */

/* Paths come from the input: a keyed hash, so that no archive can make them collide. */
static FsNode **table_slot(const FsTree *t, FsNode **table, size_t size, const char *path) {
        size_t i = (size_t) siphash24(t->hash_key, path, strlen(path)) & (size - 1);

        while (table[i] && !streq(table[i]->path, path))
                i = (i + 1) & (size - 1);
        return &table[i];
}

static int table_insert(FsTree *t, FsNode *n) {
        if ((t->n_nodes + 1) * 10 >= t->table_size * 7) {
                size_t size = t->table_size ? t->table_size * 2 : 1024;
                FsNode **table = calloc(size, sizeof *table);
                if (!table)
                        return -ENOMEM;
                for (size_t i = 0; i < t->table_size; i++)
                        if (t->table[i])
                                *table_slot(t, table, size, t->table[i]->path) = t->table[i];
                free(t->table);
                t->table = table;
                t->table_size = size;
        }
        *table_slot(t, t->table, t->table_size, n->path) = n;
        t->n_nodes++;
        return 0;
}

FsNode *fs_tree_lookup(FsTree *t, const char *path) {
        if (isempty(path))
                return t->root;
        return t->table_size ? *table_slot(t, t->table, t->table_size, path) : NULL;
}

/* ---- nodes ---- */

static void xattrs_free(FsXattr *x, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(x[i].name);
                free(x[i].value);
        }
        free(x);
}

static void inode_unref(FsTree *t, FsInode *i) {
        if (!i || --i->refs > 0)
                return;
        free(i->target);
        xattrs_free(i->xattrs, i->n_xattrs);
        free(i->children);
        if (i->payload && t->options.payload_free)
                t->options.payload_free(i->payload);
        free(i);
}

static void node_free(FsTree *t, FsNode *n) {
        if (!n)
                return;
        inode_unref(t, n->inode);
        free(n->path);
        free(n);
}

FsTree *fs_tree_free(FsTree *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->table_size; i++)
                node_free(t, t->table[i]);
        free(t->table);
        node_free(t, t->root);
        free(t->error);
        free(t);
        return NULL;
}

#define tree_error(t, ...) error_replace(&(t)->error, -EBADMSG, __VA_ARGS__)

const char *fs_tree_error(const FsTree *t) {
        return t->error;
}

static uint32_t clamp_mtime(const FsTree *t, int64_t mtime) {
        if (mtime < 0)
                mtime = 0;
        if (t->options.clamp_mtime && (uint64_t) mtime > t->options.epoch)
                mtime = (int64_t) t->options.epoch;
        return mtime > (int64_t) UINT32_MAX ? UINT32_MAX : (uint32_t) mtime;
}

static uint32_t default_mtime(const FsTree *t) {
        return t->options.clamp_mtime
                       ? clamp_mtime(t, (int64_t) MIN(t->options.epoch, (uint64_t) INT64_MAX))
                       : 0;
}

static FsInode *inode_new(mode_t mode) {
        FsInode *i = calloc(1, sizeof *i);

        if (!i)
                return NULL;
        i->mode = mode;
        i->nlink = 1;
        i->refs = 1;
        return i;
}

int fs_tree_new(const FsTreeOptions *o, FsTree **ret) {
        _cleanup_(fs_tree_freep) FsTree *t = NULL;
        int r;

        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        if (o)
                t->options = *o;
        r = crypto_random_bytes(t->hash_key, sizeof t->hash_key);
        if (r < 0)
                return r;
        t->root = calloc(1, sizeof *t->root);
        if (!t->root)
                return -ENOMEM;
        t->root->path = strdup("");
        t->root->inode = inode_new(S_IFDIR | 0755);
        if (!t->root->path || !t->root->inode)
                return -ENOMEM;
        t->root->name = t->root->path;
        t->root->inode->implicit = true;
        t->root->inode->mtime = default_mtime(t);
        *ret = TAKE_PTR(t);
        return 0;
}

FsNode *fs_tree_root(FsTree *t) {
        return t->root;
}

size_t fs_tree_node_count(const FsTree *t) {
        return t->n_nodes + 1;
}

int fs_path_normalize(const char *path, char **ret) {
        _cleanup_free_ char *p = NULL;
        const char *s = path;
        size_t n;

        if (!path)
                return -EBADMSG;
        if (s[0] == '/')
                return -EBADMSG; /* absolute */
        while (s[0] == '.' && s[1] == '/') {
                s += 2;
                while (*s == '/')
                        s++;
        }
        if (streq(s, "."))
                s = "";
        p = strdup(s);
        if (!p)
                return -ENOMEM;
        n = strlen(p);
        while (n > 0 && p[n - 1] == '/')
                p[--n] = '\0';
        if (n > 0 && !path_is_safe_relative(p))
                return -EBADMSG;
        *ret = TAKE_PTR(p);
        return 0;
}

static int dir_add_child(FsInode *dir, FsNode *n) {
        if (dir->n_children == dir->n_children_allocated) {
                size_t m = dir->n_children_allocated ? dir->n_children_allocated * 2 : 4;
                FsNode **c = reallocarray(dir->children, m, sizeof *c);
                if (!c)
                        return -ENOMEM;
                dir->children = c;
                dir->n_children_allocated = m;
        }
        dir->children[dir->n_children++] = n;
        return 0;
}

/* Creates the node for path (not yet in the tree) under parent, pointing to inode. */
static int node_create(FsTree *t, FsNode *parent, const char *path, FsInode *inode, FsNode **ret) {
        FsNode *n;
        const char *slash;
        int r;

        if (t->n_nodes >= FS_TREE_NODES_MAX) {
                tree_error(t, "more than %u members", FS_TREE_NODES_MAX);
                return -EFBIG;
        }
        n = calloc(1, sizeof *n);
        if (!n)
                return -ENOMEM;
        n->path = strdup(path);
        if (!n->path) {
                free(n);
                return -ENOMEM;
        }
        slash = strrchr(n->path, '/');
        n->name = slash ? slash + 1 : n->path;
        n->parent = parent;
        r = dir_add_child(parent->inode, n);
        if (r < 0) {
                free(n->path);
                free(n);
                return r;
        }
        r = table_insert(t, n);
        if (r < 0) {
                parent->inode->n_children--;
                free(n->path);
                free(n);
                return r;
        }
        n->inode = inode;
        *ret = n;
        return 0;
}

/* The directory that contains path, created (implicitly) when missing. */
static int ensure_parent(FsTree *t, const char *path, FsNode **ret) {
        _cleanup_free_ char *dir = NULL;
        const char *slash = strrchr(path, '/');
        FsNode *n, *grandparent;
        FsInode *i;
        int r;

        if (!slash) {
                *ret = t->root;
                return 0;
        }
        dir = strndup(path, (size_t) (slash - path));
        if (!dir)
                return -ENOMEM;
        n = fs_tree_lookup(t, dir);
        if (n) {
                if (!S_ISDIR(n->inode->mode))
                        return tree_error(t, "'%s': its parent '%s' is not a directory", path, dir);
                *ret = n;
                return 0;
        }
        r = ensure_parent(t, dir, &grandparent);
        if (r < 0)
                return r;
        i = inode_new(S_IFDIR | 0755);
        if (!i)
                return -ENOMEM;
        i->implicit = true;
        i->mtime = default_mtime(t);
        r = node_create(t, grandparent, dir, i, ret);
        if (r < 0)
                inode_unref(t, i);
        return r;
}

static int xattr_cmp(const void *a, const void *b) {
        return strcmp(((const FsXattr *) a)->name, ((const FsXattr *) b)->name);
}

static int xattrs_copy(FsTree *t, const char *path, const FsXattr *x, size_t n, FsXattr **ret) {
        FsXattr *c;

        if (n > FS_XATTRS_MAX) {
                tree_error(t, "'%s': more than %u xattrs", path, FS_XATTRS_MAX);
                return -EFBIG;
        }
        for (size_t i = 0; i < n; i++) {
                const char *suffix = startswith(x[i].name, "user.") ?: startswith(x[i].name, "trusted.")
                                                                             ?: startswith(x[i].name, "security.");
                if (!suffix || isempty(suffix) || strlen(x[i].name) > 255 ||
                    !string_is_printable_ascii(x[i].name, strlen(x[i].name)))
                        return tree_error(t,
                                          "'%s': xattr '%s' cannot be stored (only user., trusted. "
                                          "and security. names)",
                                          path, x[i].name);
                if (startswith(x[i].name, "trusted.overlay."))
                        return tree_error(t, "'%s': xattr '%s' is reserved for overlayfs", path,
                                          x[i].name);
                if (x[i].size > FS_XATTR_VALUE_MAX) {
                        tree_error(t, "'%s': xattr '%s' is larger than %u bytes", path, x[i].name,
                                   FS_XATTR_VALUE_MAX);
                        return -EFBIG;
                }
                for (size_t k = 0; k < i; k++)
                        if (streq(x[k].name, x[i].name))
                                return tree_error(t, "'%s': duplicate xattr '%s'", path, x[i].name);
        }
        c = calloc(n + 1, sizeof *c); /* +1: room for the opaque marker */
        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                c[i].name = strdup(x[i].name);
                c[i].value = malloc(x[i].size ?: 1);
                if (!c[i].name || !c[i].value) {
                        xattrs_free(c, i + 1);
                        return -ENOMEM;
                }
                memcpy(c[i].value, x[i].value, x[i].size);
                c[i].size = x[i].size;
        }
        qsort(c, n, sizeof *c, xattr_cmp);
        *ret = c;
        return 0;
}

/* Lexical check that the target, resolved from the link's directory (or from the root when
 * absolute), never climbs above the root. */
static bool symlink_escapes(const char *link_path, const char *target) {
        long depth = 0;

        if (target[0] != '/')
                for (const char *p = link_path; *p; p++)
                        if (*p == '/')
                                depth++;
        for (const char *c = target; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        if (--depth < 0)
                                return true;
                } else if (n > 0 && !(n == 1 && c[0] == '.'))
                        depth++;
                c += n;
                while (*c == '/')
                        c++;
        }
        return false;
}

static bool mode_type_valid(mode_t m) {
        switch (m & S_IFMT) {
        case S_IFREG:
        case S_IFDIR:
        case S_IFLNK:
        case S_IFCHR:
        case S_IFBLK:
        case S_IFIFO:
        case S_IFSOCK:
                return true;
        default:
                return false;
        }
}

static int inode_set_attributes(FsTree *t, FsInode *i, const char *path, const FsEntry *e) {
        FsXattr *x = NULL;
        int r;

        r = xattrs_copy(t, path, e->xattrs, e->n_xattrs, &x);
        if (r < 0)
                return r;
        xattrs_free(i->xattrs, i->n_xattrs);
        i->xattrs = x;
        i->n_xattrs = e->n_xattrs;
        i->mode = (e->mode & S_IFMT) | (e->mode & 07777);
        i->uid = e->uid;
        i->gid = e->gid;
        i->mtime = clamp_mtime(t, e->mtime);
        return 0;
}

static int add_hardlink(FsTree *t, const char *path, const FsEntry *e, FsNode **ret) {
        _cleanup_free_ char *target = NULL;
        FsNode *parent, *tn, *n;
        int r;

        r = fs_path_normalize(e->hardlink, &target);
        if (r == -EBADMSG || (r >= 0 && isempty(target)))
                return tree_error(t, "hard link '%s' points outside the archive ('%s')", path,
                                  e->hardlink);
        if (r < 0)
                return r;
        tn = fs_tree_lookup(t, target);
        if (!tn)
                return tree_error(t,
                                  "hard link '%s' points to '%s', which is not an earlier member",
                                  path, target);
        if (S_ISDIR(tn->inode->mode))
                return tree_error(t, "hard link '%s' points to the directory '%s'", path, target);
        if (fs_tree_lookup(t, path))
                return tree_error(t, "duplicate member '%s'", path);
        r = ensure_parent(t, path, &parent);
        if (r < 0)
                return r;
        r = node_create(t, parent, path, tn->inode, &n);
        if (r < 0)
                return r;
        tn->inode->nlink++;
        tn->inode->refs++;
        if (ret)
                *ret = n;
        return 0;
}

/* A new node for path (not in the tree yet) with a new inode described by e. */
static int add_new(FsTree *t, const char *path, const FsEntry *e, FsNode **ret_node) {
        FsNode *parent, *n = NULL;
        FsInode *i;
        int r;

        /* the 32-bit Linux device number (new_encode_dev) that squashfs stores */
        if ((S_ISCHR(e->mode) || S_ISBLK(e->mode)) &&
            (e->rdev_major > 0xfff || e->rdev_minor > 0xfffff))
                return tree_error(t, "device '%s' has a device number out of range (%u:%u)", path,
                                  e->rdev_major, e->rdev_minor);
        r = ensure_parent(t, path, &parent);
        if (r < 0)
                return r;
        i = inode_new(e->mode & S_IFMT);
        if (!i)
                return -ENOMEM;
        r = inode_set_attributes(t, i, path, e);
        if (r >= 0 && S_ISLNK(e->mode) && !(i->target = strdup(e->symlink)))
                r = -ENOMEM;
        if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
                i->rdev_major = e->rdev_major;
                i->rdev_minor = e->rdev_minor;
        }
        if (r >= 0)
                r = node_create(t, parent, path, i, &n);
        if (r < 0) {
                inode_unref(t, i);
                return r;
        }
        if (ret_node)
                *ret_node = n;
        return 0;
}

int fs_tree_add(FsTree *t, const FsEntry *e, FsNode **ret_node) {
        _cleanup_free_ char *path = NULL, *whiteout_path = NULL;
        const char *name;
        FsNode *existing;
        mode_t mode = e->mode;
        int r;

        r = fs_path_normalize(e->path, &path);
        if (r == -EBADMSG)
                return tree_error(t, "member '%s' is absolute or leaves the archive",
                                  e->path ?: "");
        if (r < 0)
                return r;
        name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

        if ((t->options.flags & FS_TREE_OCI_WHITEOUTS) && startswith(name, OCI_WHITEOUT_PREFIX)) {
                /* image-spec layer.md "Whiteouts" */
                if (streq(name, OCI_OPAQUE_MARKER)) {
                        FsNode *dir;
                        if (name == path) {
                                r = 0;
                                dir = t->root;
                        } else {
                                path[name - path - 1] = '\0';
                                dir = fs_tree_lookup(t, path);
                                if (!dir) {
                                        path[name - path - 1] = '/';
                                        r = ensure_parent(t, path, &dir);
                                }
                        }
                        if (r < 0)
                                return r;
                        if (!S_ISDIR(dir->inode->mode))
                                return tree_error(t, "opaque marker '%s' is not in a directory",
                                                  e->path);
                        if (dir->inode->opaque)
                                return tree_error(t, "duplicate member '%s'", e->path);
                        dir->inode->opaque = true;
                        if (ret_node)
                                *ret_node = NULL;
                        return 0;
                }
                if (startswith(name, OCI_WHITEOUT_PREFIX OCI_WHITEOUT_PREFIX) ||
                    !filename_is_valid(name + strlen(OCI_WHITEOUT_PREFIX)))
                        return tree_error(t, "whiteout '%s' has a reserved or invalid name",
                                          e->path);
                whiteout_path = name == path ? strdup(name + strlen(OCI_WHITEOUT_PREFIX))
                                             : strprintf("%.*s%s", (int) (name - path), path,
                                                         name + strlen(OCI_WHITEOUT_PREFIX));
                if (!whiteout_path)
                        return -ENOMEM;
                free(path);
                path = TAKE_PTR(whiteout_path);
                /* overlayfs whiteout: a character device with device number 0:0 */
                mode = S_IFCHR;
                FsEntry w = *e;
                w.path = path;
                w.mode = mode;
                w.rdev_major = w.rdev_minor = 0;
                w.hardlink = NULL;
                w.symlink = NULL;
                if (fs_tree_lookup(t, path))
                        return tree_error(t, "duplicate member '%s' (a whiteout and a file)", path);
                return add_new(t, path, &w, ret_node);
        }

        if (e->hardlink) {
                if (isempty(path))
                        return tree_error(t, "hard link '%s' replaces the root directory", e->path);
                return add_hardlink(t, path, e, ret_node);
        }

        if (!mode_type_valid(mode))
                return tree_error(t, "member '%s' has an unsupported file type (mode %o)", path,
                                  (unsigned) mode);

        if (S_ISLNK(mode)) {
                if (isempty(e->symlink) || strlen(e->symlink) > FS_SYMLINK_MAX)
                        return tree_error(t, "symlink '%s' has an empty or too long target", path);
                if (symlink_escapes(path, e->symlink))
                        return tree_error(t, "symlink '%s' points outside the image ('%s')", path,
                                          e->symlink);
        }

        existing = fs_tree_lookup(t, path);
        if (existing) {
                /* An implicit directory (or the root) may be described once, as a directory. */
                if (!S_ISDIR(mode) || !S_ISDIR(existing->inode->mode) ||
                    (isempty(path) ? existing->inode->explicit_root : !existing->inode->implicit))
                        return tree_error(t, "duplicate member '%s'", isempty(path) ? "." : path);
                r = inode_set_attributes(t, existing->inode, path, e);
                if (r < 0)
                        return r;
                existing->inode->implicit = false;
                if (isempty(path))
                        existing->inode->explicit_root = true;
                if (ret_node)
                        *ret_node = existing;
                return 0;
        }

        return add_new(t, path, e, ret_node);
}

static int node_name_cmp(const void *a, const void *b) {
        return strcmp((*(FsNode *const *) a)->name, (*(FsNode *const *) b)->name);
}

static int finalize_dir(FsNode *n, void *userdata) {
        FsInode *i = n->inode;

        if (!S_ISDIR(i->mode))
                return 0;
        if (i->n_children > 1)
                qsort(i->children, i->n_children, sizeof *i->children, node_name_cmp);
        i->nlink = 2;
        for (size_t k = 0; k < i->n_children; k++)
                if (S_ISDIR(i->children[k]->inode->mode))
                        i->nlink++;
        if (i->opaque) {
                /* xattrs_copy() left room for one more entry */
                FsXattr *x;
                if (!i->xattrs) {
                        i->xattrs = calloc(1, sizeof *i->xattrs);
                        if (!i->xattrs)
                                return -ENOMEM;
                }
                x = &i->xattrs[i->n_xattrs];
                x->name = strdup(OVERLAY_OPAQUE_XATTR);
                x->value = (uint8_t *) strdup("y");
                if (!x->name || !x->value) {
                        free(x->name);
                        free(x->value);
                        x->name = NULL;
                        x->value = NULL;
                        return -ENOMEM;
                }
                x->size = 1;
                i->n_xattrs++;
                qsort(i->xattrs, i->n_xattrs, sizeof *i->xattrs, xattr_cmp);
        }
        return 0;
}

static int walk_sort(FsNode *n) {
        FsInode *i = n->inode;
        int r;

        if (!S_ISDIR(i->mode))
                return 0;
        r = finalize_dir(n, NULL);
        if (r < 0)
                return r;
        for (size_t k = 0; k < i->n_children; k++) {
                r = walk_sort(i->children[k]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int fs_tree_finalize(FsTree *t) {
        return walk_sort(t->root);
}

static int walk_postorder(FsNode *n, int (*fn)(FsNode *n, void *userdata), void *userdata) {
        int r;

        if (S_ISDIR(n->inode->mode))
                for (size_t k = 0; k < n->inode->n_children; k++) {
                        r = walk_postorder(n->inode->children[k], fn, userdata);
                        if (r < 0)
                                return r;
                }
        return fn(n, userdata);
}

int fs_tree_walk_postorder(FsTree *t, int (*fn)(FsNode *n, void *userdata), void *userdata) {
        return walk_postorder(t->root, fn, userdata);
}
