/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "pe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte-buffer.h"
#include "fileio.h"

/* Offsets (Microsoft PE Format specification). */
#define DOS_E_LFANEW 0x3c
#define COFF_HEADER_SIZE 20
#define SECTION_HEADER_SIZE 40
#define OPT_MAGIC_PE32 0x10b
#define OPT_MAGIC_PE32PLUS 0x20b
#define OPT_SECTION_ALIGNMENT 32
#define OPT_FILE_ALIGNMENT 36
#define OPT_SIZE_OF_INITIALIZED_DATA 8
#define OPT_SIZE_OF_IMAGE 56
#define OPT_SIZE_OF_HEADERS 60
#define OPT_CHECKSUM 64
#define DATA_DIRECTORY_SECURITY 4
#define WIN_CERT_REVISION_2_0 0x0200
#define WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002
#define IMAGE_SCN_CNT_INITIALIZED_DATA 0x00000040u
#define IMAGE_SCN_MEM_READ 0x40000000u

struct PeImage {
        ByteBuffer file;
        size_t coff;          /* COFF file header ("PE\0\0" + 4) */
        size_t opt;           /* optional header */
        size_t opt_size;      /* SizeOfOptionalHeader */
        size_t data_dirs;     /* first data directory entry */
        uint32_t n_data_dirs; /* NumberOfRvaAndSizes */
        size_t sections;      /* section table */
};

PeImage *pe_image_free(PeImage *img) {
        if (!img)
                return NULL;
        byte_buffer_done(&img->file);
        free(img);
        return NULL;
}

static uint8_t *P(const PeImage *img, size_t off) {
        return img->file.data + off;
}

static unsigned n_sections(const PeImage *img) {
        return le16_read(P(img, img->coff + 2));
}

static uint8_t *section_header(const PeImage *img, unsigned i) {
        return P(img, img->sections + (size_t) i * SECTION_HEADER_SIZE);
}

static uint8_t *security_dir(const PeImage *img) {
        return P(img, img->data_dirs + 8 * DATA_DIRECTORY_SECURITY);
}

static uint32_t size_of_headers(const PeImage *img) {
        return le32_read(P(img, img->opt + OPT_SIZE_OF_HEADERS));
}

/* End of the section data: SizeOfHeaders + the raw data of every section. */
static int sections_end(const PeImage *img, size_t *ret) {
        size_t end = size_of_headers(img);

        for (unsigned i = 0; i < n_sections(img); i++) {
                const uint8_t *s = section_header(img, i);
                uint32_t raw_size = le32_read(s + 16), raw_ptr = le32_read(s + 20);
                if (raw_size == 0)
                        continue;
                if ((uint64_t) raw_ptr + raw_size > img->file.size)
                        return -EBADMSG;
                end = MAX(end, (size_t) raw_ptr + raw_size);
        }
        *ret = end;
        return 0;
}

static int validate(PeImage *img) {
        const uint8_t *d = img->file.data;
        size_t n = img->file.size, pe, end;
        uint16_t magic;
        uint32_t hdr_size, cert_off, cert_size;

        if (n < 0x40 || d[0] != 'M' || d[1] != 'Z')
                return -EBADMSG;
        pe = le32_read(d + DOS_E_LFANEW);
        if (pe > n - 4 - COFF_HEADER_SIZE || memcmp(d + pe, "PE\0\0", 4) != 0)
                return -EBADMSG;
        img->coff = pe + 4;
        img->opt = img->coff + COFF_HEADER_SIZE;
        img->opt_size = le16_read(d + img->coff + 16);
        if (img->opt_size > n - img->opt || img->opt_size < 2)
                return -EBADMSG;
        magic = le16_read(d + img->opt);
        if (magic == OPT_MAGIC_PE32PLUS) {
                if (img->opt_size < 112)
                        return -EBADMSG;
                img->data_dirs = img->opt + 112;
                img->n_data_dirs = le32_read(d + img->opt + 108);
        } else if (magic == OPT_MAGIC_PE32) {
                if (img->opt_size < 96)
                        return -EBADMSG;
                img->data_dirs = img->opt + 96;
                img->n_data_dirs = le32_read(d + img->opt + 92);
        } else
                return -EBADMSG;
        /* The certificate directory must exist: Authenticode excludes it from the digest. */
        if (img->n_data_dirs <= DATA_DIRECTORY_SECURITY ||
            (uint64_t) img->n_data_dirs * 8 > img->opt + img->opt_size - img->data_dirs)
                return -EBADMSG;
        img->sections = img->opt + img->opt_size;
        hdr_size = size_of_headers(img);
        if ((uint64_t) img->sections + (uint64_t) n_sections(img) * SECTION_HEADER_SIZE >
                    hdr_size ||
            hdr_size > n)
                return -EBADMSG;
        if (le32_read(d + img->opt + OPT_SECTION_ALIGNMENT) == 0 ||
            le32_read(d + img->opt + OPT_FILE_ALIGNMENT) == 0)
                return -EBADMSG;
        if (sections_end(img, &end) < 0)
                return -EBADMSG;

        cert_off = le32_read(security_dir(img));
        cert_size = le32_read(security_dir(img) + 4);
        if (cert_size > 0) {
                /* The table is the last thing in the file, quadword aligned, after the
                 * sections (a file pointer, not an RVA). */
                if (cert_off < end || cert_off % 8 != 0 || (uint64_t) cert_off + cert_size != n)
                        return -EBADMSG;
        }
        return 0;
}

int pe_image_parse(const uint8_t *data, size_t size, PeImage **ret) {
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        int r;

        if (size > PE_IMAGE_MAX)
                return -EFBIG;
        img = calloc(1, sizeof *img);
        if (!img)
                return -ENOMEM;
        byte_buffer_append(&img->file, data, size);
        r = byte_buffer_error(&img->file);
        if (r < 0)
                return r;
        r = validate(img);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(img);
        return 0;
}

int pe_image_load(const char *path, PeImage **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(path, PE_IMAGE_MAX, &buf, &n);
        if (r < 0)
                return r;
        return pe_image_parse((const uint8_t *) buf, n, ret);
}

const uint8_t *pe_image_data(const PeImage *img, size_t *ret_size) {
        *ret_size = img->file.size;
        return img->file.data;
}

unsigned pe_image_section_count(const PeImage *img) {
        return n_sections(img);
}

int pe_image_find_section(const PeImage *img, const char *name, const uint8_t **ret,
                          size_t *ret_size, uint32_t *ret_virtual_address) {
        size_t len = strlen(name);

        if (len > PE_SECTION_NAME_MAX)
                return -EINVAL;
        for (unsigned i = 0; i < n_sections(img); i++) {
                const uint8_t *s = section_header(img, i);
                if (memcmp(s, name, len) != 0 || (len < 8 && s[len] != 0))
                        continue;
                if (ret)
                        *ret = P(img, le32_read(s + 20));
                if (ret_size)
                        *ret_size = MIN(le32_read(s + 8), le32_read(s + 16));
                if (ret_virtual_address)
                        *ret_virtual_address = le32_read(s + 12);
                return 0;
        }
        return -ENOENT;
}

int pe_image_is_signed(const PeImage *img) {
        return le32_read(security_dir(img) + 4) > 0;
}

static uint32_t align_up32(uint64_t v, uint32_t a) {
        return (uint32_t) ((v + a - 1) & ~(uint64_t) (a - 1));
}

int pe_image_add_section(PeImage *img, const char *name, const void *data, size_t size,
                         uint32_t align) {
        uint32_t sect_align = le32_read(P(img, img->opt + OPT_SECTION_ALIGNMENT));
        uint32_t file_align = le32_read(P(img, img->opt + OPT_FILE_ALIGNMENT));
        uint64_t va_end = 0, va, raw_size, initialized;
        size_t end, len = strlen(name);
        unsigned n = n_sections(img);
        uint8_t *s;
        int r;

        if (len == 0 || len > PE_SECTION_NAME_MAX || size == 0 || (align & (align - 1)) != 0 ||
            align < sect_align)
                return -EINVAL;
        if (pe_image_is_signed(img))
                return -EINVAL;
        if (n >= 96 ||
            img->sections + (size_t) (n + 1) * SECTION_HEADER_SIZE > size_of_headers(img))
                return -ENOSPC;
        /* The new header must land on zero bytes (padding between the table and the data). */
        for (size_t i = 0; i < SECTION_HEADER_SIZE; i++)
                if (*P(img, img->sections + (size_t) n * SECTION_HEADER_SIZE + i) != 0)
                        return -ENOSPC;

        for (unsigned i = 0; i < n; i++) {
                const uint8_t *h = section_header(img, i);
                uint32_t extent = MAX(le32_read(h + 8), le32_read(h + 16));
                va_end = MAX(va_end, (uint64_t) le32_read(h + 12) + extent);
        }
        va = align_up32(va_end, align);
        raw_size = align_up32(size, file_align);
        if (va + raw_size > UINT32_MAX || raw_size > PE_IMAGE_MAX)
                return -EFBIG;

        r = sections_end(img, &end);
        if (r < 0)
                return r;
        /* Drop trailing data (the COFF symbol table of Debian's stub). */
        img->file.size = end;
        le32_write(P(img, img->coff + 8), 0);  /* PointerToSymbolTable */
        le32_write(P(img, img->coff + 12), 0); /* NumberOfSymbols */
        byte_buffer_align(&img->file, file_align);
        end = img->file.size;
        byte_buffer_append(&img->file, data, size);
        byte_buffer_append_zero(&img->file, raw_size - size);
        r = byte_buffer_error(&img->file);
        if (r < 0)
                return r;
        if (end > UINT32_MAX)
                return -EFBIG;

        s = section_header(img, n);
        memset(s, 0, SECTION_HEADER_SIZE);
        memcpy(s, name, len);
        le32_write(s + 8, (uint32_t) size);      /* VirtualSize */
        le32_write(s + 12, (uint32_t) va);       /* VirtualAddress */
        le32_write(s + 16, (uint32_t) raw_size); /* SizeOfRawData */
        le32_write(s + 20, (uint32_t) end);      /* PointerToRawData */
        le32_write(s + 36, IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ);
        le16_write(P(img, img->coff + 2), (uint16_t) (n + 1));
        le32_write(P(img, img->opt + OPT_SIZE_OF_IMAGE), align_up32(va + size, sect_align));
        initialized = le32_read(P(img, img->opt + OPT_SIZE_OF_INITIALIZED_DATA)) + raw_size;
        le32_write(P(img, img->opt + OPT_SIZE_OF_INITIALIZED_DATA),
                   (uint32_t) MIN(initialized, (uint64_t) UINT32_MAX));
        return 0;
}

/* Drops an existing certificate table and pads the file to a multiple of 8 (where the table
 * will start). */
static void prepare_for_signature(PeImage *img) {
        uint32_t cert_off = le32_read(security_dir(img)),
                 cert_size = le32_read(security_dir(img) + 4);

        if (cert_size > 0)
                img->file.size = cert_off;
        le32_write(security_dir(img), 0);
        le32_write(security_dir(img) + 4, 0);
        byte_buffer_align(&img->file, 8);
}

typedef struct SectionRef {
        uint32_t ptr, size;
} SectionRef;

static int section_ref_compare(const void *a, const void *b) {
        const SectionRef *x = a, *y = b;
        return x->ptr < y->ptr ? -1 : x->ptr > y->ptr;
}

/* Authenticode image digest, steps 1-14 of "Calculating the PE Image Hash", over the file as it
 * is now, excluding the certificate table named by the directory. */
static int authenticode_digest(const PeImage *img, uint8_t ret[SHA256_DIGEST_SIZE]) {
        _cleanup_(crypto_hash_freep) CryptoHash *h = NULL;
        _cleanup_free_ SectionRef *refs = NULL;
        size_t checksum = img->opt + OPT_CHECKSUM,
               cert_dir = img->data_dirs + 8 * DATA_DIRECTORY_SECURITY;
        uint32_t hdr = size_of_headers(img), cert_size = le32_read(security_dir(img) + 4);
        unsigned n = n_sections(img), k = 0;
        uint64_t hashed;
        int r;

        r = crypto_hash_new(HASH_SHA256, &h);
        if (r < 0)
                return r;
        r = crypto_hash_update(h, P(img, 0), checksum);
        if (r >= 0)
                r = crypto_hash_update(h, P(img, checksum + 4), cert_dir - checksum - 4);
        if (r >= 0)
                r = crypto_hash_update(h, P(img, cert_dir + 8), hdr - cert_dir - 8);
        if (r < 0)
                return r;
        hashed = hdr;

        refs = calloc(n ? n : 1, sizeof *refs);
        if (!refs)
                return -ENOMEM;
        for (unsigned i = 0; i < n; i++) {
                const uint8_t *s = section_header(img, i);
                if (le32_read(s + 16) == 0)
                        continue;
                refs[k++] = (SectionRef){ le32_read(s + 20), le32_read(s + 16) };
        }
        qsort(refs, k, sizeof *refs, section_ref_compare);
        for (unsigned i = 0; i < k; i++) {
                r = crypto_hash_update(h, P(img, refs[i].ptr), refs[i].size);
                if (r < 0)
                        return r;
                hashed += refs[i].size;
        }
        /* Data after the sections, up to the certificate table (edk2: FileSize - CertSize -
         * SumOfBytesHashed bytes from SumOfBytesHashed). */
        if (img->file.size > hashed + cert_size) {
                r = crypto_hash_update(h, P(img, hashed), img->file.size - cert_size - hashed);
                if (r < 0)
                        return r;
        }
        return crypto_hash_final(h, ret);
}

int pe_image_authenticode_digest(PeImage *img, uint8_t ret[SHA256_DIGEST_SIZE]) {
        prepare_for_signature(img);
        if (byte_buffer_error(&img->file) < 0)
                return byte_buffer_error(&img->file);
        return authenticode_digest(img, ret);
}

/* The PE checksum (as computed by imagehlp's CheckSumMappedFile): 16-bit one's-complement-ish
 * sum of the file with the checksum field as zero, plus the file length. */
static void update_checksum(PeImage *img) {
        size_t off = img->opt + OPT_CHECKSUM, n = img->file.size;
        uint64_t sum = 0;

        le32_write(P(img, off), 0);
        for (size_t i = 0; i < n; i += 2) {
                uint32_t w = img->file.data[i] | (i + 1 < n ? img->file.data[i + 1] << 8 : 0);
                sum += w;
                sum = (sum & 0xffff) + (sum >> 16);
        }
        sum = (sum & 0xffff) + (sum >> 16);
        le32_write(P(img, off), (uint32_t) (sum + n));
}

int pe_image_set_signature(PeImage *img, const uint8_t *sig, size_t size) {
        size_t start, total;
        int r;

        if (size == 0 || size > UINT32_MAX - 16)
                return -EINVAL;
        prepare_for_signature(img);
        start = img->file.size;
        byte_buffer_append_le32(&img->file, (uint32_t) (8 + size)); /* dwLength */
        byte_buffer_append_le16(&img->file, WIN_CERT_REVISION_2_0);
        byte_buffer_append_le16(&img->file, WIN_CERT_TYPE_PKCS_SIGNED_DATA);
        byte_buffer_append(&img->file, sig, size);
        byte_buffer_align(&img->file, 8);
        r = byte_buffer_error(&img->file);
        if (r < 0)
                return r;
        total = img->file.size - start;
        if (start > UINT32_MAX)
                return -EFBIG;
        le32_write(security_dir(img), (uint32_t) start);
        le32_write(security_dir(img) + 4, (uint32_t) total);
        update_checksum(img);
        return 0;
}

int pe_image_get_signature(const PeImage *img, const uint8_t **ret, size_t *ret_size) {
        uint32_t off = le32_read(security_dir(img)), size = le32_read(security_dir(img) + 4);
        size_t p = off, end = (size_t) off + size;

        if (size == 0)
                return -ENOENT;
        /* WIN_CERTIFICATE entries, each quadword aligned. */
        while (end - p >= 8) {
                uint32_t len = le32_read(P(img, p));
                uint16_t rev = le16_read(P(img, p + 4)), type = le16_read(P(img, p + 6));

                if (len < 8 || len > end - p)
                        return -EBADMSG;
                if (rev == WIN_CERT_REVISION_2_0 && type == WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
                        *ret = P(img, p + 8);
                        *ret_size = len - 8;
                        return 0;
                }
                p += (len + 7) & ~(size_t) 7;
                if (p > end)
                        break;
        }
        return -ENOENT;
}

int pe_image_sign(PeImage *img, const CryptoSigner *signer) {
        _cleanup_free_ uint8_t *sig = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        size_t n;
        int r;

        r = pe_image_authenticode_digest(img, digest);
        if (r < 0)
                return r;
        r = crypto_authenticode_sign(signer, digest, &sig, &n);
        if (r < 0)
                return r;
        return pe_image_set_signature(img, sig, n);
}

int pe_image_verify(PeImage *img, const uint8_t *trusted_der, size_t trusted_size) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        const uint8_t *sig;
        size_t n;
        int r;

        r = pe_image_get_signature(img, &sig, &n);
        if (r < 0)
                return r;
        r = authenticode_digest(img, digest);
        if (r < 0)
                return r;
        return crypto_authenticode_verify(sig, n, digest, trusted_der, trusted_size);
}

int pe_image_write(const PeImage *img, const char *path) {
        return write_file_atomic(path, img->file.data, img->file.size, 0644, 0);
}
