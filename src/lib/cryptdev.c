/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cryptdev.h"
#include "fd-util.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "memory-util.h"
#include "path-util.h"
#include "string-util.h"

#define LUKS2_TOKENS_MAX 32 /* LUKS2 on-disk format: token ids 0..31 */

static void crypt_freep(struct crypt_device **cd) {
        if (*cd)
                crypt_free(*cd);
        *cd = NULL;
}
#define _cleanup_crypt_ _cleanup_(crypt_freep)

static void cs_log(int level, const char *msg, void *userdata) {
        (void) level;
        (void) userdata;
        /* Libraries log at debug level only. */
        log_debug("libcryptsetup: %s", strip_trailing_newlines((char *) msg));
}

static int cs_init(const char *device, struct crypt_device **ret) {
        struct crypt_device *cd = NULL;
        int r;

        crypt_set_log_callback(NULL, cs_log, NULL);
        r = crypt_init(&cd, device);
        if (r < 0)
                return r;
        crypt_set_log_callback(cd, cs_log, NULL);
        *ret = cd;
        return 0;
}

/* A handle on device with its LUKS2 header loaded; -ENODEV when there is none. */
static int cs_load_luks2(const char *device, struct crypt_device **ret) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        int r;

        r = cs_init(device, &cd);
        if (r < 0)
                return r;
        r = crypt_load(cd, CRYPT_LUKS2, NULL);
        if (r < 0)
                return r == -EINVAL ? -ENODEV : r;
        *ret = TAKE_PTR(cd);
        return 0;
}

int cryptdev_luks_probe(const char *device) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        int r;

        r = cs_init(device, &cd);
        if (r < 0)
                return r;
        r = crypt_load(cd, CRYPT_LUKS2, NULL);
        if (r >= 0)
                return 1;
        if (r != -EINVAL)
                return r;
        /* -EINVAL: no LUKS2 header, or a LUKS1/broken one. */
        crypt_free(TAKE_PTR(cd));
        r = cs_init(device, &cd);
        if (r < 0)
                return r;
        if (crypt_load(cd, CRYPT_LUKS1, NULL) >= 0)
                return -EBADMSG;
        return 0;
}

int cryptdev_luks_format(const char *device, const char *label, const void *key, size_t key_size,
                         const void *sealed, size_t sealed_size) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        _cleanup_json_ json_t *token = NULL;
        _cleanup_free_ char *hex = NULL, *text = NULL;
        struct crypt_pbkdf_type pbkdf = {
                .type = CRYPT_KDF_PBKDF2,
                .hash = "sha256",
                .iterations = CRYPTDEV_PBKDF2_ITERATIONS,
                .flags = CRYPT_PBKDF_NO_BENCHMARK,
        };
        struct crypt_params_luks2 params = {
                .sector_size = 4096,
                .label = label,
                .subsystem = CRYPTDEV_SUBSYSTEM_NEW,
        };
        size_t text_size;
        int r, slot;

        if (sealed_size == 0 || sealed_size > CRYPTDEV_SEALED_MAX)
                return -EINVAL;
        hex = hexmem(sealed, sealed_size);
        if (!hex)
                return -ENOMEM;
        r = cs_init(device, &cd);
        if (r < 0)
                return r;
        r = crypt_set_pbkdf_type(cd, &pbkdf);
        if (r < 0)
                return r;
        /* NULL volume key: libcryptsetup generates a random 512-bit one (two AES-256 keys for
         * XTS). */
        r = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, 64, &params);
        if (r < 0)
                return r;
        slot = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0, key, key_size);
        if (slot < 0)
                return slot;

        /* LUKS2 token object (cryptsetup docs/LUKS2-format): "type" and "keyslots" are
         * mandatory; the rest is ours. The blob is not secret: only this TPM can load it, and
         * only under the vendor's signed PCR 7 policy. */
        token = json_pack("{s:s, s:[s], s:i, s:s}", "type", CRYPTDEV_TOKEN_TYPE, "keyslots",
                          slot == 0 ? "0" : "1", "version", 1, "sealed", hex);
        if (!token)
                return -ENOMEM;
        if (slot > 1)
                return -EINVAL; /* a fresh header: slot 0 */
        r = json_dump_canonical(token, &text, &text_size);
        if (r < 0)
                return r;
        r = crypt_token_json_set(cd, CRYPT_ANY_TOKEN, text);
        if (r < 0)
                return r;
        return 0;
}

int cryptdev_luks_read_token(const char *device, uint8_t **ret, size_t *ret_size) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        int r;

        r = cs_load_luks2(device, &cd);
        if (r < 0)
                return r;

        for (int id = 0; id < LUKS2_TOKENS_MAX; id++) {
                _cleanup_json_ json_t *j = NULL;
                const char *text, *type;
                json_t *sealed;
                void *blob;
                size_t n;

                if (crypt_token_json_get(cd, id, &text) < 0)
                        continue;
                r = json_parse_strict(text, strlen(text), CRYPTDEV_SEALED_MAX * 3, &j, NULL);
                if (r < 0)
                        return -EBADMSG;
                type = json_string_value(json_object_get(j, "type"));
                if (!streq_ptr(type, CRYPTDEV_TOKEN_TYPE))
                        continue;
                sealed = json_object_get(j, "sealed");
                if (!json_is_string(sealed) ||
                    unhexmem(json_string_value(sealed), json_string_length(sealed), &blob, &n) < 0)
                        return -EBADMSG;
                if (n == 0 || n > CRYPTDEV_SEALED_MAX) {
                        free(blob);
                        return -EBADMSG;
                }
                *ret = blob;
                *ret_size = n;
                return 0;
        }
        return -ENOKEY;
}

int cryptdev_find_dm_node(const char *sysfs_block, const char *name, char **ret) {
        _cleanup_closedir_ DIR *d = opendir(sysfs_block ?: "/sys/block");
        struct dirent *de;

        if (!d)
                return -errno;
        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *p = NULL, *text = NULL;
                size_t n;

                if (!startswith(de->d_name, "dm-"))
                        continue;
                p = path_join(de->d_name, "dm/name");
                if (!p)
                        return -ENOMEM;
                if (read_full_file_at(dirfd(d), p, 4096, &text, &n) < 0) /* sysfs: st_size 4096 */
                        continue;
                if (streq(strip_trailing_newlines(text), name)) {
                        *ret = path_join("/dev", de->d_name);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        return errno != 0 ? -errno : -ENOENT;
}

int cryptdev_luks_open(const char *device, const char *name, const void *key, size_t key_size,
                       char **ret_node, bool *ret_ready) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        bool ready;
        int r;

        r = cs_load_luks2(device, &cd);
        if (r < 0)
                return r;
        ready = streq_ptr(crypt_get_subsystem(cd), CRYPTDEV_SUBSYSTEM);
        /* The passphrase goes to libcryptsetup, which keeps the volume key in locked memory
         * and wipes it; our copy is the caller's (a SecretBuffer). */
        r = crypt_activate_by_passphrase(cd, name, CRYPT_ANY_SLOT, key, key_size, 0);
        if (r == -EPERM) /* "No key available with this passphrase" */
                return -EKEYREJECTED;
        if (r < 0)
                return r;
        if (ret_node) {
                r = cryptdev_find_dm_node(NULL, name, ret_node);
                if (r < 0) {
                        (void) crypt_deactivate(NULL, name);
                        return r;
                }
        }
        if (ret_ready)
                *ret_ready = ready;
        return 0;
}

int cryptdev_luks_set_ready(const char *device) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        _cleanup_free_ char *label = NULL;
        int r;

        r = cs_load_luks2(device, &cd);
        if (r < 0)
                return r;
        /* crypt_set_label() copies into the buffer crypt_get_label() points to: pass a copy. */
        label = strdup(strempty(crypt_get_label(cd)));
        if (!label)
                return -ENOMEM;
        return crypt_set_label(cd, label, CRYPTDEV_SUBSYSTEM);
}

/* Reads the verity device; -EUCLEAN with the offset of the first block dm-verity rejects. */
static int verity_read(const char *node, uint64_t size, CryptdevCheck check, uint64_t *ret_offset) {
        _cleanup_close_ int fd = open(node, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ uint8_t *buf = NULL;
        const size_t chunk = 1024 * 1024;
        uint64_t off = 0, end = check == CRYPTDEV_CHECK_ALL ? size : MIN(size, (uint64_t) 4096);

        if (fd < 0)
                return -errno;
        buf = malloc(chunk);
        if (!buf)
                return -ENOMEM;
        while (off < end) {
                size_t want = (size_t) MIN((uint64_t) chunk, end - off);
                ssize_t n = pread(fd, buf, want, (off_t) off);

                if (n < 0 && errno == EIO) {
                        /* Find the failing 4 KiB block inside this chunk for the message. */
                        for (uint64_t b = off; b < off + want; b += 4096)
                                if (pread(fd, buf, 4096, (off_t) b) < 0) {
                                        if (ret_offset)
                                                *ret_offset = b;
                                        break;
                                }
                        return -EUCLEAN;
                }
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EIO; /* shorter than the manifest says */
                off += (uint64_t) n;
        }
        return 0;
}

int cryptdev_verity_open(const char *device, const char *name, const ManifestVerity *v,
                         CryptdevCheck check, char **ret_node, uint64_t *ret_offset) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        _cleanup_free_ char *node = NULL;
        struct crypt_params_verity params = {
                .hash_name = "sha256",
                .data_device = device,
                .salt = (const char *) v->salt,
                .salt_size = (uint32_t) v->salt_size,
                .hash_type = 1,
                .data_block_size = MANIFEST_VERITY_BLOCK_SIZE,
                .hash_block_size = MANIFEST_VERITY_BLOCK_SIZE,
                .data_size = v->data_blocks,
                /* Skip the veritysetup superblock block (image-format.md): the tree starts
                 * one block after hash_offset, and its parameters come from the manifest. */
                .hash_area_offset = v->hash_offset + MANIFEST_VERITY_BLOCK_SIZE,
                .flags = CRYPT_VERITY_NO_HEADER,
        };
        int r;

        if (v->data_blocks == 0 || v->hash_offset % MANIFEST_VERITY_BLOCK_SIZE != 0 ||
            v->hash_offset / MANIFEST_VERITY_BLOCK_SIZE < v->data_blocks)
                return -EINVAL;
        r = cs_init(device, &cd);
        if (r < 0)
                return r;
        /* Without CRYPT_VERITY_CREATE_HASH and with NO_HEADER, crypt_format() writes nothing:
         * it only records the parameters. */
        r = crypt_format(cd, CRYPT_VERITY, NULL, NULL, NULL, NULL, 0, &params);
        if (r < 0)
                return r;
        r = crypt_activate_by_volume_key(cd, name, (const char *) v->root_hash, sizeof v->root_hash,
                                         CRYPT_ACTIVATE_READONLY);
        if (r < 0)
                return r;
        r = cryptdev_find_dm_node(NULL, name, &node);
        if (r >= 0)
                r = verity_read(node, v->data_blocks * MANIFEST_VERITY_BLOCK_SIZE, check,
                                ret_offset);
        if (r < 0) {
                (void) crypt_deactivate(cd, name);
                return r;
        }
        if (ret_node)
                *ret_node = TAKE_PTR(node);
        return 0;
}

void cryptdev_set_debug(bool on) {
        crypt_set_debug_level(on ? CRYPT_DEBUG_ALL : CRYPT_DEBUG_NONE);
}

int cryptdev_close(const char *name) {
        return crypt_deactivate(NULL, name);
}

int cryptdev_verity_corrupted(const char *name) {
        _cleanup_crypt_ struct crypt_device *cd = NULL;
        struct crypt_active_device cad = {};
        int r;

        r = crypt_init_by_name(&cd, name);
        if (r < 0)
                return r;
        /* dm-verity's status is "C" once any block failed its hash (kernel verity.rst,
         * "status"); libcryptsetup reports that as CRYPT_ACTIVATE_CORRUPTED. */
        r = crypt_get_active_device(cd, name, &cad);
        if (r < 0)
                return r;
        return (cad.flags & CRYPT_ACTIVATE_CORRUPTED) ? 1 : 0;
}
