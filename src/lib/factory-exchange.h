/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The factory exchange area (docs/boot.md, "Factory provisioning"): the first MiB of the
 * mos-data partition, which stays unused until the first production boot formats it as LUKS2.
 * The factory mos-init and the factory station (`mos factory get/put` on the disk image, or
 * the same bytes through any block device) pass small records through it:
 *
 *   slot 0  identity            device -> station: the TPM identity key, PEM
 *                               SubjectPublicKeyInfo, for `mos device add --pubkey`
 *   slot 1  certificate         station -> device: the identity certificate, DER or PEM
 *   slot 2  sealed-data-volume  device -> first production boot: the data-volume secret
 *                               sealed by the TPM (not secret: only that TPM can load it)
 *
 * Each slot is FACTORY_SLOT_SIZE bytes at FACTORY_SLOT_SIZE * type from the start of the area:
 *
 *   0   8  magic "MOSXCHG1"
 *   8   4  type (little-endian u32, equal to the slot number)
 *   12  4  payload size (little-endian u32, 1 .. FACTORY_PAYLOAD_MAX)
 *   16  16 zero
 *   32  32 SHA-256 of the payload
 *   64  .. payload, then zeros to the end of the slot
 *
 * A slot whose first 8 bytes are zero is empty. The checksum catches torn or stale writes;
 * it is no authentication: what a record says is checked where it is used (the TPM checks the
 * certificate's key and the sealed blob). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FACTORY_AREA_SIZE (UINT64_C(1) << 20)
#define FACTORY_SLOT_SIZE (64u * 1024)
#define FACTORY_RECORD_HEADER_SIZE 64u
#define FACTORY_PAYLOAD_MAX (FACTORY_SLOT_SIZE - FACTORY_RECORD_HEADER_SIZE)
#define FACTORY_MAGIC "MOSXCHG1"

typedef enum FactoryRecord {
        FACTORY_RECORD_IDENTITY = 0,
        FACTORY_RECORD_CERTIFICATE = 1,
        FACTORY_RECORD_SEALED_DATA_VOLUME = 2,
        _FACTORY_RECORD_MAX,
} FactoryRecord;

const char *factory_record_to_string(FactoryRecord t); /* "identity", "certificate", ... */
int factory_record_from_string(const char *s);         /* -EINVAL when unknown */

/* Builds a slot (FACTORY_SLOT_SIZE bytes) holding payload. -EINVAL for an empty payload,
 * -EFBIG above FACTORY_PAYLOAD_MAX. */
int factory_record_encode(FactoryRecord t, const void *payload, size_t size,
                          uint8_t ret[static FACTORY_SLOT_SIZE]);
/* Reads a slot: -ENOENT when empty, -EBADMSG when the magic, type, size, checksum or the zero
 * bytes are wrong. */
int factory_record_decode(const uint8_t *slot, size_t slot_size, FactoryRecord t, uint8_t **ret,
                          size_t *ret_size);

/* The same on a device or disk image: the area starts at area_offset in fd. Writes are
 * followed by fdatasync. */
int factory_record_read(int fd, uint64_t area_offset, FactoryRecord t, uint8_t **ret,
                        size_t *ret_size);
int factory_record_write(int fd, uint64_t area_offset, FactoryRecord t, const void *payload,
                         size_t size);
/* Zeroes the whole area (the factory's last step before the first production boot may do it;
 * LUKS2 formatting overwrites it anyway). */
int factory_area_wipe(int fd, uint64_t area_offset);

/* The offset of the exchange area in a disk image: the start of the GPT partition named
 * mos-data. -ENOENT when the image has no such partition, -EBADMSG for a broken GPT. */
int factory_image_area_offset(int fd, uint64_t *ret);
