/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos verity format|verify: the userspace dm-verity tree builder and checker on a plain file,
 * for debugging and for bench/ (the same code `mos image` uses for layers). */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "exit-code.h"
#include "fd-util.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "verb-image.h"
#include "verb-util.h"
#include "verb-verity.h"
#include "verbs.h"
#include "verity.h"

typedef struct VerityArgs {
        bool have_offset;
        uint64_t hash_offset;
        const char *salt;
        unsigned threads;
        char **positional;
        int n_positional;
} VerityArgs;

static int parse_verity_args(int argc, char *argv[], int n_positional, const char *names,
                             VerityArgs *a) {
        enum { ARG_HASH_OFFSET = 0x100, ARG_SALT, ARG_THREADS };
        static const struct option options[] = {
                { "hash-offset", required_argument, NULL, ARG_HASH_OFFSET },
                { "salt", required_argument, NULL, ARG_SALT },
                { "threads", required_argument, NULL, ARG_THREADS },
                {},
        };
        int c, r;

        *a = (VerityArgs){};
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_HASH_OFFSET:
                        if (safe_atou64(optarg, &a->hash_offset) < 0 ||
                            a->hash_offset % VERITY_BLOCK_SIZE != 0 || a->hash_offset == 0)
                                return verb_usage_error(argv[0],
                                                        "invalid --hash-offset '%s', expected a "
                                                        "positive multiple of 4096",
                                                        optarg);
                        a->have_offset = true;
                        break;
                case ARG_SALT:
                        a->salt = optarg;
                        break;
                case ARG_THREADS:
                        r = verb_parse_threads(argv[0], optarg, &a->threads);
                        if (r != 0)
                                return r;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        if (argc - optind != n_positional)
                return verb_usage_error(argv[0],
                                        argc - optind < n_positional
                                                ? "missing %s"
                                                : "too many arguments, expected %s",
                                        names);
        a->positional = argv + optind;
        a->n_positional = n_positional;
        return 0;
}

static void print_params(const VerityParams *p, const uint8_t root[32]) {
        _cleanup_free_ char *r = hexmem(root, 32), *s = hexmem(p->salt, p->salt_size);
        printf("root-hash %s\nsalt %s\ndata-blocks %llu\nhash-offset %llu\n", strempty(r),
               strempty(s), (unsigned long long) p->data_blocks,
               (unsigned long long) p->hash_offset);
}

int verb_verity_format(int argc, char *argv[]) {
        _cleanup_close_ int fd = -1;
        uint8_t root[SHA256_DIGEST_SIZE];
        VerityParams p = {};
        VerityArgs a;
        struct stat st;
        int r;

        r = parse_verity_args(argc, argv, 1, "FILE", &a);
        if (r != 0)
                return r;
        fd = open(a.positional[0], O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", a.positional[0]);
        p.hash_offset = a.have_offset ? a.hash_offset : (uint64_t) st.st_size;
        if (p.hash_offset == 0 || p.hash_offset % VERITY_BLOCK_SIZE != 0)
                return log_error_errno(EINVAL,
                                       "Failed to format '%s': the data is not a multiple of 4096 "
                                       "bytes (use --hash-offset)",
                                       a.positional[0]);
        p.data_blocks = p.hash_offset / VERITY_BLOCK_SIZE;
        if (a.salt) {
                if (strlen(a.salt) > 2 * VERITY_SALT_SIZE_MAX || strlen(a.salt) % 2 != 0 ||
                    unhexmem_fixed(a.salt, p.salt, strlen(a.salt) / 2) < 0)
                        return verb_usage_error(
                                argv[0], "invalid --salt '%s', expected up to 256 bytes in hex",
                                a.salt);
                p.salt_size = strlen(a.salt) / 2;
        } else {
                p.salt_size = 32;
                r = crypto_random_bytes(p.salt, p.salt_size);
                if (r < 0)
                        return log_error_errno(r, "Failed to generate a salt: %m");
        }
        r = crypto_random_bytes(p.uuid, sizeof p.uuid);
        if (r < 0)
                return log_error_errno(r, "Failed to generate a UUID: %m");
        p.uuid[6] = (uint8_t) ((p.uuid[6] & 0x0f) | 0x40);
        p.uuid[8] = (uint8_t) ((p.uuid[8] & 0x3f) | 0x80);
        r = verity_format(fd, &p, &(VerityOptions){ .threads = a.threads }, root);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r < 0) {
                /* Appending: take the partial hash area away again, so a failure leaves the
                 * file as it was (a hash area inside the file was asked to overwrite it). */
                if (p.hash_offset >= (uint64_t) st.st_size && ftruncate(fd, st.st_size) < 0)
                        log_warning_errno(errno, "Failed to truncate '%s' back to %lld bytes: %m",
                                          a.positional[0], (long long) st.st_size);
                /* A write failure (EFBIG from a file size limit, ENOSPC) is not a refusal. */
                log_error_errno(r, "Failed to format '%s': %m", a.positional[0]);
                return MOS_EXIT_FAILURE;
        }
        print_params(&p, root);
        return 0;
}

int verb_verity_verify(int argc, char *argv[]) {
        _cleanup_close_ int fd = -1;
        uint8_t root[SHA256_DIGEST_SIZE], sb[VERITY_BLOCK_SIZE];
        VerityParams p = {};
        VerityFailure f = {};
        VerityArgs a;
        int r;

        r = parse_verity_args(argc, argv, 2, "FILE ROOT-HASH", &a);
        if (r != 0)
                return r;
        if (!a.have_offset)
                return verb_usage_error(argv[0], "missing --hash-offset BYTES");
        if (unhexmem_fixed(a.positional[1], root, sizeof root) < 0)
                return verb_usage_error(argv[0], "invalid root hash '%s', expected 64 hex digits",
                                        a.positional[1]);
        fd = open(a.positional[0], O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", a.positional[0]);
        if (pread(fd, sb, sizeof sb, (off_t) a.hash_offset) != (ssize_t) sizeof sb)
                return log_error_errno(EIO, "Failed to read the verity superblock of '%s' at %llu",
                                       a.positional[0], (unsigned long long) a.hash_offset);
        if (verity_superblock_parse(sb, &p) < 0)
                return log_error_errno(
                        EBADMSG,
                        "Failed to verify '%s': no sha256 verity superblock at offset %llu",
                        a.positional[0], (unsigned long long) a.hash_offset);
        p.hash_offset = a.hash_offset;
        r = verity_verify(fd, &p, root, &(VerityOptions){ .threads = a.threads }, &f);
        if (r == -EUCLEAN)
                return log_error_errno(r,
                                       "Failed to verify '%s': %s block at offset %llu does not "
                                       "match the root hash",
                                       a.positional[0], f.hash_block ? "hash" : "data",
                                       (unsigned long long) f.offset);
        if (r < 0)
                return log_error_errno(r, "Failed to verify '%s': %m", a.positional[0]);
        print_params(&p, root);
        return 0;
}
