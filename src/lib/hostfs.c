/* SPDX-License-Identifier: LGPL-2.1-or-later */

#define _XOPEN_SOURCE_EXTENDED 1
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-deps.h"
#include "fileio.h"
#include "hostfs.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

#define HOSTFS_FILE_MAX (512u * 1024 * 1024)

/* The mount points mos-init and mosd fill (docs/boot.md, "Hand-over"), and what a root needs. */
static const char *const skeleton[] = {
        "/config", "/data", "/dev",     "/etc",     "/proc",     "/run", "/store",
        "/sys",    "/tmp",  "/usr/bin", "/usr/lib", "/usr/sbin", "/var",
};

static const char os_release[] = "NAME=\"MachineOS\"\n"
                                 "ID=machineos\n"
                                 "PRETTY_NAME=\"MachineOS\"\n"
                                 "HOME_URL=\"https://machineos.invalid/\"\n";

/* mkdir -p of dir + path's parent directories (or of path itself when whole). */
static int mkdir_parents(const char *dir, const char *path, bool whole) {
        _cleanup_free_ char *p = strjoin(dir, path);
        char *end;

        if (!p)
                return -ENOMEM;
        end = whole ? p + strlen(p) : strrchr(p, '/');
        for (char *s = p + strlen(dir) + 1; s && s <= end; s++) {
                if (*s != '/' && s != end)
                        continue;
                char c = *s;
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = c;
                if (s == end)
                        break;
        }
        return 0;
}

static int owned_by_root(const char *path) {
        /* Root-owned in the image whoever builds it as root; an unprivileged build keeps the
         * builder's ids (image_build records what it finds). */
        if (geteuid() == 0 && lchown(path, 0, 0) < 0)
                return -errno;
        return 0;
}

static int copy_file(const char *src, const char *dir, const char *dest, mode_t mode) {
        _cleanup_free_ char *data = NULL, *target = strjoin(dir, dest);
        size_t size;
        int r;

        if (!target)
                return -ENOMEM;
        r = read_full_file(src, HOSTFS_FILE_MAX, &data, &size);
        if (r < 0)
                return r;
        r = mkdir_parents(dir, dest, false);
        if (r < 0)
                return r;
        r = write_file_atomic(target, data, size, mode, WRITE_NO_REPLACE);
        if (r == -EEXIST)
                return 0; /* the same library reached twice */
        if (r < 0)
                return r;
        return owned_by_root(target);
}

static int split_src_dest(const char *spec, bool need_dest, char **ret_src, char **ret_dest) {
        const char *colon = strchr(spec, ':');
        _cleanup_free_ char *src = colon ? strndup(spec, (size_t) (colon - spec)) : strdup(spec);
        _cleanup_free_ char *dest = strdup(colon ? colon + 1 : spec);

        if (!src || !dest)
                return -ENOMEM;
        if ((need_dest && !colon) || isempty(src) || dest[0] != '/' ||
            !path_is_safe_relative(dest + 1))
                return -EINVAL;
        *ret_src = TAKE_PTR(src);
        *ret_dest = TAKE_PTR(dest);
        return 0;
}

int hostfs_stage(const HostfsParams *p, const char *dir, size_t *ret_n_files, char **ret_missing) {
        _cleanup_strv_free_ char **programs = NULL, **dests = NULL;
        _cleanup_(ldcache_freep) LdCache *cache = NULL;
        ElfFile *files = NULL;
        size_t n_files = 0, n = 0;
        int r;

#define ADD(src, dest)                                                                             \
        ((strv_extend(&programs, src) < 0 || strv_extend(&dests, dest) < 0) ? -ENOMEM : 0)

        for (size_t i = 0; i < ELEMENTSOF(skeleton); i++) {
                r = mkdir_parents(dir, skeleton[i], true);
                if (r < 0)
                        return r;
        }
        if ((p->mosd && ADD(p->mosd, HOSTFS_MOSD) < 0) ||
            (p->crun && ADD(p->crun, HOSTFS_CRUN) < 0) ||
            (p->debug_shell && ADD(HOSTFS_SHELL_SOURCE, HOSTFS_SHELL) < 0))
                return -ENOMEM;
        for (size_t i = 0; p->programs && p->programs[i]; i++) {
                _cleanup_free_ char *src = NULL, *dest = NULL;
                r = split_src_dest(p->programs[i], false, &src, &dest);
                if (r < 0)
                        return r;
                if (ADD(src, dest) < 0)
                        return -ENOMEM;
        }
#undef ADD

        if (programs) {
                r = ldcache_load("/etc/ld.so.cache", &cache);
                if (r < 0)
                        return r;
                r = elf_resolve_closure(programs, dests, p->dlopen, cache, &files, &n_files,
                                        ret_missing);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_files; i++) {
                        r = copy_file(files[i].path, dir, files[i].dest, 0755);
                        if (r < 0) {
                                if (r == -ENOENT && ret_missing)
                                        *ret_missing = strdup(files[i].path);
                                elf_files_free(files, n_files);
                                return r;
                        }
                        n++;
                }
                elf_files_free(files, n_files);
        }
        for (size_t i = 0; p->files && p->files[i]; i++) {
                _cleanup_free_ char *src = NULL, *dest = NULL;
                struct stat st;

                r = split_src_dest(p->files[i], true, &src, &dest);
                if (r < 0)
                        return r;
                if (stat(src, &st) < 0) {
                        if (errno == ENOENT && ret_missing)
                                *ret_missing = strdup(src);
                        return -errno;
                }
                r = copy_file(src, dir, dest, st.st_mode & 0755);
                if (r < 0)
                        return r;
                n++;
        }
        {
                _cleanup_free_ char *rel = strjoin(dir, "/usr/lib/os-release"),
                                    *link = strjoin(dir, "/etc/os-release");
                if (!rel || !link)
                        return -ENOMEM;
                r = write_file_atomic(rel, os_release, sizeof os_release - 1, 0644, 0);
                if (r >= 0 && symlink("../usr/lib/os-release", link) < 0 && errno != EEXIST)
                        r = -errno;
                if (r >= 0)
                        r = owned_by_root(rel);
                if (r >= 0)
                        r = owned_by_root(link);
                if (r < 0)
                        return r;
                n++;
        }
        /* The directories too (mkdir made them with the builder's ids). */
        for (size_t i = 0; i < ELEMENTSOF(skeleton); i++) {
                _cleanup_free_ char *d = strjoin(dir, skeleton[i]);
                if (!d)
                        return -ENOMEM;
                r = owned_by_root(d);
                if (r < 0)
                        return r;
        }
        if (ret_n_files)
                *ret_n_files = n;
        return 0;
}

static int rm_rf_one(const char *path, const struct stat *st, int type, struct FTW *f) {
        (void) st;
        (void) type;
        (void) f;
        return remove(path) < 0 ? -1 : 0;
}

int hostfs_build(OciLayout *l, const HostfsParams *p, const ImageBuildOptions *o,
                 const char *tmp_dir, Image **ret, char **ret_error) {
        _cleanup_free_ char *dir = NULL, *missing = NULL;
        const char *tmp = tmp_dir ?: secure_getenv("TMPDIR") ?: "/var/tmp";
        ImageBuildOptions b = *o;
        int r;

        dir = strjoin(tmp, "/mos-hostfs.XXXXXX");
        if (!dir)
                return -ENOMEM;
        if (!mkdtemp(dir))
                return -errno;
        /* Directories below must be reachable for the walk even when the builder is not root. */
        r = hostfs_stage(p, dir, NULL, &missing);
        if (r < 0) {
                if (ret_error && r == -ENOENT && missing)
                        *ret_error = strjoin("missing file: ", missing);
                else if (ret_error && r == -EINVAL)
                        *ret_error = strdup("a SRC:DEST is malformed (DEST must be an absolute, "
                                            "normalised path)");
                else if (ret_error && r == -EBADMSG)
                        *ret_error = strdup("a program or one of its libraries is not an x86-64 "
                                            "ELF file");
        } else {
                b.source = dir;
                r = image_build(l, &b, ret, ret_error);
        }
        (void) nftw(dir, rm_rf_one, 16, FTW_DEPTH | FTW_PHYS);
        return r;
}
