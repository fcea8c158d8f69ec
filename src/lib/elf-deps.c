/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "elf-deps.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte-buffer.h"
#include "fileio.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

#define ELF_MAX (512u * 1024 * 1024)
#define LDCACHE_MAX (64u * 1024 * 1024)

void elf_dynamic_info_done(ElfDynamicInfo *i) {
        free(i->interp);
        free(i->soname);
        strv_free(i->needed);
        strv_free(i->rpath);
        strv_free(i->runpath);
        *i = (ElfDynamicInfo){ 0 };
}

/* File offset of a virtual address, through the PT_LOAD segments. */
static int vaddr_to_offset(const Elf64_Phdr *ph, unsigned n, uint64_t addr, uint64_t *ret) {
        for (unsigned i = 0; i < n; i++) {
                if (ph[i].p_type != PT_LOAD)
                        continue;
                if (addr >= ph[i].p_vaddr && addr - ph[i].p_vaddr < ph[i].p_filesz) {
                        *ret = addr - ph[i].p_vaddr + ph[i].p_offset;
                        return 0;
                }
        }
        return -EBADMSG;
}

static int split_path_list(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s;

        while (*p) {
                size_t k = strcspn(p, ":");
                _cleanup_free_ char *e = strndup(p, k);
                if (!e)
                        return -ENOMEM;
                if (k > 0 && strv_extend(&l, e) < 0)
                        return -ENOMEM;
                p += k;
                if (*p == ':')
                        p++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int elf_parse_dynamic(const uint8_t *p, size_t n, ElfDynamicInfo *ret) {
        _cleanup_free_ Elf64_Phdr *ph = NULL;
        _cleanup_(elf_dynamic_info_done) ElfDynamicInfo info = { 0 };
        const Elf64_Ehdr *eh;
        Elf64_Ehdr ehdr;
        uint64_t dyn_off = 0, dyn_size = 0, strtab = 0, strsz = 0, str_off;
        bool have_strtab = false, have_strsz = false;
        int r;

        if (n < sizeof(Elf64_Ehdr))
                return -EBADMSG;
        memcpy(&ehdr, p, sizeof ehdr);
        eh = &ehdr;
        if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
            eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
                return -EBADMSG;
        if (eh->e_phnum == 0)
                goto done; /* relocatable object: nothing to resolve */
        if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > n ||
            (uint64_t) eh->e_phnum * sizeof(Elf64_Phdr) > n - eh->e_phoff)
                return -EBADMSG;
        ph = calloc(eh->e_phnum, sizeof *ph);
        if (!ph)
                return -ENOMEM;
        memcpy(ph, p + eh->e_phoff, (size_t) eh->e_phnum * sizeof *ph);

        for (unsigned i = 0; i < eh->e_phnum; i++) {
                if (ph[i].p_offset > n || ph[i].p_filesz > n - ph[i].p_offset)
                        return -EBADMSG;
                if (ph[i].p_type == PT_INTERP) {
                        const char *s = (const char *) p + ph[i].p_offset;
                        if (ph[i].p_filesz < 2 || s[ph[i].p_filesz - 1] != 0 ||
                            strlen(s) != ph[i].p_filesz - 1 || s[0] != '/')
                                return -EBADMSG;
                        free(info.interp);
                        info.interp = strdup(s);
                        if (!info.interp)
                                return -ENOMEM;
                } else if (ph[i].p_type == PT_DYNAMIC) {
                        dyn_off = ph[i].p_offset;
                        dyn_size = ph[i].p_filesz;
                        info.dynamic = true;
                }
        }
        if (!info.dynamic)
                goto done;

        for (uint64_t o = 0; o + sizeof(Elf64_Dyn) <= dyn_size; o += sizeof(Elf64_Dyn)) {
                Elf64_Dyn d;
                memcpy(&d, p + dyn_off + o, sizeof d);
                if (d.d_tag == DT_NULL)
                        break;
                if (d.d_tag == DT_STRTAB) {
                        strtab = d.d_un.d_ptr;
                        have_strtab = true;
                } else if (d.d_tag == DT_STRSZ) {
                        strsz = d.d_un.d_val;
                        have_strsz = true;
                }
        }
        if (!have_strtab || !have_strsz)
                return -EBADMSG;
        r = vaddr_to_offset(ph, eh->e_phnum, strtab, &str_off);
        if (r < 0)
                return r;
        if (str_off > n || strsz > n - str_off || strsz == 0 || p[str_off + strsz - 1] != 0)
                return -EBADMSG;

        for (uint64_t o = 0; o + sizeof(Elf64_Dyn) <= dyn_size; o += sizeof(Elf64_Dyn)) {
                Elf64_Dyn d;
                const char *s;

                memcpy(&d, p + dyn_off + o, sizeof d);
                if (d.d_tag == DT_NULL)
                        break;
                if (d.d_tag != DT_NEEDED && d.d_tag != DT_RPATH && d.d_tag != DT_RUNPATH &&
                    d.d_tag != DT_SONAME)
                        continue;
                if (d.d_un.d_val >= strsz)
                        return -EBADMSG;
                s = (const char *) p + str_off + d.d_un.d_val;
                switch (d.d_tag) {
                case DT_NEEDED:
                        if (isempty(s))
                                return -EBADMSG;
                        if (strv_extend(&info.needed, s) < 0)
                                return -ENOMEM;
                        break;
                case DT_RPATH:
                        strv_free(info.rpath);
                        info.rpath = NULL;
                        if (split_path_list(s, &info.rpath) < 0)
                                return -ENOMEM;
                        break;
                case DT_RUNPATH:
                        strv_free(info.runpath);
                        info.runpath = NULL;
                        if (split_path_list(s, &info.runpath) < 0)
                                return -ENOMEM;
                        break;
                case DT_SONAME:
                        free(info.soname);
                        info.soname = strdup(s);
                        if (!info.soname)
                                return -ENOMEM;
                        break;
                }
        }
done:
        *ret = info;
        info = (ElfDynamicInfo){ 0 };
        return 0;
}

/* ---- ld.so.cache ---- */

#define CACHEMAGIC_NEW "glibc-ld.so.cache"
#define CACHE_VERSION "1.1"
#define CACHEMAGIC_OLD "ld.so-1.7.0"
#define FLAG_TYPE_MASK 0x00ff
#define FLAG_ELF_LIBC6 0x0003
#define FLAG_REQUIRED_MASK 0xff00
#define FLAG_X8664_LIB64 0x0300

typedef struct LdCacheEntry {
        char *soname;
        char *path;
} LdCacheEntry;

struct LdCache {
        LdCacheEntry *entries;
        size_t n;
};

LdCache *ldcache_free(LdCache *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++) {
                free(c->entries[i].soname);
                free(c->entries[i].path);
        }
        free(c->entries);
        free(c);
        return NULL;
}

static const char *cache_string(const uint8_t *p, size_t n, uint32_t off) {
        if (off >= n || !memchr(p + off, 0, n - off))
                return NULL;
        return (const char *) p + off;
}

int ldcache_parse(const uint8_t *p, size_t n, LdCache **ret) {
        _cleanup_(ldcache_freep) LdCache *c = NULL;
        size_t off = 0, entries;
        uint32_t nlibs;

        if (n > LDCACHE_MAX)
                return -EFBIG;
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        if (n == 0) {
                *ret = TAKE_PTR(c);
                return 0;
        }
        /* Old format first (glibc < 2.32 wrote both): struct cache_file { char magic[11];
         * uint32 nlibs; struct file_entry libs[nlibs] (3 x int32) }, then the new one aligned
         * to 8. */
        if (n >= 16 && memcmp(p, CACHEMAGIC_OLD, sizeof CACHEMAGIC_OLD - 1) == 0) {
                uint32_t old = le32_read(p + 12);
                if ((uint64_t) old * 12 > n - 16)
                        return -EBADMSG;
                off = (16 + (size_t) old * 12 + 7) & ~(size_t) 7;
        }
        /* struct cache_file_new: magic[17], version[3], nlibs, len_strings, flags (u8) +
         * padding[3], extension_offset, unused[3] = 48 bytes; entries of 24 bytes: int32 flags,
         * uint32 key, uint32 value, uint32 osversion, uint64 hwcap. String offsets count from
         * the start of the new header. */
        if (n - off < 48 || memcmp(p + off, CACHEMAGIC_NEW, sizeof CACHEMAGIC_NEW - 1) != 0 ||
            memcmp(p + off + 17, CACHE_VERSION, 3) != 0)
                return -EBADMSG;
        nlibs = le32_read(p + off + 20);
        if ((uint64_t) nlibs * 24 > n - off - 48)
                return -EBADMSG;
        entries = off + 48;
        c->entries = calloc(nlibs ? nlibs : 1, sizeof *c->entries);
        if (!c->entries)
                return -ENOMEM;
        for (uint32_t i = 0; i < nlibs; i++) {
                const uint8_t *e = p + entries + (size_t) i * 24;
                uint32_t flags = le32_read(e);
                const char *key = cache_string(p + off, n - off, le32_read(e + 4)),
                           *value = cache_string(p + off, n - off, le32_read(e + 8));

                if (!key || !value)
                        return -EBADMSG;
                if ((flags & FLAG_TYPE_MASK) != FLAG_ELF_LIBC6 ||
                    (flags & FLAG_REQUIRED_MASK) != FLAG_X8664_LIB64)
                        continue;
                c->entries[c->n].soname = strdup(key);
                c->entries[c->n].path = strdup(value);
                if (!c->entries[c->n].soname || !c->entries[c->n].path) {
                        c->n++;
                        return -ENOMEM;
                }
                c->n++;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int ldcache_load(const char *path, LdCache **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        int r;

        r = read_full_file(path, LDCACHE_MAX, &buf, &n);
        if (r == -ENOENT)
                n = 0;
        else if (r < 0)
                return r;
        return ldcache_parse((const uint8_t *) buf, n, ret);
}

const char *ldcache_lookup(const LdCache *c, const char *soname) {
        /* The cache is sorted by ldconfig with the preferred entry first: take the first. */
        for (size_t i = 0; c && i < c->n; i++)
                if (streq(c->entries[i].soname, soname))
                        return c->entries[i].path;
        return NULL;
}

size_t ldcache_size(const LdCache *c) {
        return c->n;
}

/* ---- the closure ---- */

/* Debian's trusted directories (glibc configured with multiarch slibdir/libdir), then the
 * generic ones. */
static const char *const default_dirs[] = {
        "/lib/x86_64-linux-gnu",
        "/usr/lib/x86_64-linux-gnu",
        "/lib64",
        "/usr/lib64",
        "/lib",
        "/usr/lib",
        NULL,
};

typedef struct Object {
        char *path;
        char *dest;
        ElfDynamicInfo info;
        size_t exe; /* index of the program that brought it in */
} Object;

typedef struct Closure {
        Object *objects;
        size_t n;
        const LdCache *cache;
        char *missing;
} Closure;

static void closure_done(Closure *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->objects[i].path);
                free(c->objects[i].dest);
                elf_dynamic_info_done(&c->objects[i].info);
        }
        free(c->objects);
        free(c->missing);
}

static bool closure_has(const Closure *c, const char *dest) {
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->objects[i].dest, dest))
                        return true;
        return false;
}

char *path_normalize_lexical(const char *path) {
        _cleanup_free_ char *out = NULL;
        const char *p = path;
        size_t n = 0;

        if (!path || path[0] != '/')
                return NULL;
        out = malloc(strlen(path) + 2);
        if (!out)
                return NULL;
        out[n++] = '/';
        for (;;) {
                size_t len;

                while (*p == '/')
                        p++;
                len = strcspn(p, "/");
                if (len == 0)
                        break;
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        /* Drop the last component (out is "/" or "/a/b"). */
                        while (n > 1 && out[n - 1] != '/')
                                n--;
                        if (n > 1)
                                n--;
                } else if (!(len == 1 && p[0] == '.')) {
                        if (n > 1)
                                out[n++] = '/';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p += len;
        }
        out[n] = 0;
        return TAKE_PTR(out);
}

/* A readable regular ELF file for this machine at path? */
static int load_object(const char *path, ElfDynamicInfo *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(path, ELF_MAX, &buf, &n);
        if (r < 0)
                return r;
        return elf_parse_dynamic((const uint8_t *) buf, n, ret);
}

static int add_object(Closure *c, const char *path, const char *dest, size_t exe) {
        _cleanup_free_ char *d = path_normalize_lexical(dest);
        Object *o;
        int r;

        if (!d)
                return dest[0] == '/' ? -ENOMEM : -EINVAL;
        if (closure_has(c, d))
                return 0;
        o = reallocarray(c->objects, c->n + 1, sizeof *o);
        if (!o)
                return -ENOMEM;
        c->objects = o;
        o = &c->objects[c->n];
        *o = (Object){ .path = strdup(path), .dest = TAKE_PTR(d), .exe = exe };
        if (!o->path) {
                free(o->dest);
                return -ENOMEM;
        }
        r = load_object(path, &o->info);
        if (r < 0) {
                free(o->path);
                free(o->dest);
                return r;
        }
        c->n++;
        return 1;
}

/* Expands $ORIGIN / ${ORIGIN} in a search path entry. Other dynamic string tokens ($LIB,
 * $PLATFORM) are not used by Debian packages and make the entry unusable (-EINVAL). */
static int expand_origin(const char *entry, const char *object_path, char **ret) {
        _cleanup_free_ char *origin = NULL;
        const char *rest;

        if (!strchr(entry, '$')) {
                *ret = strdup(entry);
                return *ret ? 0 : -ENOMEM;
        }
        if ((rest = startswith(entry, "$ORIGIN")) || (rest = startswith(entry, "${ORIGIN}"))) {
                if (strchr(rest, '$'))
                        return -EINVAL;
                if (path_dirname(object_path, &origin) < 0)
                        return -EINVAL;
                *ret = strjoin(origin, rest);
                return *ret ? 0 : -ENOMEM;
        }
        return -EINVAL;
}

/* Searches dirs for name. The host path goes to *ret; *ret_dest gets where it belongs in the
 * image: $ORIGIN entries are expanded against the needer's dest for that. */
static int try_dirs(char *const *dirs, const char *object_path, const char *object_dest,
                    const char *name, char **ret, char **ret_dest) {
        for (size_t i = 0; dirs && dirs[i]; i++) {
                _cleanup_free_ char *d = NULL, *p = NULL, *dd = NULL, *pd = NULL;
                ElfDynamicInfo info;

                if (expand_origin(dirs[i], object_path, &d) < 0 || d[0] != '/')
                        continue;
                if (expand_origin(dirs[i], object_dest, &dd) < 0)
                        continue;
                p = path_join(d, name);
                pd = path_join(dd, name);
                if (!p || !pd)
                        return -ENOMEM;
                /* ld.so skips files of the wrong class or machine and keeps searching. */
                if (load_object(p, &info) < 0)
                        continue;
                elf_dynamic_info_done(&info);
                *ret = TAKE_PTR(p);
                *ret_dest = TAKE_PTR(pd);
                return 1;
        }
        return 0;
}

static int resolve(const Closure *c, const Object *needer, const Object *exe, const char *name,
                   char **ret, char **ret_dest) {
        const char *cached;
        int r;

        if (strchr(name, '/')) {
                *ret = strdup(name);
                *ret_dest = strdup(name);
                return *ret && *ret_dest ? 1 : -ENOMEM;
        }
        /* DT_RPATH applies only when the object has no DT_RUNPATH; the executable's DT_RPATH
         * applies to every object it loads (if the executable has no DT_RUNPATH). */
        if (needer && !needer->info.runpath) {
                r = try_dirs(needer->info.rpath, needer->path, needer->dest, name, ret, ret_dest);
                if (r != 0)
                        return r;
                if (exe && exe != needer && !exe->info.runpath) {
                        r = try_dirs(exe->info.rpath, exe->path, exe->dest, name, ret, ret_dest);
                        if (r != 0)
                                return r;
                }
        }
        if (needer) {
                r = try_dirs(needer->info.runpath, needer->path, needer->dest, name, ret, ret_dest);
                if (r != 0)
                        return r;
        }
        cached = ldcache_lookup(c->cache, name);
        if (cached && access(cached, R_OK) == 0) {
                *ret = strdup(cached);
                *ret_dest = strdup(cached);
                return *ret && *ret_dest ? 1 : -ENOMEM;
        }
        return try_dirs((char **) default_dirs, "/", "/", name, ret, ret_dest);
}

void elf_files_free(ElfFile *f, size_t n) {
        for (size_t i = 0; f && i < n; i++) {
                free(f[i].path);
                free(f[i].dest);
        }
        free(f);
}

static int file_compare(const void *a, const void *b) {
        return strcmp(((const ElfFile *) a)->dest, ((const ElfFile *) b)->dest);
}

static int add_resolved(Closure *c, size_t needer, size_t exe, const char *name,
                        char **ret_missing) {
        _cleanup_free_ char *path = NULL, *dest = NULL;
        int r;

        r = resolve(c, &c->objects[needer], &c->objects[exe], name, &path, &dest);
        if (r < 0)
                return r;
        if (r == 0) {
                if (ret_missing)
                        *ret_missing = strdup(name);
                return -ENOENT;
        }
        r = add_object(c, path, dest, exe);
        if (r < 0 && r != -ENOMEM && ret_missing)
                *ret_missing = strdup(path);
        return r;
}

int elf_resolve_closure(char *const *programs, char *const *dests, char *const *dlopened,
                        const LdCache *cache, ElfFile **ret, size_t *ret_n, char **ret_missing) {
        _cleanup_(closure_done) Closure c = { .cache = cache };
        ElfFile *files;
        int r;

        for (size_t i = 0; programs && programs[i]; i++) {
                r = add_object(&c, programs[i], dests ? dests[i] : programs[i], c.n);
                if (r < 0) {
                        if (ret_missing)
                                *ret_missing = strdup(programs[i]);
                        return r;
                }
        }

        /* Breadth-first over the growing object list. Each object's needs are resolved in the
         * context of the program that (first) brought it in. */
        for (size_t i = 0; i < c.n; i++) {
                size_t exe = c.objects[i].exe;
                char **needed = c.objects[i].info.needed;

                if (c.objects[i].info.interp) {
                        /* PT_INTERP is an absolute path the kernel opens as is. */
                        r = add_object(&c, c.objects[i].info.interp, c.objects[i].info.interp, exe);
                        if (r < 0) {
                                if (ret_missing)
                                        *ret_missing = strdup(c.objects[i].info.interp);
                                return r;
                        }
                }
                for (size_t j = 0; needed && needed[j]; j++) {
                        r = add_resolved(&c, i, exe, needed[j], ret_missing);
                        if (r < 0)
                                return r;
                }
                /* dlopen()ed libraries: after the first program's direct needs. */
                for (size_t j = 0; i == 0 && dlopened && dlopened[j]; j++) {
                        r = add_resolved(&c, 0, 0, dlopened[j], ret_missing);
                        if (r < 0)
                                return r;
                }
        }

        files = calloc(c.n ? c.n : 1, sizeof *files);
        if (!files)
                return -ENOMEM;
        for (size_t i = 0; i < c.n; i++) {
                files[i].path = TAKE_PTR(c.objects[i].path);
                files[i].dest = TAKE_PTR(c.objects[i].dest);
        }
        qsort(files, c.n, sizeof *files, file_compare);
        *ret = files;
        *ret_n = c.n;
        return 0;
}
