/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The initramfs (docs/initramfs.md): a reproducible newc cpio archive with /init, the programs
 * the appliance needs at boot and their shared-library closure (elf-deps.h, plus libraries
 * they dlopen()), plain uncompressed .ko modules from Debian's kernel package with
 * /etc/mos/modules.load (load order), and public trust material under /etc/mos. Compressed
 * with zstd (default) or gzip. */

#include <stddef.h>
#include <stdint.h>

#include "compress.h"

#define INITRAMFS_MODULES_LOAD "etc/mos/modules.load"
#define INITRAMFS_TRUST_DIR "etc/mos/trust"
#define INITRAMFS_POLICY_DIR "etc/mos/policies"

typedef struct InitramfsParams {
        const char *init;        /* installed as /init */
        char **programs;         /* installed at their own path */
        char **dlopen;           /* extra sonames the programs dlopen() */
        char **modules;          /* module names */
        const char *modules_dir; /* NULL: /lib/modules/<newest version> */
        char **files;            /* "SOURCE:DEST" (DEST absolute inside the image) */
        const char *keyset;      /* public trust material from a keyset (manifest-ca.crt,
                                   sudi-ca.crt, tpm-policy.pub), or NULL */
        char **policies;         /* signed policy files */
        Compression compression;
        int level;      /* 0: default */
        uint32_t mtime; /* of every entry */
} InitramfsParams;

typedef struct InitramfsStats {
        size_t n_entries;
        size_t n_libraries;
        size_t n_modules;
        size_t uncompressed_size;
        size_t compressed_size;
} InitramfsStats;

/* -ENOENT: a program, library, module or file is missing; -ENOKEY: the keyset lacks
 * manifest-ca.crt, sudi-ca.crt or tpm-policy.pub; -EBADMSG: a program or library is not an x86-64 ELF
 * file, or a module does not decompress; -EEXIST: two different files for one path; -EINVAL:
 * a bad --file argument or destination. *ret_missing (may be NULL; set on failure when known)
 * names the file, library, module or path the failure is about. */
int initramfs_build(const InitramfsParams *p, uint8_t **ret, size_t *ret_size,
                    InitramfsStats *ret_stats, char **ret_missing);

/* Sonames that libraries load with dlopen() and ldd does not show: when the closure holds the
 * first, the second is added (e.g. tpm2-tss' TCTI loader and the device TCTI). */
typedef struct DlopenRule {
        const char *trigger;
        const char *soname;
} DlopenRule;
extern const DlopenRule initramfs_dlopen_rules[];

/* The newest /lib/modules/<version> (strverscmp), newly allocated. */
int initramfs_default_modules_dir(char **ret);
