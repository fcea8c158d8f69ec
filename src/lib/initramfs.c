/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "initramfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "elf-deps.h"
#include "fd-util.h"
#include "fileio.h"
#include "kmod.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

#define FILE_MAX (256u * 1024 * 1024)
#define MODULE_MAX (64u * 1024 * 1024)

const DlopenRule initramfs_dlopen_rules[] = {
        /* tpm2-tss: Tss2_TctiLdr loads the TCTI named by the configuration with dlopen();
         * the appliance talks to /dev/tpmrm0 through the device TCTI. */
        { "libtss2-tctildr.so.0", "libtss2-tcti-device.so.0" },
        {},
};

typedef struct Entry {
        char *path; /* relative */
        mode_t mode;
        uint32_t rdev_major, rdev_minor;
        uint8_t *data;
        size_t size;
} Entry;

typedef struct Image {
        Entry *entries;
        size_t n;
        char *object; /* the file or path the first failure is about */
} Image;

static void image_done(Image *im) {
        for (size_t i = 0; i < im->n; i++) {
                free(im->entries[i].path);
                free(im->entries[i].data);
        }
        free(im->entries);
        free(im->object);
}

/* Records what a failure is about (the first one counts) and returns r. */
static int image_fail(Image *im, int r, const char *object) {
        if (r < 0 && r != -ENOMEM && !im->object)
                im->object = strdup(object);
        return r;
}

static Entry *image_find(Image *im, const char *path) {
        for (size_t i = 0; i < im->n; i++)
                if (streq(im->entries[i].path, path))
                        return &im->entries[i];
        return NULL;
}

/* Adds an entry; takes ownership of data. Parent directories are added later. An existing
 * entry with the same path and content is fine; a different one is -EEXIST. */
static int image_add(Image *im, const char *abs_or_rel, mode_t mode, uint8_t *data, size_t size,
                     uint32_t rmaj, uint32_t rmin) {
        _cleanup_free_ uint8_t *d = data;
        const char *rel = abs_or_rel;
        Entry *e;

        while (*rel == '/')
                rel++;
        if (!path_is_safe_relative(rel))
                return image_fail(im, -EINVAL, abs_or_rel);
        e = image_find(im, rel);
        if (e) {
                if (e->mode == mode && e->size == size &&
                    (size == 0 || memcmp(e->data, d, size) == 0))
                        return 0;
                return image_fail(im, -EEXIST, abs_or_rel);
        }
        e = reallocarray(im->entries, im->n + 1, sizeof *e);
        if (!e)
                return -ENOMEM;
        im->entries = e;
        e = &im->entries[im->n];
        *e = (Entry){ .path = strdup(rel),
                      .mode = mode,
                      .rdev_major = rmaj,
                      .rdev_minor = rmin,
                      .size = size };
        if (!e->path)
                return -ENOMEM;
        e->data = TAKE_PTR(d);
        im->n++;
        return 0;
}

static int image_add_file(Image *im, const char *src, const char *dest, mode_t perm) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(src, FILE_MAX, &buf, &n);
        if (r < 0)
                return image_fail(im, r, src);
        return image_add(im, dest, S_IFREG | perm, (uint8_t *) TAKE_PTR(buf), n, 0, 0);
}

static int image_add_symlink(Image *im, const char *path, const char *target) {
        char *t = strdup(target);
        if (!t)
                return -ENOMEM;
        return image_add(im, path, S_IFLNK | 0777, (uint8_t *) t, strlen(target), 0, 0);
}

static int image_add_parents(Image *im) {
        size_t n = im->n;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = strdup(im->entries[i].path);
                char *slash;

                if (!p)
                        return -ENOMEM;
                while ((slash = strrchr(p, '/'))) {
                        *slash = 0;
                        if (image_find(im, p))
                                continue;
                        if (image_add(im, p, S_IFDIR | 0755, NULL, 0, 0, 0) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int entry_compare(const void *a, const void *b) {
        return strcmp(((const Entry *) a)->path, ((const Entry *) b)->path);
}

int initramfs_default_modules_dir(char **ret) {
        _cleanup_closedir_ DIR *d = opendir("/lib/modules");
        _cleanup_free_ char *best = NULL;
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (!best || strverscmp(de->d_name, best) > 0) {
                        free(best);
                        best = strdup(de->d_name);
                        if (!best)
                                return -ENOMEM;
                }
        }
        if (!best)
                return -ENOENT;
        *ret = path_join("/lib/modules", best);
        return *ret ? 0 : -ENOMEM;
}

/* Programs and their closure. Files reached by several paths (the loader is both
 * /lib64/ld-linux-x86-64.so.2 and /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2) are stored once;
 * the other paths become symlinks to the first. */
static int add_programs(Image *im, const InitramfsParams *p, InitramfsStats *st,
                        char **ret_missing) {
        _cleanup_strv_free_ char **programs = NULL, **dests = NULL, **dlopened = NULL,
                                 **real = NULL, **stored = NULL;
        _cleanup_(ldcache_freep) LdCache *cache = NULL;
        ElfFile *files = NULL;
        size_t n_files = 0;
        int r;

        if (p->init && (strv_extend(&programs, p->init) < 0 || strv_extend(&dests, "/init") < 0))
                return -ENOMEM;
        for (size_t i = 0; p->programs && p->programs[i]; i++)
                if (strv_extend(&programs, p->programs[i]) < 0 ||
                    strv_extend(&dests, p->programs[i]) < 0)
                        return -ENOMEM;
        if (!programs)
                return 0;
        for (size_t i = 0; p->dlopen && p->dlopen[i]; i++)
                if (strv_extend(&dlopened, p->dlopen[i]) < 0)
                        return -ENOMEM;

        r = ldcache_load("/etc/ld.so.cache", &cache);
        if (r < 0)
                return r;
        for (;;) {
                bool again = false;

                elf_files_free(files, n_files);
                files = NULL;
                r = elf_resolve_closure(programs, dests, dlopened, cache, &files, &n_files,
                                        ret_missing);
                if (r < 0)
                        return r;
                for (const DlopenRule *rule = initramfs_dlopen_rules; rule->trigger; rule++) {
                        bool has = false;
                        for (size_t i = 0; i < n_files && !has; i++) {
                                _cleanup_free_ char *base = NULL;
                                has = path_basename(files[i].dest, &base) >= 0 &&
                                      streq(base, rule->trigger);
                        }
                        if (has && !strv_contains(dlopened, rule->soname)) {
                                if (strv_extend(&dlopened, rule->soname) < 0) {
                                        r = -ENOMEM;
                                        goto finish;
                                }
                                again = true;
                        }
                }
                if (!again)
                        break;
        }

        for (size_t i = 0; i < n_files; i++) {
                char resolved[PATH_MAX];
                ssize_t k = -1;

                if (!realpath(files[i].path, resolved)) {
                        r = image_fail(im, -errno, files[i].path);
                        goto finish;
                }
                for (size_t j = 0; real && real[j]; j++)
                        if (streq(real[j], resolved)) {
                                k = (ssize_t) j;
                                break;
                        }
                if (k >= 0 && !streq(files[i].dest, "/init")) {
                        r = image_add_symlink(im, files[i].dest, stored[k]);
                        if (r < 0)
                                goto finish;
                        continue;
                }
                r = image_add_file(im, files[i].path, files[i].dest, 0755);
                if (r < 0)
                        goto finish;
                if (strv_extend(&real, resolved) < 0 || strv_extend(&stored, files[i].dest) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                if (!strv_contains(dests, files[i].dest))
                        st->n_libraries++;
        }
        r = 0;
finish:
        elf_files_free(files, n_files);
        return r;
}

static int add_modules(Image *im, const InitramfsParams *p, InitramfsStats *st,
                       char **ret_missing) {
        _cleanup_(kmod_index_freep) KmodIndex *k = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *dir = NULL;
        ByteBuffer list = BYTE_BUFFER_INIT;
        uint8_t *ld;
        size_t ln;
        int r;

        if (strv_length(p->modules) == 0)
                return 0;
        if (p->modules_dir)
                dir = strdup(p->modules_dir);
        else if (initramfs_default_modules_dir(&dir) < 0)
                return -ENOENT;
        if (!dir)
                return -ENOMEM;
        r = kmod_index_load(dir, &k);
        if (r < 0)
                return r;
        r = kmod_resolve(k, p->modules, &paths, ret_missing);
        if (r < 0)
                return r;

        for (size_t i = 0; paths[i]; i++) {
                _cleanup_free_ char *src = path_join(dir, paths[i]), *buf = NULL, *dest = NULL,
                                    *plain = strdup(paths[i]);
                Compression c = compression_from_filename(paths[i]);
                uint8_t *data;
                size_t n;

                if (!src || !plain)
                        return -ENOMEM;
                r = read_full_file(src, MODULE_MAX, &buf, &n);
                if (r < 0)
                        return image_fail(im, r, src);
                if (c != COMPRESSION_NONE) {
                        /* finit_module() of a plain file works under lockdown without the
                         * kernel's own decompressor; the signature is inside the plain .ko. */
                        r = decompress_buffer(c, buf, n, MODULE_MAX, &data, &n);
                        if (r < 0)
                                return image_fail(im, r, src);
                        *strrchr(plain, '.') = 0;
                } else
                        data = (uint8_t *) TAKE_PTR(buf);
                dest = path_join(dir, plain);
                if (!dest) {
                        free(data);
                        return -ENOMEM;
                }
                r = image_add(im, dest, S_IFREG | 0644, data, n, 0, 0);
                if (r < 0)
                        return r;
                byte_buffer_append_string(&list, dest);
                byte_buffer_append_byte(&list, '\n');
                st->n_modules++;
        }
        r = byte_buffer_steal(&list, &ld, &ln);
        if (r < 0)
                return r;
        return image_add(im, INITRAMFS_MODULES_LOAD, S_IFREG | 0644, ld, ln, 0, 0);
}

static int add_trust(Image *im, const InitramfsParams *p) {
        static const char *const public_files[] = { "manifest-ca.crt", "sudi-ca.crt",
                                                    "tpm-policy.pub" };
        int r;

        for (size_t i = 0; p->keyset && i < ELEMENTSOF(public_files); i++) {
                _cleanup_free_ char *src = path_join(p->keyset, public_files[i]),
                                    *dest = path_join(INITRAMFS_TRUST_DIR, public_files[i]);
                if (!src || !dest)
                        return -ENOMEM;
                r = image_add_file(im, src, dest, 0644);
                if (r == -ENOENT)
                        return -ENOKEY; /* the verb names the keyset */
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; p->policies && p->policies[i]; i++) {
                _cleanup_free_ char *base = NULL, *dest = NULL;

                if (path_basename(p->policies[i], &base) < 0)
                        return image_fail(im, -EINVAL, p->policies[i]);
                dest = path_join(INITRAMFS_POLICY_DIR, base);
                if (!dest)
                        return -ENOMEM;
                r = image_add_file(im, p->policies[i], dest, 0644);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_extra_files(Image *im, const InitramfsParams *p) {
        for (size_t i = 0; p->files && p->files[i]; i++) {
                _cleanup_free_ char *src = NULL;
                const char *colon = strrchr(p->files[i], ':');
                struct stat st;
                int r;

                if (!colon || colon == p->files[i] || colon[1] != '/')
                        return image_fail(im, -EINVAL, p->files[i]);
                src = strndup(p->files[i], (size_t) (colon - p->files[i]));
                if (!src)
                        return -ENOMEM;
                if (stat(src, &st) < 0)
                        return image_fail(im, -errno, src);
                r = image_add_file(im, src, colon + 1, (st.st_mode & 0111) ? 0755 : 0644);
                if (r < 0)
                        return r;
        }
        return 0;
}

int initramfs_build(const InitramfsParams *p, uint8_t **ret, size_t *ret_size,
                    InitramfsStats *ret_stats, char **ret_missing) {
        _cleanup_(image_done) Image im = { 0 };
        _cleanup_(cpio_writer_done) CpioWriter w = { .mtime = p->mtime };
        _cleanup_free_ uint8_t *cpio = NULL;
        InitramfsStats st = { 0 };
        size_t n;
        int r;

        /* The skeleton: mount points, and /dev/console so that /init has a console before it
         * mounts devtmpfs (the kernel opens it for init's stdin/stdout/stderr). */
        static const char *const dirs[] = { "dev", "proc", "sys", "run", "tmp", "mnt" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                r = image_add(&im, dirs[i], S_IFDIR | 0755, NULL, 0, 0, 0);
                if (r < 0)
                        return r;
        }
        r = image_add(&im, "dev/console", S_IFCHR | 0600, NULL, 0, 5, 1);
        if (r >= 0)
                r = image_add(&im, "dev/null", S_IFCHR | 0666, NULL, 0, 1, 3);
        if (r >= 0)
                r = add_programs(&im, p, &st, ret_missing);
        if (r >= 0)
                r = add_modules(&im, p, &st, ret_missing);
        if (r >= 0)
                r = add_trust(&im, p);
        if (r >= 0)
                r = add_extra_files(&im, p);
        if (r >= 0)
                r = image_add_parents(&im);
        if (r < 0) {
                if (ret_missing && !*ret_missing && im.object)
                        *ret_missing = TAKE_PTR(im.object);
                return r;
        }

        /* Sorted by path: parents come before their children, and the order does not depend
         * on the order of the options. */
        qsort(im.entries, im.n, sizeof *im.entries, entry_compare);
        for (size_t i = 0; i < im.n; i++) {
                const Entry *e = &im.entries[i];
                r = cpio_add(&w, e->path, e->mode, e->rdev_major, e->rdev_minor, e->data, e->size);
                if (r < 0)
                        return r;
        }
        r = cpio_finish(&w, &cpio, &n);
        if (r < 0)
                return r;
        st.n_entries = im.n;
        st.uncompressed_size = n;
        if (p->compression == COMPRESSION_NONE) {
                st.compressed_size = n;
                *ret = TAKE_PTR(cpio);
                *ret_size = n;
        } else {
                r = compress_buffer(p->compression, p->level, cpio, n, ret, ret_size);
                if (r < 0)
                        return r;
                st.compressed_size = *ret_size;
        }
        if (ret_stats)
                *ret_stats = st;
        return 0;
}
