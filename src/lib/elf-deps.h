/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The shared-library closure of programs, resolved the way glibc's dynamic loader does
 * (ld.so(8), glibc elf/dl-load.c): PT_INTERP, DT_NEEDED, DT_RPATH (only without DT_RUNPATH,
 * also the executable's), DT_RUNPATH (of the object that needs the library), /etc/ld.so.cache,
 * then the default directories. $ORIGIN is expanded; LD_LIBRARY_PATH is ignored on purpose
 * (the build host's environment must not change the image). x86-64 ELF64 only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct ElfDynamicInfo {
        char *interp;   /* PT_INTERP, or NULL (static or shared object) */
        char **needed;  /* DT_NEEDED in order */
        char **rpath;   /* DT_RPATH split at ':' */
        char **runpath; /* DT_RUNPATH split at ':' */
        char *soname;   /* DT_SONAME or NULL */
        bool dynamic;   /* has PT_DYNAMIC */
} ElfDynamicInfo;

/* -EBADMSG unless p is a well-formed little-endian ELF64 x86-64 file (bounds of every header,
 * segment and string checked). */
int elf_parse_dynamic(const uint8_t *p, size_t n, ElfDynamicInfo *ret);
void elf_dynamic_info_done(ElfDynamicInfo *i);

/* /etc/ld.so.cache, "glibc-ld.so.cache1.1" format (glibc elf/cache.c; an old "ld.so-1.7.0"
 * section in front is skipped). Only x86-64 libc6 entries are kept. */
typedef struct LdCache LdCache;
int ldcache_parse(const uint8_t *p, size_t n, LdCache **ret);
/* A missing file gives an empty cache. */
int ldcache_load(const char *path, LdCache **ret);
LdCache *ldcache_free(LdCache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(LdCache *, ldcache_free);
/* The path the cache gives for a soname, or NULL. */
const char *ldcache_lookup(const LdCache *c, const char *soname);
size_t ldcache_size(const LdCache *c);

/* The closure: every file the programs need at run time (the programs themselves, their
 * interpreter, every library, recursively, and the extra sonames in dlopened, which are
 * resolved like DT_NEEDED of the first program). path is the host file the loader finds;
 * dest is where it must be in the image so that the loader finds it there: the program's own
 * dest (dests[i], or its path when dests is NULL), and for a library found through $ORIGIN
 * the same relative location from its needer's dest (a program installed as /init with
 * RUNPATH $ORIGIN/../lib needs /lib/...). Sorted by dest, unique. -ENOENT names the missing
 * file in *ret_missing (if given). */
typedef struct ElfFile {
        char *path;
        char *dest;
} ElfFile;
void elf_files_free(ElfFile *f, size_t n);
int elf_resolve_closure(char *const *programs, char *const *dests, char *const *dlopened,
                        const LdCache *cache, ElfFile **ret, size_t *ret_n, char **ret_missing);

/* Lexical normalization of an absolute path: "//", "." and ".." components resolved without
 * looking at the file system ("/a/b/../c" -> "/a/c", "/.." -> "/"). */
char *path_normalize_lexical(const char *path);
