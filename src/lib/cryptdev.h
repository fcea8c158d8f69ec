/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Device-mapper targets through libcryptsetup: the only module that includes
 * <libcryptsetup.h>. mos-init opens the LUKS2 data volume and the hostfs layers through it;
 * mosd mounts service layers through the same verity function. libcryptsetup's errors are
 * turned into -errno here (docs/exit-codes.md):
 *   -EKEYREJECTED  the key does not open the LUKS2 volume
 *   -EUCLEAN       a verity device does not match its root hash (found by the first read)
 *   -EBADMSG       malformed LUKS2 header or token
 *   -ENODEV        no LUKS2 header
 *   -ENOKEY        the volume has no MachineOS token
 *
 * The data volume (docs/boot.md, "The data volume"): LUKS2, aes-xts-plain64 with a 512-bit
 * volume key that libcryptsetup draws from the kernel RNG, 4096-byte sectors, one keyslot whose
 * passphrase is the 256-bit secret sealed in the TPM, PBKDF2-SHA256 with the minimum 1000
 * iterations (the passphrase is a uniformly random 256-bit key: stretching adds nothing, and
 * argon2id would cost seconds and hundreds of MiB at every boot), and one token of type
 * CRYPTDEV_TOKEN_TYPE holding the sealed blob, so the volume carries what opens it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

#define CRYPTDEV_TOKEN_TYPE "machineos-tpm2"
#define CRYPTDEV_SUBSYSTEM "machineos"
#define CRYPTDEV_SUBSYSTEM_NEW "machineos-new"
#define CRYPTDEV_PBKDF2_ITERATIONS 1000u
#define CRYPTDEV_SEALED_MAX (16u * 1024)

/* 1 when device holds a LUKS2 header, 0 when it holds none (libcryptsetup finds no LUKS
 * signature), -EBADMSG when the header is there but broken or it is LUKS1. */
int cryptdev_luks_probe(const char *device);

/* Formats device as LUKS2 with passphrase key and a token carrying sealed (opaque bytes). */
int cryptdev_luks_format(const char *device, const char *label, const void *key, size_t key_size,
                         const void *sealed, size_t sealed_size);

/* The sealed blob from the volume's token; -ENOKEY when there is no such token. */
int cryptdev_luks_read_token(const char *device, uint8_t **ret, size_t *ret_size);

/* Activates the volume as /dev/mapper/<name>; *ret_node (may be NULL) is the dm node
 * "/dev/dm-N" (udev may not run, so the node devtmpfs made). -EKEYREJECTED for a wrong key.
 * *ret_ready (may be NULL) says whether cryptdev_luks_set_ready() was called on it: false on
 * a volume whose file system is still to be made (a first boot, even an interrupted one). */
int cryptdev_luks_open(const char *device, const char *name, const void *key, size_t key_size,
                       char **ret_node, bool *ret_ready);

/* Marks the volume's file system as made (the LUKS2 subsystem field goes from
 * CRYPTDEV_SUBSYSTEM_NEW to CRYPTDEV_SUBSYSTEM). */
int cryptdev_luks_set_ready(const char *device);

typedef enum CryptdevCheck {
        CRYPTDEV_CHECK_FIRST_BLOCK, /* read block 0: a wrong root hash fails here */
        CRYPTDEV_CHECK_ALL,         /* read every data block: any changed byte fails here */
} CryptdevCheck;

/* Activates a read-only dm-verity device `name` over device (a blob with the data from offset
 * 0 and the hash area at v->hash_offset, image-format.md: a veritysetup superblock block, then
 * the tree) with the parameters of the signed manifest, never those of the on-disk superblock:
 * kernel Documentation/admin-guide/device-mapper/verity.rst, format 1, sha256, 4096-byte
 * blocks, hash_start_block = hash_offset / 4096 + 1. Then reads as `check` says; on -EUCLEAN
 * (I/O error from dm-verity) the device is removed again and *ret_offset (may be NULL) is the
 * byte offset of the block that failed. *ret_node is "/dev/dm-N". */
int cryptdev_verity_open(const char *device, const char *name, const ManifestVerity *v,
                         CryptdevCheck check, char **ret_node, uint64_t *ret_offset);

/* 1 when the active verity device `name` has met a block that does not match its hash tree
 * (a read of it failed with EIO), 0 when not (yet). For mosd: why did a service's read fail? */
int cryptdev_verity_corrupted(const char *name);

/* libcryptsetup's own debug messages (through log_debug()). */
void cryptdev_set_debug(bool on);

/* Removes the device-mapper device name (LUKS or verity). */
int cryptdev_close(const char *name);

/* The "/dev/dm-N" node of the active device-mapper device called name (from
 * /sys/block/dm-N/dm/name); sysfs_block may replace "/sys/block" in tests. */
int cryptdev_find_dm_node(const char *sysfs_block, const char *name, char **ret);
