/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "fat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "byte-buffer.h"
#include "fd-util.h"
#include "macro.h"
#include "path-util.h"
#include "string-util.h"

#define SECTOR 512u
#define RESERVED_SECTORS 32u
#define NUM_FATS 2u
#define FAT32_MIN_CLUSTERS 65525u
#define FAT32_MAX_CLUSTERS 0x0ffffff5u
#define FAT_EOC 0x0fffffffu
#define DIRENT 32u
#define ATTR_READ_ONLY 0x01
#define ATTR_VOLUME_ID 0x08
#define ATTR_DIRECTORY 0x10
#define ATTR_ARCHIVE 0x20
#define ATTR_LONG_NAME 0x0f
#define LFN_CHARS 13u
#define NAME_MAX_FAT 255u

typedef struct Node {
        char *name;
        bool dir;
        struct Node **children;
        size_t n_children;
        struct Node *parent;
        FatFile *file;
        uint8_t short_name[11];
        bool needs_lfn;
        uint32_t first_cluster;
        uint32_t n_clusters;
        uint64_t size; /* files: bytes; directories: entry bytes */
} Node;

static Node *node_free(Node *n) {
        if (!n)
                return NULL;
        for (size_t i = 0; i < n->n_children; i++)
                node_free(n->children[i]);
        free(n->children);
        free(n->name);
        free(n);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Node *, node_free);

static Node *node_child(Node *dir, const char *name) {
        for (size_t i = 0; i < dir->n_children; i++)
                if (strcasecmp(dir->children[i]->name, name) == 0)
                        return dir->children[i];
        return NULL;
}

static int node_add(Node *dir, const char *name, bool is_dir, Node **ret) {
        Node *n, **c;

        c = reallocarray(dir->children, dir->n_children + 1, sizeof *c);
        if (!c)
                return -ENOMEM;
        dir->children = c;
        n = calloc(1, sizeof *n);
        if (!n)
                return -ENOMEM;
        n->name = strdup(name);
        if (!n->name) {
                free(n);
                return -ENOMEM;
        }
        n->dir = is_dir;
        n->parent = dir;
        dir->children[dir->n_children++] = n;
        *ret = n;
        return 0;
}

static bool fat_name_char_ok(char c) {
        /* Long names: printable ASCII except the characters FAT forbids. */
        return c >= 0x20 && c < 0x7f && !strchr("\"*/:<>?\\|", c);
}

static int tree_add(Node *root, FatFile *f) {
        const char *p = f->path;
        Node *dir = root;

        if (!path_is_safe_relative(f->path))
                return -EINVAL;
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t) (slash - p) : strlen(p);
                _cleanup_free_ char *name = strndup(p, len);
                Node *n;
                int r;

                if (!name)
                        return -ENOMEM;
                if (len == 0 || len > NAME_MAX_FAT)
                        return -EINVAL;
                for (size_t i = 0; i < len; i++)
                        if (!fat_name_char_ok(name[i]))
                                return -EINVAL;
                if (name[len - 1] == '.' || name[len - 1] == ' ')
                        return -EINVAL; /* FAT drops trailing dots and spaces */
                n = node_child(dir, name);
                if (slash) {
                        if (n && !n->dir)
                                return -EEXIST;
                        if (!n) {
                                r = node_add(dir, name, true, &n);
                                if (r < 0)
                                        return r;
                        }
                        dir = n;
                        p = slash + 1;
                        continue;
                }
                if (n)
                        return -EEXIST;
                r = node_add(dir, name, false, &n);
                if (r < 0)
                        return r;
                n->file = f;
                n->size = f->size;
                return 0;
        }
}

static int node_compare(const void *a, const void *b) {
        return strcmp((*(Node *const *) a)->name, (*(Node *const *) b)->name);
}

/* ---- short names (8.3) ---- */

static bool short_char_ok(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!#$%&'()-@^_`{}~", c);
}

/* A name that is already a valid upper-case 8.3 name needs no long name entry. */
static bool name_is_short(const char *name, uint8_t out[11]) {
        const char *dot = strchr(name, '.');
        size_t base = dot ? (size_t) (dot - name) : strlen(name), ext = dot ? strlen(dot + 1) : 0;

        if (base == 0 || base > 8 || ext > 3 || (dot && (ext == 0 || strchr(dot + 1, '.'))))
                return false;
        for (size_t i = 0; i < base; i++)
                if (!short_char_ok(name[i]))
                        return false;
        for (size_t i = 0; i < ext; i++)
                if (!short_char_ok(dot[1 + i]))
                        return false;
        memset(out, ' ', 11);
        memcpy(out, name, base);
        if (ext)
                memcpy(out + 8, dot + 1, ext);
        return true;
}

static char short_mangle(char c) {
        if (c >= 'a' && c <= 'z')
                return (char) (c - 'a' + 'A');
        return short_char_ok(c) ? c : '_';
}

/* "systemd-bootx64.efi" -> "SYSTEM~1EFI" with the first free numeric tail in the directory. */
static int make_short_name(Node *dir, Node *n) {
        const char *dot = strrchr(n->name, '.');
        uint8_t base[8], ext[3];
        size_t nb = 0, ne = 0;

        if (dot == n->name)
                dot = NULL;
        for (const char *c = n->name; *c && c != dot && nb < 8; c++)
                if (*c != '.' && *c != ' ')
                        base[nb++] = (uint8_t) short_mangle(*c);
        for (const char *c = dot ? dot + 1 : ""; *c && ne < 3; c++)
                if (*c != '.' && *c != ' ')
                        ext[ne++] = (uint8_t) short_mangle(*c);
        if (nb == 0)
                base[nb++] = '_';

        for (unsigned tail = 1; tail < 1000000; tail++) {
                char t[16];
                int tl = snprintf(t, sizeof t, "~%u", tail);
                size_t keep = MIN(nb, (size_t) (8 - tl));
                bool clash = false;

                memset(n->short_name, ' ', 11);
                memcpy(n->short_name, base, keep);
                memcpy(n->short_name + keep, t, (size_t) tl);
                memcpy(n->short_name + 8, ext, ne);
                for (size_t i = 0; i < dir->n_children && !clash; i++) {
                        Node *o = dir->children[i];
                        clash = o != n && o->short_name[0] &&
                                memcmp(o->short_name, n->short_name, 11) == 0;
                }
                if (!clash)
                        return 0;
        }
        return -ENOSPC;
}

static uint8_t lfn_checksum(const uint8_t s[11]) {
        uint8_t sum = 0;
        for (int i = 0; i < 11; i++)
                sum = (uint8_t) (((sum & 1) ? 0x80 : 0) + (sum >> 1) + s[i]);
        return sum;
}

static size_t lfn_entries(const Node *n) {
        return n->needs_lfn ? DIV_ROUND_UP(strlen(n->name), LFN_CHARS) : 0;
}

/* Names, directory sizes; recursion bounded by the path length limit of tree_add(). */
static int prepare_dir(Node *dir, bool is_root) {
        size_t entries = is_root ? 1 : 2; /* volume label, or "." and ".." */
        int r;

        if (dir->n_children > 0)
                qsort(dir->children, dir->n_children, sizeof *dir->children, node_compare);
        /* Names that are valid 8.3 first, so generated names avoid them. */
        for (size_t i = 0; i < dir->n_children; i++) {
                Node *c = dir->children[i];
                c->needs_lfn = !name_is_short(c->name, c->short_name);
                if (!c->needs_lfn)
                        for (size_t j = 0; j < i; j++)
                                if (!dir->children[j]->needs_lfn &&
                                    memcmp(dir->children[j]->short_name, c->short_name, 11) == 0)
                                        return -EEXIST;
        }
        for (size_t i = 0; i < dir->n_children; i++) {
                Node *c = dir->children[i];
                if (c->needs_lfn) {
                        r = make_short_name(dir, c);
                        if (r < 0)
                                return r;
                }
                entries += 1 + lfn_entries(c);
                if (c->dir) {
                        r = prepare_dir(c, false);
                        if (r < 0)
                                return r;
                }
        }
        dir->size = (uint64_t) entries * DIRENT;
        return 0;
}

/* ---- geometry ---- */

typedef struct Geometry {
        uint64_t total_sectors;
        uint32_t sec_per_clus;
        uint32_t fat_sectors;
        uint32_t data_start; /* sector */
        uint32_t clusters;
        uint32_t cluster_size;
} Geometry;

static uint32_t cluster_sectors_for(uint64_t size) {
        /* Microsoft's FAT32 defaults by volume size. */
        if (size <= UINT64_C(260) << 20)
                return 1;
        if (size <= UINT64_C(8) << 30)
                return 8;
        if (size <= UINT64_C(16) << 30)
                return 16;
        if (size <= UINT64_C(32) << 30)
                return 32;
        return 64;
}

static int geometry(uint64_t size, Geometry *g) {
        uint64_t tmp1, tmp2, fatsz, clusters;

        g->total_sectors = size / SECTOR;
        if (g->total_sectors > UINT32_MAX)
                return -ERANGE;
        g->sec_per_clus = cluster_sectors_for(size);
        g->cluster_size = g->sec_per_clus * SECTOR;
        /* FAT size, from the specification's formula for FAT32. */
        tmp1 = g->total_sectors - RESERVED_SECTORS;
        tmp2 = ((uint64_t) 256 * g->sec_per_clus + NUM_FATS) / 2;
        fatsz = (tmp1 + tmp2 - 1) / tmp2;
        g->fat_sectors = (uint32_t) fatsz;
        g->data_start = RESERVED_SECTORS + NUM_FATS * g->fat_sectors;
        if (g->data_start >= g->total_sectors)
                return -ERANGE;
        clusters = (g->total_sectors - g->data_start) / g->sec_per_clus;
        if (clusters < FAT32_MIN_CLUSTERS || clusters > FAT32_MAX_CLUSTERS)
                return -ERANGE;
        g->clusters = (uint32_t) clusters;
        return 0;
}

/* ---- allocation: directories breadth-first from cluster 2, then the files ---- */

typedef struct NodeList {
        Node **nodes;
        size_t n;
} NodeList;

static int list_push(NodeList *l, Node *n) {
        Node **x = reallocarray(l->nodes, l->n + 1, sizeof *x);
        if (!x)
                return -ENOMEM;
        l->nodes = x;
        l->nodes[l->n++] = n;
        return 0;
}

static int place(Node *n, uint32_t *next, const Geometry *g) {
        uint64_t need = DIV_ROUND_UP(n->size, g->cluster_size);

        if (n->dir && need == 0)
                need = 1;
        if (need == 0)
                return 0; /* empty file: cluster 0 */
        if (need > (uint64_t) g->clusters + 2 - *next)
                return -ENOSPC;
        n->first_cluster = *next;
        n->n_clusters = (uint32_t) need;
        *next += (uint32_t) need;
        return 0;
}

static int allocate(Node *root, const Geometry *g, NodeList *dirs, uint32_t *ret_next) {
        uint32_t next = 2;
        int r;

        r = list_push(dirs, root);
        for (size_t i = 0; r >= 0 && i < dirs->n; i++) {
                Node *d = dirs->nodes[i];
                r = place(d, &next, g);
                for (size_t j = 0; r >= 0 && j < d->n_children; j++)
                        if (d->children[j]->dir)
                                r = list_push(dirs, d->children[j]);
        }
        for (size_t i = 0; r >= 0 && i < dirs->n; i++)
                for (size_t j = 0; r >= 0 && j < dirs->nodes[i]->n_children; j++)
                        if (!dirs->nodes[i]->children[j]->dir)
                                r = place(dirs->nodes[i]->children[j], &next, g);
        if (r < 0)
                return r;
        *ret_next = next;
        return 0;
}

/* ---- writing ---- */

static void fat_datetime(uint64_t t, uint16_t *ret_date, uint16_t *ret_time) {
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || tm.tm_year < 80 || tm.tm_year > 207) {
                *ret_date = (1 << 5) | 1; /* 1980-01-01 */
                *ret_time = 0;
                return;
        }
        *ret_date = (uint16_t) ((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
        *ret_time = (uint16_t) (tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
}

static void dirent_short(uint8_t *e, const uint8_t name[11], uint8_t attr, uint32_t cluster,
                         uint32_t size, uint16_t date, uint16_t time) {
        memset(e, 0, DIRENT);
        memcpy(e, name, 11);
        e[11] = attr;
        le16_write(e + 14, time); /* creation */
        le16_write(e + 16, date);
        le16_write(e + 18, date); /* last access */
        le16_write(e + 20, (uint16_t) (cluster >> 16));
        le16_write(e + 22, time); /* last write */
        le16_write(e + 24, date);
        le16_write(e + 26, (uint16_t) cluster);
        le32_write(e + 28, size);
}

static void dirent_lfn(ByteBuffer *b, const Node *n) {
        size_t len = strlen(n->name), k = lfn_entries(n);
        uint8_t sum = lfn_checksum(n->short_name);
        /* Character positions of the 13 UTF-16 characters in a long name entry. */
        static const uint8_t pos[LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

        for (size_t i = k; i >= 1; i--) {
                uint8_t *e = byte_buffer_append_zero(b, DIRENT);
                if (!e)
                        return;
                e[0] = (uint8_t) (i | (i == k ? 0x40 : 0));
                e[11] = ATTR_LONG_NAME;
                e[13] = sum;
                for (size_t c = 0; c < LFN_CHARS; c++) {
                        size_t at = (i - 1) * LFN_CHARS + c;
                        uint16_t ch = at < len ? (uint8_t) n->name[at] : at == len ? 0 : 0xffff;
                        le16_write(e + pos[c], ch);
                }
        }
}

static int write_dir(int fd, uint64_t base, const Geometry *g, const Node *d, const char *label,
                     uint16_t date, uint16_t time) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        uint8_t *e;
        int r;

        if (!d->parent) {
                uint8_t vol[11];
                memset(vol, ' ', 11);
                memcpy(vol, label, strlen(label));
                e = byte_buffer_append_zero(&b, DIRENT);
                if (e)
                        dirent_short(e, vol, ATTR_VOLUME_ID, 0, 0, date, time);
        } else {
                static const uint8_t dot[11] = ".          ", dotdot[11] = "..         ";
                uint32_t parent = d->parent->parent ? d->parent->first_cluster : 0;
                e = byte_buffer_append_zero(&b, DIRENT);
                if (e)
                        dirent_short(e, dot, ATTR_DIRECTORY, d->first_cluster, 0, date, time);
                e = byte_buffer_append_zero(&b, DIRENT);
                if (e)
                        dirent_short(e, dotdot, ATTR_DIRECTORY, parent, 0, date, time);
        }
        for (size_t i = 0; i < d->n_children; i++) {
                const Node *c = d->children[i];
                if (c->needs_lfn)
                        dirent_lfn(&b, c);
                e = byte_buffer_append_zero(&b, DIRENT);
                if (e)
                        dirent_short(e, c->short_name, c->dir ? ATTR_DIRECTORY : ATTR_ARCHIVE,
                                     c->first_cluster, c->dir ? 0 : (uint32_t) c->size, date, time);
        }
        r = byte_buffer_error(&b);
        if (r >= 0)
                r = pwrite_full(fd, b.data, b.size,
                                base + ((uint64_t) g->data_start +
                                        (uint64_t) (d->first_cluster - 2) * g->sec_per_clus) *
                                                SECTOR);
        byte_buffer_done(&b);
        return r;
}

static int write_file_data(int fd, uint64_t base, const Geometry *g, const Node *n) {
        uint64_t off = base + ((uint64_t) g->data_start +
                               (uint64_t) (n->first_cluster - 2) * g->sec_per_clus) *
                                      SECTOR;
        _cleanup_close_ int in = -1;
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t left = n->size;

        if (n->size == 0)
                return 0;
        if (n->file->data)
                return pwrite_full(fd, n->file->data, (size_t) n->size, off);
        in = open(n->file->source, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        buf = malloc(1 << 20);
        if (!buf)
                return -ENOMEM;
        while (left > 0) {
                ssize_t k = read(in, buf, (size_t) MIN(left, (uint64_t) 1 << 20));
                int r;
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO; /* the file shrank */
                r = pwrite_full(fd, buf, (size_t) k, off);
                if (r < 0)
                        return r;
                off += (uint64_t) k;
                left -= (uint64_t) k;
        }
        return 0;
}

static int fill_sizes(FatFile *files, size_t n) {
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (files[i].data || !files[i].source)
                        continue;
                if (stat(files[i].source, &st) < 0)
                        return -errno;
                if (!S_ISREG(st.st_mode))
                        return -EINVAL;
                files[i].size = (uint64_t) st.st_size;
        }
        return 0;
}

uint64_t fat32_size_estimate(const FatFile *files, size_t n_files) {
        /* Reserved area, two FATs for up to 4 GiB with 4 KiB clusters (4 MiB each), each file
         * and each directory rounded up to a cluster. */
        uint64_t total = RESERVED_SECTORS * SECTOR + 2 * (UINT64_C(4) << 20);
        for (size_t i = 0; i < n_files; i++)
                total += (files[i].size + 4095) / 4096 * 4096 + 2 * 4096;
        return total;
}

int fat32_write(int fd, uint64_t offset, uint64_t size, const char *label, uint32_t volume_id,
                uint64_t unix_time, FatFile *files, size_t n_files) {
        _cleanup_(node_freep) Node *root = NULL;
        _cleanup_free_ uint32_t *fat = NULL;
        NodeList dirs = { 0 };
        uint8_t boot[SECTOR], info[SECTOR];
        uint16_t date, time;
        uint32_t next;
        Geometry g;
        int r;

        if (!label || strlen(label) > 11 || !string_is_printable_ascii(label, strlen(label)))
                return -EINVAL;
        r = geometry(size, &g);
        if (r < 0)
                return r;
        r = fill_sizes(files, n_files);
        if (r < 0)
                return r;
        root = calloc(1, sizeof *root);
        if (!root)
                return -ENOMEM;
        root->dir = true;
        root->name = strdup("");
        if (!root->name)
                return -ENOMEM;
        for (size_t i = 0; i < n_files; i++) {
                if (files[i].size >= FAT_FILE_MAX)
                        return -EFBIG;
                r = tree_add(root, &files[i]);
                if (r < 0)
                        return r;
        }
        r = prepare_dir(root, true);
        if (r < 0)
                return r;
        r = allocate(root, &g, &dirs, &next);
        if (r < 0)
                goto finish;

        /* The FAT: contiguous chains. Entries 0 and 1: media descriptor and end-of-chain with
         * the "clean shutdown" and "no error" bits set. */
        fat = calloc(next, sizeof *fat);
        if (!fat) {
                r = -ENOMEM;
                goto finish;
        }
        fat[0] = 0x0ffffff8;
        fat[1] = 0x0fffffff;
        for (size_t i = 0; i < dirs.n; i++) {
                Node *d = dirs.nodes[i];
                for (size_t j = 0; j <= d->n_children; j++) {
                        Node *x = j == 0 ? d : d->children[j - 1];
                        if (j > 0 && x->dir)
                                continue; /* chained as a directory of its own */
                        for (uint32_t c = 0; c < x->n_clusters; c++)
                                fat[x->first_cluster + c] =
                                        c + 1 < x->n_clusters ? x->first_cluster + c + 1 : FAT_EOC;
                }
        }
        {
                ByteBuffer fb = BYTE_BUFFER_INIT;
                for (uint32_t c = 0; c < next; c++)
                        byte_buffer_append_le32(&fb, fat[c]);
                r = byte_buffer_error(&fb);
                for (unsigned k = 0; r >= 0 && k < NUM_FATS; k++)
                        r = pwrite_full(fd, fb.data, fb.size,
                                        offset + ((uint64_t) RESERVED_SECTORS +
                                                  (uint64_t) k * g.fat_sectors) *
                                                         SECTOR);
                byte_buffer_done(&fb);
                if (r < 0)
                        goto finish;
        }

        /* Boot sector with the FAT32 BPB. */
        memset(boot, 0, sizeof boot);
        memcpy(boot,
               "\xeb\x58\x90"
               "MOS 1.0 ",
               11);
        le16_write(boot + 11, SECTOR);
        boot[13] = (uint8_t) g.sec_per_clus;
        le16_write(boot + 14, RESERVED_SECTORS);
        boot[16] = NUM_FATS;
        boot[21] = 0xf8;           /* fixed media */
        le16_write(boot + 24, 63); /* sectors per track, heads: for BIOS geometry only */
        le16_write(boot + 26, 255);
        le32_write(boot + 28, (uint32_t) MIN(offset / SECTOR, (uint64_t) UINT32_MAX)); /* hidden */
        le32_write(boot + 32, (uint32_t) g.total_sectors);
        le32_write(boot + 36, g.fat_sectors);
        le32_write(boot + 44, 2); /* root cluster */
        le16_write(boot + 48, 1); /* FSInfo sector */
        le16_write(boot + 50, 6); /* backup boot sector */
        boot[64] = 0x80;
        boot[66] = 0x29;
        le32_write(boot + 67, volume_id);
        memset(boot + 71, ' ', 11);
        memcpy(boot + 71, label, strlen(label));
        memcpy(boot + 82, "FAT32   ", 8);
        boot[510] = 0x55;
        boot[511] = 0xaa;

        memset(info, 0, sizeof info);
        le32_write(info, 0x41615252);
        le32_write(info + 484, 0x61417272);
        le32_write(info + 488, g.clusters + 2 - next); /* free clusters */
        le32_write(info + 492, next);                  /* next free */
        le32_write(info + 508, 0xaa550000);

        r = pwrite_full(fd, boot, SECTOR, offset);
        if (r >= 0)
                r = pwrite_full(fd, info, SECTOR, offset + SECTOR);
        if (r >= 0)
                r = pwrite_full(fd, boot, SECTOR, offset + 6 * SECTOR);
        if (r >= 0)
                r = pwrite_full(fd, info, SECTOR, offset + 7 * SECTOR);
        if (r < 0)
                goto finish;

        fat_datetime(unix_time, &date, &time);
        for (size_t i = 0; i < dirs.n; i++) {
                Node *d = dirs.nodes[i];
                r = write_dir(fd, offset, &g, d, label, date, time);
                for (size_t j = 0; r >= 0 && j < d->n_children; j++)
                        if (!d->children[j]->dir)
                                r = write_file_data(fd, offset, &g, d->children[j]);
                if (r < 0)
                        goto finish;
        }
        r = 0;
finish:
        free(dirs.nodes);
        return r;
}

/* ---- reading back ---- */

typedef struct Volume {
        int fd;
        uint64_t offset;
        uint32_t sec_per_clus, reserved, fat_sectors, data_start, clusters, root;
        uint32_t cluster_size;
} Volume;

/* A volume that ends before a structure it points to is malformed. */
static int read_volume(int fd, void *p, size_t n, uint64_t off) {
        ssize_t k = pread_loop(fd, p, n, off);
        if (k < 0)
                return (int) k;
        return (size_t) k == n ? 0 : -EBADMSG;
}

static int next_cluster(const Volume *v, uint32_t c, uint32_t *ret) {
        uint8_t e[4];
        int r = read_volume(v->fd, e, 4,
                            v->offset + (uint64_t) v->reserved * SECTOR + (uint64_t) c * 4);
        if (r < 0)
                return r;
        *ret = le32_read(e) & 0x0fffffff;
        return 0;
}

/* Reads a whole cluster chain (at most max bytes). */
static int read_chain(const Volume *v, uint32_t first, uint64_t max, ByteBuffer *b) {
        uint32_t c = first;
        uint64_t steps = 0;

        while (c >= 2 && c < v->clusters + 2 && b->size < max) {
                uint8_t *p = byte_buffer_reserve(b, v->cluster_size);
                int r;
                if (!p)
                        return byte_buffer_error(b);
                r = read_volume(v->fd, p, v->cluster_size,
                                v->offset + ((uint64_t) v->data_start +
                                             (uint64_t) (c - 2) * v->sec_per_clus) *
                                                    SECTOR);
                if (r < 0)
                        return r;
                b->size += v->cluster_size;
                r = next_cluster(v, c, &c);
                if (r < 0)
                        return r;
                if (++steps > v->clusters)
                        return -EBADMSG; /* a loop in the chain */
        }
        if (c < 0x0ffffff8 && b->size < max)
                return -EBADMSG;
        return 0;
}

/* Finds name in the directory entries of buf; long names compared case-insensitively. */
static int dir_lookup(const uint8_t *d, size_t n, const char *name, uint32_t *ret_cluster,
                      uint32_t *ret_size, bool *ret_dir) {
        static const uint8_t pos[LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
        char lfn[NAME_MAX_FAT + 1];
        bool have_lfn = false;

        for (size_t off = 0; off + DIRENT <= n; off += DIRENT) {
                const uint8_t *e = d + off;
                char shortname[13];
                size_t k = 0;

                if (e[0] == 0)
                        break;
                if (e[0] == 0xe5) {
                        have_lfn = false;
                        continue;
                }
                if (e[11] == ATTR_LONG_NAME) {
                        unsigned ord = e[0] & 0x1f;
                        if (ord == 0 || ord * LFN_CHARS > NAME_MAX_FAT)
                                return -EBADMSG;
                        if (e[0] & 0x40) {
                                memset(lfn, 0, sizeof lfn);
                                have_lfn = true;
                        }
                        for (size_t c = 0; c < LFN_CHARS; c++) {
                                uint16_t ch = le16_read(e + pos[c]);
                                size_t at = (ord - 1) * LFN_CHARS + c;
                                if (ch == 0 || ch == 0xffff)
                                        break;
                                lfn[at] = ch < 0x80 ? (char) ch : '?';
                        }
                        continue;
                }
                if (e[11] & ATTR_VOLUME_ID) {
                        have_lfn = false;
                        continue;
                }
                for (int i = 0; i < 8 && e[i] != ' '; i++)
                        shortname[k++] = (char) e[i];
                if (e[8] != ' ') {
                        shortname[k++] = '.';
                        for (int i = 8; i < 11 && e[i] != ' '; i++)
                                shortname[k++] = (char) e[i];
                }
                shortname[k] = 0;
                if ((have_lfn && strcasecmp(lfn, name) == 0) || strcasecmp(shortname, name) == 0) {
                        *ret_cluster = (uint32_t) le16_read(e + 20) << 16 | le16_read(e + 26);
                        *ret_size = le32_read(e + 28);
                        *ret_dir = e[11] & ATTR_DIRECTORY;
                        return 0;
                }
                have_lfn = false;
        }
        return -ENOENT;
}

int fat32_read_file(int fd, uint64_t offset, const char *path, uint8_t **ret, size_t *ret_size) {
        uint8_t bs[SECTOR];
        Volume v = { .fd = fd, .offset = offset };
        uint32_t cluster, size = 0;
        uint64_t data_start;
        off_t end;
        const char *p = path;
        bool is_dir = true;
        int r;

        r = read_volume(fd, bs, SECTOR, offset);
        if (r < 0)
                return r;
        if (bs[510] != 0x55 || bs[511] != 0xaa || le16_read(bs + 11) != SECTOR || bs[13] == 0 ||
            le16_read(bs + 14) == 0 || bs[16] == 0 || le32_read(bs + 36) == 0)
                return -EBADMSG;
        v.sec_per_clus = bs[13];
        v.cluster_size = v.sec_per_clus * SECTOR;
        v.reserved = le16_read(bs + 14);
        v.fat_sectors = le32_read(bs + 36);
        data_start = v.reserved + (uint64_t) bs[16] * v.fat_sectors;
        if (le32_read(bs + 32) <= data_start)
                return -EBADMSG;
        v.data_start = (uint32_t) data_start;
        v.clusters = (le32_read(bs + 32) - v.data_start) / v.sec_per_clus;
        /* The header's numbers are input: no more clusters than FAT32 has (0x0ffffff5, so an
         * end-of-chain mark is never a cluster) and than the image really holds, so that a
         * looping chain is caught before it makes a file of more than the image's size. */
        end = lseek(fd, 0, SEEK_END);
        if (end < 0)
                return -errno;
        if ((uint64_t) end < offset + data_start * SECTOR)
                return -EBADMSG;
        v.clusters = MIN(v.clusters, FAT32_MAX_CLUSTERS);
        v.clusters =
                (uint32_t) MIN((uint64_t) v.clusters,
                               ((uint64_t) end - offset - data_start * SECTOR) / v.cluster_size);
        v.root = le32_read(bs + 44);
        cluster = v.root;

        while (*p) {
                ByteBuffer d = BYTE_BUFFER_INIT;
                size_t len = strcspn(p, "/");
                _cleanup_free_ char *name = strndup(p, len);

                if (!name)
                        return -ENOMEM;
                if (!is_dir)
                        return -ENOENT;
                r = read_chain(&v, cluster, UINT64_C(64) << 20, &d);
                if (r >= 0)
                        r = dir_lookup(d.data, d.size, name, &cluster, &size, &is_dir);
                byte_buffer_done(&d);
                if (r < 0)
                        return r;
                p += len;
                if (*p == '/')
                        p++;
        }
        if (is_dir)
                return -EISDIR;
        {
                ByteBuffer f = BYTE_BUFFER_INIT;
                r = size > 0 ? read_chain(&v, cluster, size, &f) : 0;
                if (r < 0) {
                        byte_buffer_done(&f);
                        return r;
                }
                if (f.size < size) {
                        byte_buffer_done(&f);
                        return -EBADMSG;
                }
                f.size = size;
                return byte_buffer_steal(&f, ret, ret_size);
        }
}
