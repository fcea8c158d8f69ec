/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* PE/COFF images for UEFI (Microsoft "PE Format" specification): parsing, appending sections
 * (how a UKI is made from systemd-stub), the Authenticode image digest and the attribute
 * certificate table ("Windows Authenticode Portable Executable Signature Format" 1.0, section
 * "Calculating the PE Image Hash"; the digest is computed the way edk2's
 * DxeImageVerificationLib does, so what we sign is what the firmware checks). */

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "macro.h"

#define PE_IMAGE_MAX (1024u * 1024 * 1024)
#define PE_SECTION_NAME_MAX 8
#define PE_SECTION_ALIGN_UKI 4096u

typedef struct PeImage PeImage;

/* Copies and validates an image: DOS and PE headers, PE32 or PE32+, section table inside the
 * headers, section data inside the file, certificate table (if any) at the end of the file.
 * -EBADMSG for anything malformed, -EFBIG above PE_IMAGE_MAX. */
int pe_image_parse(const uint8_t *data, size_t size, PeImage **ret);
int pe_image_load(const char *path, PeImage **ret);
PeImage *pe_image_free(PeImage *img);
DEFINE_TRIVIAL_CLEANUP_FUNC(PeImage *, pe_image_free);

const uint8_t *pe_image_data(const PeImage *img, size_t *ret_size);
unsigned pe_image_section_count(const PeImage *img);
/* Finds a section by name: its raw bytes (VirtualSize of them, at most SizeOfRawData). */
int pe_image_find_section(const PeImage *img, const char *name, const uint8_t **ret,
                          size_t *ret_size, uint32_t *ret_virtual_address);
/* 1 when the image carries an attribute certificate table. */
int pe_image_is_signed(const PeImage *img);

/* Appends an initialized, read-only data section at the first virtual address aligned to
 * `align` (a power of two, at least the image's SectionAlignment) after the last section.
 * Refuses signed images (-EINVAL: the signature would no longer cover the image) and a section
 * table without room (-ENOSPC). Any data after the last section (a COFF symbol table, as in
 * Debian's stub) is dropped together with the pointer to it. */
int pe_image_add_section(PeImage *img, const char *name, const void *data, size_t size,
                         uint32_t align);

/* The Authenticode SHA-256 digest of the image as pe_image_sign() will write it: the file padded
 * to a multiple of 8, without checksum, certificate directory entry and certificate table. */
int pe_image_authenticode_digest(PeImage *img, uint8_t ret[SHA256_DIGEST_SIZE]);

/* Replaces the certificate table with one WIN_CERTIFICATE (revision 2.0, WIN_CERT_TYPE_
 * PKCS_SIGNED_DATA) holding sig, and updates the checksum. */
int pe_image_set_signature(PeImage *img, const uint8_t *sig, size_t size);
/* The first WIN_CERTIFICATE of type PKCS_SIGNED_DATA; -ENOENT when unsigned. */
int pe_image_get_signature(const PeImage *img, const uint8_t **ret, size_t *ret_size);

/* Signs: digest + crypto_authenticode_sign() + pe_image_set_signature(). Any earlier
 * signature is replaced. */
int pe_image_sign(PeImage *img, const CryptoSigner *signer);
/* Verifies the image's signature against a trusted certificate: 0, -ENOENT when unsigned,
 * -EKEYREJECTED when the image or the signer does not match. */
int pe_image_verify(PeImage *img, const uint8_t *trusted_der, size_t trusted_size);

int pe_image_write(const PeImage *img, const char *path);
