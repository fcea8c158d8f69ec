/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos initramfs build: the appliance's initramfs. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "exit-code.h"
#include "fileio.h"
#include "initramfs.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "strv.h"
#include "verb-initramfs.h"
#include "verb-util.h"
#include "verbs.h"

int verb_initramfs_build(int argc, char *argv[]) {
        enum {
                ARG_INIT = 0x100,
                ARG_PROGRAM,
                ARG_DLOPEN,
                ARG_MODULE,
                ARG_MODULES_DIR,
                ARG_FILE,
                ARG_KEYSET,
                ARG_POLICY,
                ARG_COMPRESS,
                ARG_LEVEL,
                ARG_OUT
        };
        static const struct option options[] = {
                { "init", required_argument, NULL, ARG_INIT },
                { "program", required_argument, NULL, ARG_PROGRAM },
                { "dlopen", required_argument, NULL, ARG_DLOPEN },
                { "module", required_argument, NULL, ARG_MODULE },
                { "modules-dir", required_argument, NULL, ARG_MODULES_DIR },
                { "file", required_argument, NULL, ARG_FILE },
                { "keyset", required_argument, NULL, ARG_KEYSET },
                { "policy", required_argument, NULL, ARG_POLICY },
                { "compress", required_argument, NULL, ARG_COMPRESS },
                { "level", required_argument, NULL, ARG_LEVEL },
                { "out", required_argument, NULL, ARG_OUT },
                {},
        };
        _cleanup_strv_free_ char **programs = NULL, **dlopen_ = NULL, **modules = NULL,
                                 **files = NULL, **policies = NULL;
        InitramfsParams p = { .compression = COMPRESSION_ZSTD };
        _cleanup_free_ uint8_t *out_data = NULL;
        _cleanup_free_ char *missing = NULL;
        const char *out = NULL, *epoch;
        InitramfsStats st;
        unsigned level;
        uint64_t t;
        size_t n;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_INIT:
                        p.init = optarg;
                        break;
                case ARG_PROGRAM:
                        if (optarg[0] != '/')
                                return verb_usage_error(
                                        argv[0], "--program needs an absolute path, got '%s'",
                                        optarg);
                        if (strv_extend(&programs, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_DLOPEN:
                        if (strv_extend(&dlopen_, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_MODULE:
                        if (strv_extend(&modules, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_MODULES_DIR:
                        p.modules_dir = optarg;
                        break;
                case ARG_FILE:
                        if (!strchr(optarg, ':'))
                                return verb_usage_error(
                                        argv[0], "--file expects SOURCE:/DEST, got '%s'", optarg);
                        if (strv_extend(&files, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_KEYSET:
                        p.keyset = optarg;
                        break;
                case ARG_POLICY:
                        if (strv_extend(&policies, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_COMPRESS:
                        if (compression_from_string(optarg, &p.compression) < 0 ||
                            p.compression == COMPRESSION_XZ)
                                return verb_usage_error(
                                        argv[0], "--compress must be zstd, gzip or none, got '%s'",
                                        optarg);
                        break;
                case ARG_LEVEL:
                        if (safe_atou(optarg, &level) < 0 || level < 1 || level > 19)
                                return verb_usage_error(argv[0], "--level must be 1..19, got '%s'",
                                                        optarg);
                        p.level = (int) level;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 0, 0, "");
        if (r != 0)
                return r;
        if (!out)
                return verb_usage_error(argv[0], "--out is required");
        if (!p.init)
                return verb_usage_error(argv[0], "--init is required");
        if (p.compression == COMPRESSION_GZIP && p.level > 9)
                return verb_usage_error(argv[0], "--level for gzip must be 1..9");
        epoch = secure_getenv("SOURCE_DATE_EPOCH");
        if (epoch) {
                if (safe_atou64(epoch, &t) < 0 || t > UINT32_MAX)
                        return log_error_errno(EINVAL, "Invalid $SOURCE_DATE_EPOCH '%s'.", epoch);
                p.mtime = (uint32_t) t;
        }
        p.programs = programs;
        p.dlopen = dlopen_;
        p.modules = modules;
        p.files = files;
        p.policies = policies;

        r = initramfs_build(&p, &out_data, &n, &st, &missing);
        if (r == -ENOKEY)
                return log_error_errno(r,
                                       "Failed to build initramfs: keyset '%s' lacks "
                                       "manifest-ca.crt, sudi-ca.crt or tpm-policy.pub",
                                       p.keyset);
        if (r == -ENOENT && missing)
                return log_error_errno(r,
                                       "Failed to build initramfs: '%s' not found (program, "
                                       "library or kernel module)",
                                       missing);
        if (r < 0 && missing) {
                const char *why = r == -EBADMSG  ? "not an x86-64 ELF file, or a module that "
                                                   "does not decompress"
                                  : r == -EEXIST ? "a second, different file for the same path"
                                  : r == -EINVAL ? "invalid, expected SOURCE:/DEST"
                                                 : strerror(-r);
                return log_error_errno(r, "Failed to build initramfs: '%s': %s", missing, why);
        }
        if (r == -EBADMSG)
                return log_error_errno(r, "Failed to build initramfs: modules.dep is malformed");
        if (r < 0)
                return log_error_errno(r, "Failed to build initramfs: %m");
        r = write_file_atomic(out, out_data, n, 0644, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        printf("%s: %zu entries (%zu libraries, %zu modules), %zu bytes uncompressed, %zu bytes "
               "%s\n",
               out, st.n_entries, st.n_libraries, st.n_modules, st.uncompressed_size,
               st.compressed_size, compression_to_string(p.compression));
        return 0;
}
