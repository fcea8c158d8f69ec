/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* dm-verity hash trees (see verity.h for the format). The geometry follows the kernel's
 * dm-verity target (drivers/md/dm-verity-target.c, verity_ctr: levels, and the position of
 * each level with the highest level first) and cryptsetup's on-disk superblock
 * (lib/verity/verity.c, struct verity_sb). */

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "byte-buffer.h"
#include "fd-util.h"
#include "io-util.h"
#include "log.h"
#include "memory-util.h"
#include "verity.h"

#define CHUNK_BLOCKS 256U /* 1 MiB of input per pread */
#define CHUNK_SIZE ((size_t) CHUNK_BLOCKS * VERITY_BLOCK_SIZE)
#define CHUNK_HASH_SIZE ((size_t) CHUNK_BLOCKS * SHA256_DIGEST_SIZE) /* 2 hash blocks */
#define HASH_BITS 7U                                                 /* log2(128) */
#define THREADS_MAX 64U

typedef struct VerityGeometry {
        unsigned levels;
        uint64_t level_blocks[VERITY_LEVELS_MAX];
        uint64_t level_offset[VERITY_LEVELS_MAX]; /* byte offset in the file */
        uint64_t tree_blocks;
} VerityGeometry;

static uint64_t shift_right(uint64_t x, unsigned bits) {
        return bits >= 64 ? 0 : x >> bits;
}

/* dm-verity-target.c verity_ctr(): the number of levels is the smallest L such that
 * (data_blocks - 1) >> (L * 7) == 0; level i has ceil(data_blocks / 128^(i+1)) blocks. */
static int verity_geometry(uint64_t data_blocks, uint64_t tree_start, VerityGeometry *ret) {
        VerityGeometry g = {};
        uint64_t pos = 0;

        if (data_blocks == 0)
                return -EINVAL;
        while (g.levels * HASH_BITS < 64 && shift_right(data_blocks - 1, g.levels * HASH_BITS) != 0)
                g.levels++;
        if (g.levels > VERITY_LEVELS_MAX)
                return -EINVAL;
        for (unsigned i = g.levels; i-- > 0;) {
                uint64_t s = shift_right(data_blocks - 1, (i + 1) * HASH_BITS) + 1;
                g.level_blocks[i] = s;
                g.level_offset[i] = pos;
                pos += s;
        }
        g.tree_blocks = pos;
        if (pos > (UINT64_MAX - tree_start) / VERITY_BLOCK_SIZE)
                return -EINVAL;
        for (unsigned i = 0; i < g.levels; i++)
                g.level_offset[i] = tree_start + g.level_offset[i] * VERITY_BLOCK_SIZE;
        *ret = g;
        return 0;
}

uint64_t verity_tree_size(uint64_t data_blocks) {
        VerityGeometry g;

        if (verity_geometry(data_blocks, 0, &g) < 0)
                return 0;
        return g.tree_blocks * VERITY_BLOCK_SIZE;
}

uint64_t verity_hash_area_size(uint64_t data_blocks) {
        uint64_t t = verity_tree_size(data_blocks);

        if (data_blocks == 0 || t > UINT64_MAX - VERITY_BLOCK_SIZE)
                return 0;
        return t + VERITY_BLOCK_SIZE;
}

int verity_params_validate(const VerityParams *p) {
        uint64_t area;

        if (p->data_blocks == 0 || p->data_blocks > UINT64_MAX / VERITY_BLOCK_SIZE)
                return -EINVAL;
        if (p->hash_offset % VERITY_BLOCK_SIZE != 0 ||
            p->hash_offset < p->data_blocks * VERITY_BLOCK_SIZE)
                return -EINVAL;
        if (p->salt_size > VERITY_SALT_SIZE_MAX)
                return -EINVAL;
        area = verity_hash_area_size(p->data_blocks);
        if (area == 0 || p->hash_offset > UINT64_MAX - area || p->hash_offset + area > INT64_MAX)
                return -EINVAL;
        return 0;
}

/* cryptsetup lib/verity/verity.c struct verity_sb (packed, little-endian):
 *   0 signature[8] "verity\0\0"   8 version (u32) = 1   12 hash_type (u32) = 1
 *  16 uuid[16]   32 algorithm[32] "sha256"   64 data_block_size (u32)   68 hash_block_size (u32)
 *  72 data_blocks (u64)   80 salt_size (u16)   82 pad[6]   88 salt[256]   344 pad[168] */
void verity_superblock_build(const VerityParams *p, uint8_t ret[static VERITY_BLOCK_SIZE]) {
        memset(ret, 0, VERITY_BLOCK_SIZE);
        memcpy(ret, "verity\0\0", 8);
        le32_write(ret + 8, 1);
        le32_write(ret + 12, 1);
        memcpy(ret + 16, p->uuid, VERITY_UUID_SIZE);
        memcpy(ret + 32, "sha256", 6);
        le32_write(ret + 64, VERITY_BLOCK_SIZE);
        le32_write(ret + 68, VERITY_BLOCK_SIZE);
        le64_write(ret + 72, p->data_blocks);
        le16_write(ret + 80, (uint16_t) p->salt_size);
        memcpy(ret + 88, p->salt, p->salt_size);
}

static uint64_t get_le(const uint8_t *p, unsigned n) {
        uint64_t v = 0;
        for (unsigned i = n; i-- > 0;)
                v = (v << 8) | p[i];
        return v;
}

int verity_superblock_parse(const uint8_t block[static VERITY_BLOCK_SIZE], VerityParams *ret) {
        static const uint8_t algorithm[32] = "sha256";
        uint64_t salt_size = get_le(block + 80, 2);

        if (memcmp(block, "verity\0\0", 8) != 0 || get_le(block + 8, 4) != 1 ||
            get_le(block + 12, 4) != 1 || memcmp(block + 32, algorithm, sizeof algorithm) != 0 ||
            get_le(block + 64, 4) != VERITY_BLOCK_SIZE ||
            get_le(block + 68, 4) != VERITY_BLOCK_SIZE || salt_size > VERITY_SALT_SIZE_MAX ||
            get_le(block + 72, 8) == 0)
                return -EBADMSG;
        ret->data_blocks = get_le(block + 72, 8);
        ret->salt_size = (size_t) salt_size;
        memset(ret->salt, 0, sizeof ret->salt);
        memcpy(ret->salt, block + 88, ret->salt_size);
        memcpy(ret->uuid, block + 16, VERITY_UUID_SIZE);
        return 0;
}

unsigned verity_default_threads(void) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        if (n < 1)
                return 1;
        return (unsigned) MIN((unsigned long) n, (unsigned long) THREADS_MAX);
}

/* One pass over a region of input blocks: hashes each block and either writes the hashes to
 * the next level (format) or compares them with it (verify). */
typedef struct LevelJob {
        int fd;
        const VerityParams *params;
        bool verify;
        uint64_t in_offset;
        uint64_t in_blocks;
        uint64_t out_offset;
        bool in_is_hash; /* the input blocks are hash blocks (for failure reports) */

        uint64_t n_chunks;
        atomic_uint_fast64_t next_chunk;
        atomic_int error;
        atomic_uint_fast64_t first_bad_block; /* input block index, or UINT64_MAX */
        atomic_uint_fast64_t first_bad_out;   /* output block index with bad padding */

        /* progress, shared by all levels */
        atomic_uint_fast64_t *done;
        uint64_t total;
        const VerityOptions *options;
} LevelJob;

static void atomic_min_u64(atomic_uint_fast64_t *a, uint64_t v) {
        uint_fast64_t cur = atomic_load(a);

        while (v < cur && !atomic_compare_exchange_weak(a, &cur, v))
                ;
}

/* SHA-256(salt || block) for n consecutive blocks: crypto_verity_hash_blocks(). */
static int hasher_new(const VerityParams *p, CryptoVerityHasher **ret) {
        return crypto_verity_hasher_new(p->salt, p->salt_size, ret);
}

static int level_worker_run(LevelJob *j, bool report_progress) {
        _cleanup_(crypto_verity_hasher_freep) CryptoVerityHasher *hasher = NULL;
        _cleanup_free_ uint8_t *in = NULL;
        uint8_t out[CHUNK_HASH_SIZE], stored[CHUNK_HASH_SIZE];
        int r;

        r = hasher_new(j->params, &hasher);
        if (r < 0)
                return r;
        in = aligned_alloc(VERITY_BLOCK_SIZE, CHUNK_SIZE);
        if (!in)
                return -ENOMEM;

        for (;;) {
                uint64_t c = atomic_fetch_add(&j->next_chunk, 1);
                uint64_t first = c * CHUNK_BLOCKS;
                size_t nb, out_size;

                if (c >= j->n_chunks || atomic_load(&j->error) != 0)
                        break;
                /* in verify mode, chunks after a known failure cannot change the answer */
                if (j->verify && first > atomic_load(&j->first_bad_block))
                        break;

                nb = (size_t) MIN((uint64_t) CHUNK_BLOCKS, j->in_blocks - first);
                r = pread_full(j->fd, in, nb * VERITY_BLOCK_SIZE,
                               j->in_offset + first * VERITY_BLOCK_SIZE);
                if (r < 0)
                        return r;
                r = crypto_verity_hash_blocks(hasher, in, nb, out);
                if (r < 0)
                        return r;

                out_size = DIV_ROUND_UP(nb * SHA256_DIGEST_SIZE, VERITY_BLOCK_SIZE) *
                           VERITY_BLOCK_SIZE;
                memset(out + nb * SHA256_DIGEST_SIZE, 0, out_size - nb * SHA256_DIGEST_SIZE);

                if (!j->verify) {
                        r = pwrite_full(j->fd, out, out_size, j->out_offset + c * CHUNK_HASH_SIZE);
                        if (r < 0)
                                return r;
                } else {
                        r = pread_full(j->fd, stored, out_size,
                                       j->out_offset + c * CHUNK_HASH_SIZE);
                        if (r < 0)
                                return r;
                        for (size_t i = 0; i < nb; i++)
                                if (memcmp(out + i * SHA256_DIGEST_SIZE,
                                           stored + i * SHA256_DIGEST_SIZE,
                                           SHA256_DIGEST_SIZE) != 0) {
                                        atomic_min_u64(&j->first_bad_block, first + i);
                                        break;
                                }
                        if (!memeqzero(stored + nb * SHA256_DIGEST_SIZE,
                                       out_size - nb * SHA256_DIGEST_SIZE))
                                atomic_min_u64(&j->first_bad_out,
                                               (c * CHUNK_HASH_SIZE + nb * SHA256_DIGEST_SIZE) /
                                                       VERITY_BLOCK_SIZE);
                }

                uint64_t done = atomic_fetch_add(j->done, nb) + nb;
                if (report_progress && j->options->progress)
                        j->options->progress(done, j->total, j->options->userdata);
        }
        return 0;
}

static void *level_worker_thread(void *userdata) {
        LevelJob *j = userdata;
        int r = level_worker_run(j, false);

        if (r < 0) {
                int expected = 0;
                atomic_compare_exchange_strong(&j->error, &expected, r);
        }
        return NULL;
}

static int level_run(LevelJob *j, unsigned threads) {
        pthread_t tids[THREADS_MAX];
        unsigned spawned = 0;
        int r;

        j->n_chunks = DIV_ROUND_UP(j->in_blocks, (uint64_t) CHUNK_BLOCKS);
        atomic_init(&j->next_chunk, 0);
        atomic_init(&j->error, 0);
        atomic_init(&j->first_bad_block, UINT64_MAX);
        atomic_init(&j->first_bad_out, UINT64_MAX);

        threads = (unsigned) MIN((uint64_t) threads, j->n_chunks);
        for (unsigned i = 1; i < threads; i++) {
                if (pthread_create(&tids[spawned], NULL, level_worker_thread, j) != 0)
                        break; /* fewer threads only make it slower */
                spawned++;
        }
        /* the calling thread works too, and is the one that reports progress */
        r = level_worker_run(j, true);
        if (r < 0) {
                int expected = 0;
                atomic_compare_exchange_strong(&j->error, &expected, r);
        }
        for (unsigned i = 0; i < spawned; i++)
                (void) pthread_join(tids[i], NULL);
        return atomic_load(&j->error);
}

static unsigned options_threads(const VerityOptions *o) {
        unsigned t = o && o->threads > 0 ? o->threads : verity_default_threads();
        return MIN(t, THREADS_MAX);
}

static int check_file_size(int fd, const VerityParams *p, bool for_write) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return -EINVAL;
        if (S_ISREG(st.st_mode)) {
                uint64_t need = for_write ? p->data_blocks * VERITY_BLOCK_SIZE
                                          : p->hash_offset + verity_hash_area_size(p->data_blocks);
                if ((uint64_t) st.st_size < need)
                        return -EIO;
        }
        return 0;
}

static int hash_one_block(int fd, const VerityParams *p, uint64_t offset,
                          uint8_t ret[static SHA256_DIGEST_SIZE]) {
        _cleanup_(crypto_verity_hasher_freep) CryptoVerityHasher *hasher = NULL;
        _cleanup_free_ uint8_t *block = NULL;
        int r;

        block = malloc(VERITY_BLOCK_SIZE);
        if (!block)
                return -ENOMEM;
        r = pread_full(fd, block, VERITY_BLOCK_SIZE, offset);
        if (r < 0)
                return r;
        r = hasher_new(p, &hasher);
        if (r < 0)
                return r;
        return crypto_verity_hash_blocks(hasher, block, 1, ret);
}

/* Walks the levels: from the data up (format) or from the root down (verify). */
typedef struct Walk {
        int fd;
        const VerityParams *params;
        const VerityOptions *options;
        VerityGeometry g;
        atomic_uint_fast64_t done;
        uint64_t total;
} Walk;

static int walk_init(Walk *w, int fd, const VerityParams *p, const VerityOptions *o) {
        int r;

        r = verity_params_validate(p);
        if (r < 0)
                return r;
        *w = (Walk){ .fd = fd, .params = p, .options = o };
        r = verity_geometry(p->data_blocks, p->hash_offset + VERITY_BLOCK_SIZE, &w->g);
        if (r < 0)
                return r;
        atomic_init(&w->done, 0);
        w->total = p->data_blocks + w->g.tree_blocks;
        return 0;
}

/* Input of level i (i = 0: the data; else level i-1), output at level i. */
static void walk_job(Walk *w, unsigned level, bool verify, LevelJob *j) {
        static const VerityOptions no_options = {};

        *j = (LevelJob){
                .fd = w->fd,
                .params = w->params,
                .verify = verify,
                .in_offset = level == 0 ? 0 : w->g.level_offset[level - 1],
                .in_blocks = level == 0 ? w->params->data_blocks : w->g.level_blocks[level - 1],
                .in_is_hash = level > 0,
                .out_offset = w->g.level_offset[level],
                .done = &w->done,
                .total = w->total,
                .options = w->options ?: &no_options,
        };
}

/* The geometry, a check that the file is large enough, and the superblock p describes. */
static int walk_prepare(Walk *w, int fd, const VerityParams *p, const VerityOptions *o,
                        bool for_write, uint8_t sb[static VERITY_BLOCK_SIZE]) {
        int r;

        r = walk_init(w, fd, p, o);
        if (r < 0)
                return r;
        r = check_file_size(fd, p, for_write);
        if (r < 0)
                return r;
        verity_superblock_build(p, sb);
        return 0;
}

int verity_format(int fd, const VerityParams *p, const VerityOptions *o,
                  uint8_t ret_root_hash[static SHA256_DIGEST_SIZE]) {
        uint8_t sb[VERITY_BLOCK_SIZE], root[SHA256_DIGEST_SIZE];
        Walk w;
        int r;

        r = walk_prepare(&w, fd, p, o, true, sb);
        if (r < 0)
                return r;
        r = pwrite_full(fd, sb, sizeof sb, p->hash_offset);
        if (r < 0)
                return r;

        for (unsigned i = 0; i < w.g.levels; i++) {
                LevelJob j;
                walk_job(&w, i, false, &j);
                r = level_run(&j, options_threads(o));
                if (r < 0)
                        return r;
        }

        /* the root hash: of the top level's only block, or of the only data block */
        r = hash_one_block(fd, p, w.g.levels > 0 ? w.g.level_offset[w.g.levels - 1] : 0, root);
        if (r < 0)
                return r;
        memcpy(ret_root_hash, root, sizeof root);
        return 0;
}

static int fail(VerityFailure *failure, uint64_t offset, bool hash_block) {
        if (failure)
                *failure = (VerityFailure){ .offset = offset, .hash_block = hash_block };
        return -EUCLEAN;
}

int verity_verify(int fd, const VerityParams *p, const uint8_t root_hash[static SHA256_DIGEST_SIZE],
                  const VerityOptions *o, VerityFailure *failure) {
        uint8_t sb[VERITY_BLOCK_SIZE], stored_sb[VERITY_BLOCK_SIZE], h[SHA256_DIGEST_SIZE];
        uint64_t top;
        Walk w;
        int r;

        r = walk_prepare(&w, fd, p, o, false, sb);
        if (r < 0)
                return r;
        r = pread_full(fd, stored_sb, sizeof stored_sb, p->hash_offset);
        if (r < 0)
                return r;
        if (memcmp(sb, stored_sb, sizeof sb) != 0)
                return fail(failure, p->hash_offset, true);

        top = w.g.levels > 0 ? w.g.level_offset[w.g.levels - 1] : 0;
        r = hash_one_block(fd, p, top, h);
        if (r < 0)
                return r;
        if (memcmp(h, root_hash, sizeof h) != 0)
                return fail(failure, top, w.g.levels > 0);

        /* From the top down: once level i is known good, level i-1 is checked against it, and
         * finally the data against level 0. A failure names the block whose hash does not
         * match a trusted one. */
        for (unsigned i = w.g.levels; i-- > 0;) {
                LevelJob j;
                uint64_t bad, bad_out;

                walk_job(&w, i, true, &j);
                r = level_run(&j, options_threads(o));
                if (r < 0)
                        return r;
                bad = atomic_load(&j.first_bad_block);
                bad_out = atomic_load(&j.first_bad_out);
                if (bad_out != UINT64_MAX)
                        return fail(failure, j.out_offset + bad_out * VERITY_BLOCK_SIZE, true);
                if (bad != UINT64_MAX)
                        return fail(failure, j.in_offset + bad * VERITY_BLOCK_SIZE, j.in_is_hash);
        }
        return 0;
}
