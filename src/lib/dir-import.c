/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "dir-import.h"
#include "error-util.h"
#include "fd-util.h"
#include "string-util.h"

#define COPY_BUFFER_SIZE (256U * 1024U)

typedef struct HardLink {
        dev_t dev;
        ino_t ino;
        char *path;
} HardLink;

typedef struct Walk {
        FsTree *tree;
        const FsDataSink *sink;
        const DirImportOptions *options;
        const char *base;
        dev_t dev;
        HardLink *links;
        size_t n_links, n_links_allocated;
        uint8_t *buf;
        uint64_t bytes;
        char *error;
} Walk;

_printf_(3, 4) static int walk_error(Walk *w, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        r = error_setv(&w->error, r, fmt, ap);
        va_end(ap);
        return r;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The names in a directory, sorted. */
static int list_dir(int fd, char ***ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;
        int dfd;

        dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return -errno;
        }
        while ((errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 16;
                        char **x = reallocarray(names, m, sizeof *x);
                        if (!x) {
                                names_free(names, n);
                                return -ENOMEM;
                        }
                        names = x;
                        allocated = m;
                }
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        names_free(names, n);
                        return -ENOMEM;
                }
                n++;
        }
        if (errno != 0) {
                int r = -errno;
                names_free(names, n);
                return r;
        }
        if (n > 0)
                qsort(names, n, sizeof *names, name_cmp);
        *ret = names;
        *ret_n = n;
        return 0;
}

static void xattrs_free(FsXattr *x, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(x[i].name);
                free(x[i].value);
        }
        free(x);
}

static int read_xattrs(Walk *w, const char *full, const char *rel, FsXattr **ret, size_t *ret_n) {
        _cleanup_free_ char *list = NULL;
        FsXattr *x = NULL;
        size_t n = 0;
        ssize_t len;

        len = llistxattr(full, NULL, 0);
        if (len < 0) {
                if (errno == ENOTSUP || errno == ENOSYS)
                        len = 0;
                else
                        return walk_error(w, -errno, "cannot list the xattrs of '%s': %m", rel);
        }
        if (len == 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        list = malloc((size_t) len);
        if (!list)
                return -ENOMEM;
        len = llistxattr(full, list, (size_t) len);
        if (len < 0)
                return walk_error(w, -errno, "cannot list the xattrs of '%s': %m", rel);
        for (char *p = list; p < list + len; p += strlen(p) + 1) {
                ssize_t vlen;
                FsXattr *nx;

                if (n >= FS_XATTRS_MAX) {
                        xattrs_free(x, n);
                        return walk_error(w, -EFBIG, "'%s': more than %u xattrs", rel,
                                          FS_XATTRS_MAX);
                }
                nx = reallocarray(x, n + 1, sizeof *x);
                if (!nx) {
                        xattrs_free(x, n);
                        return -ENOMEM;
                }
                x = nx;
                x[n] = (FsXattr){ .name = strdup(p) };
                vlen = lgetxattr(full, p, NULL, 0);
                if (vlen >= 0 && (size_t) vlen <= FS_XATTR_VALUE_MAX) {
                        x[n].value = malloc((size_t) vlen + 1);
                        if (x[n].value)
                                vlen = lgetxattr(full, p, x[n].value, (size_t) vlen);
                }
                n++;
                if (!x[n - 1].name ||
                    (vlen >= 0 && (size_t) vlen <= FS_XATTR_VALUE_MAX && !x[n - 1].value)) {
                        xattrs_free(x, n);
                        return -ENOMEM;
                }
                if (vlen < 0) {
                        int r = walk_error(w, -errno, "cannot read xattr '%s' of '%s': %m", p, rel);
                        xattrs_free(x, n);
                        return r;
                }
                if ((size_t) vlen > FS_XATTR_VALUE_MAX) {
                        xattrs_free(x, n);
                        return walk_error(w, -EFBIG, "'%s': xattr '%s' is larger than %u bytes",
                                          rel, p, FS_XATTR_VALUE_MAX);
                }
                x[n - 1].size = (size_t) vlen;
        }
        *ret = x;
        *ret_n = n;
        return 0;
}

static int copy_file(Walk *w, int dir_fd, const char *name, const char *rel, FsNode *n) {
        _cleanup_close_ int fd = -1;
        int r;

        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return walk_error(w, -errno, "cannot open '%s': %m", rel);
        if (w->sink) {
                r = w->sink->begin(w->sink->userdata, n);
                if (r < 0)
                        return walk_error(w, r, "cannot store '%s': %s", rel, strerror(-r));
        }
        for (;;) {
                ssize_t k = read(fd, w->buf, COPY_BUFFER_SIZE);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return walk_error(w, -errno, "cannot read '%s': %m", rel);
                if (k == 0)
                        break;
                w->bytes += (uint64_t) k;
                if (w->sink) {
                        r = w->sink->write(w->sink->userdata, w->buf, (size_t) k);
                        if (r < 0)
                                return walk_error(w, r, "cannot store '%s': %s", rel, strerror(-r));
                }
        }
        if (w->sink) {
                r = w->sink->end(w->sink->userdata);
                if (r < 0)
                        return walk_error(w, r, "cannot store '%s': %s", rel, strerror(-r));
        }
        if (w->options && w->options->progress)
                w->options->progress(w->bytes, w->options->userdata);
        return 0;
}

/* Files with several links, by (device, inode): open addressing, the table at most half full. */
static size_t hardlink_slot(const Walk *w, dev_t dev, ino_t ino) {
        uint64_t h =
                ((uint64_t) dev * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t) ino * 0xc2b2ae3d27d4eb4fULL);
        size_t i = (size_t) (h ^ (h >> 29)) & (w->n_links_allocated - 1);

        while (w->links[i].path && !(w->links[i].dev == dev && w->links[i].ino == ino))
                i = (i + 1) & (w->n_links_allocated - 1);
        return i;
}

static const HardLink *hardlink_find(Walk *w, const struct stat *st) {
        size_t i;

        if (w->n_links == 0)
                return NULL;
        i = hardlink_slot(w, st->st_dev, st->st_ino);
        return w->links[i].path ? &w->links[i] : NULL;
}

static int hardlink_remember(Walk *w, const struct stat *st, const char *rel) {
        if ((w->n_links + 1) * 2 > w->n_links_allocated) {
                Walk bigger = *w;
                bigger.n_links_allocated = w->n_links_allocated ? w->n_links_allocated * 2 : 64;
                bigger.links = calloc(bigger.n_links_allocated, sizeof *bigger.links);
                if (!bigger.links)
                        return -ENOMEM;
                for (size_t i = 0; i < w->n_links_allocated; i++)
                        if (w->links[i].path)
                                bigger.links[hardlink_slot(&bigger, w->links[i].dev,
                                                           w->links[i].ino)] = w->links[i];
                free(w->links);
                w->links = bigger.links;
                w->n_links_allocated = bigger.n_links_allocated;
        }
        HardLink *h = &w->links[hardlink_slot(w, st->st_dev, st->st_ino)];
        *h = (HardLink){ .dev = st->st_dev, .ino = st->st_ino, .path = strdup(rel) };
        if (!h->path)
                return -ENOMEM;
        w->n_links++;
        return 0;
}

static int tree_add(Walk *w, const FsEntry *e, FsNode **ret) {
        int r = fs_tree_add(w->tree, e, ret);
        if (r == -EBADMSG || r == -EFBIG)
                return walk_error(w, r, "%s", fs_tree_error(w->tree) ?: "invalid entry");
        return r;
}

static int walk_dir(Walk *w, int dir_fd, const char *rel);

static int walk_entry(Walk *w, int dir_fd, const char *name, const char *rel) {
        _cleanup_free_ char *full = strjoin(w->base, "/", rel), *target = NULL;
        FsXattr *x = NULL;
        size_t n_x = 0;
        struct stat st;
        FsNode *n = NULL;
        FsEntry e;
        int r;

        if (!full)
                return -ENOMEM;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return walk_error(w, -errno, "cannot stat '%s': %m", rel);
        if (st.st_dev != w->dev)
                return walk_error(w, -EBADMSG, "'%s' is on another file system (a mount point)",
                                  rel);

        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
                const HardLink *h = hardlink_find(w, &st);
                if (h)
                        return tree_add(w, &(FsEntry){ .path = rel, .hardlink = h->path }, NULL);
                r = hardlink_remember(w, &st, rel);
                if (r < 0)
                        return r;
        }
        if (S_ISLNK(st.st_mode)) {
                size_t size = (size_t) MIN((off_t) FS_SYMLINK_MAX + 1, st.st_size + 1);
                ssize_t k;
                target = malloc(size + 1);
                if (!target)
                        return -ENOMEM;
                k = readlinkat(dir_fd, name, target, size);
                if (k < 0)
                        return walk_error(w, -errno, "cannot read the symlink '%s': %m", rel);
                target[k] = '\0';
        }
        r = read_xattrs(w, full, rel, &x, &n_x);
        if (r < 0)
                return r;
        e = (FsEntry){
                .path = rel,
                .mode = st.st_mode,
                .uid = st.st_uid,
                .gid = st.st_gid,
                .mtime = st.st_mtim.tv_sec,
                .rdev_major = major(st.st_rdev),
                .rdev_minor = minor(st.st_rdev),
                .symlink = target,
                .xattrs = x,
                .n_xattrs = n_x,
        };
        r = tree_add(w, &e, &n);
        xattrs_free(x, n_x);
        if (r < 0)
                return r;
        if (S_ISREG(st.st_mode))
                return copy_file(w, dir_fd, name, rel, n);
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int fd =
                        openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return walk_error(w, -errno, "cannot open '%s': %m", rel);
                return walk_dir(w, fd, rel);
        }
        return 0;
}

static int walk_dir(Walk *w, int dir_fd, const char *rel) {
        char **names = NULL;
        size_t n = 0;
        int r;

        r = list_dir(dir_fd, &names, &n);
        if (r < 0)
                return walk_error(w, r, "cannot list '%s': %s", isempty(rel) ? "." : rel,
                                  strerror(-r));
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *child =
                        isempty(rel) ? strdup(names[i]) : strjoin(rel, "/", names[i]);
                if (!child) {
                        r = -ENOMEM;
                        break;
                }
                r = walk_entry(w, dir_fd, names[i], child);
                if (r < 0)
                        break;
        }
        names_free(names, n);
        return r;
}

int dir_import(const char *path, FsTree *tree, const FsDataSink *sink, const DirImportOptions *o,
               char **ret_error) {
        _cleanup_close_ int fd = -1;
        FsXattr *x = NULL;
        size_t n_x = 0;
        struct stat st;
        Walk w = { .tree = tree, .sink = sink, .options = o, .base = path };
        int r;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        w.dev = st.st_dev;
        w.buf = malloc(COPY_BUFFER_SIZE);
        if (!w.buf)
                return -ENOMEM;

        /* the root directory's own attributes */
        r = read_xattrs(&w, path, ".", &x, &n_x);
        if (r >= 0) {
                r = tree_add(&w,
                             &(FsEntry){ .path = ".",
                                         .mode = st.st_mode,
                                         .uid = st.st_uid,
                                         .gid = st.st_gid,
                                         .mtime = st.st_mtim.tv_sec,
                                         .xattrs = x,
                                         .n_xattrs = n_x },
                             NULL);
                xattrs_free(x, n_x);
        }
        if (r >= 0)
                r = walk_dir(&w, fd, "");

        for (size_t i = 0; i < w.n_links_allocated; i++)
                free(w.links[i].path);
        free(w.links);
        free(w.buf);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(w.error);
        free(w.error);
        return r;
}
