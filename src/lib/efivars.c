/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "efivars.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "byte-buffer.h"
#include "efi-siglist.h"
#include "uuid-util.h"
#include "string-util.h"

const EfiGuid EFI_GLOBAL_VARIABLE_GUID =
        EFI_GUID_INIT(0x8be4df61, 0x93ca, 0x11d2, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c);
const EfiGuid EFI_IMAGE_SECURITY_DATABASE_GUID =
        EFI_GUID_INIT(0xd719b2cb, 0x3d3a, 0x4596, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f);
const EfiGuid EFI_CERT_TYPE_PKCS7_GUID =
        EFI_GUID_INIT(0x4aafd29d, 0x68df, 0x49ee, 0x8a, 0xa9, 0x34, 0x7d, 0x37, 0x56, 0x65, 0xa7);
const EfiGuid EDKII_SECURE_BOOT_ENABLE_GUID =
        EFI_GUID_INIT(0xf0a30bc7, 0xaf08, 0x4556, 0x99, 0xc4, 0x00, 0x10, 0x09, 0xc9, 0x3a, 0x44);
const EfiGuid EDKII_CUSTOM_MODE_GUID =
        EFI_GUID_INIT(0xc076ec0c, 0x7028, 0x4399, 0xa0, 0x72, 0x71, 0xee, 0x5c, 0x44, 0x8b, 0x9f);
/* PI 1.8 volume 3: the firmware volume that holds non-volatile variables. */
static const EfiGuid EFI_SYSTEM_NV_DATA_FV_GUID =
        EFI_GUID_INIT(0xfff12b8d, 0x7696, 0x4c8b, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50);
/* edk2 VariableFormat.h: gEfiAuthenticatedVariableGuid marks a store of
 * AUTHENTICATED_VARIABLE_HEADER records (gEfiVariableGuid would be the plain kind). */
static const EfiGuid EFI_AUTHENTICATED_VARIABLE_GUID =
        EFI_GUID_INIT(0xaaf32c78, 0x947b, 0x439a, 0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92);

bool efi_guid_equal(const EfiGuid *a, const EfiGuid *b) {
        return memcmp(a->bytes, b->bytes, 16) == 0;
}

int efi_guid_from_string(const char *s, EfiGuid *ret) {
        uint8_t u[UUID_SIZE];

        if (!s || uuid_from_string(s, u) < 0)
                return -EINVAL;
        uuid_to_efi_guid(u, ret->bytes);
        return 0;
}

void efi_guid_format(const EfiGuid *g, char ret[static EFI_GUID_STRING_SIZE]) {
        uint8_t u[UUID_SIZE];

        uuid_from_efi_guid(g->bytes, u);
        (void) uuid_to_string(u, ret);
}

int efi_time_from_unix(uint64_t t, EfiTime *ret) {
        struct tm tm;
        time_t tt = (time_t) t;

        if ((uint64_t) tt != t || !gmtime_r(&tt, &tm))
                return -ERANGE;
        if (tm.tm_year + 1900 < 1900 || tm.tm_year + 1900 > 9999)
                return -ERANGE;
        *ret = (EfiTime){
                .year = (uint16_t) (tm.tm_year + 1900),
                .month = (uint8_t) (tm.tm_mon + 1),
                .day = (uint8_t) tm.tm_mday,
                .hour = (uint8_t) tm.tm_hour,
                .minute = (uint8_t) tm.tm_min,
                .second = (uint8_t) tm.tm_sec,
        };
        return 0;
}

void efi_time_serialize(const EfiTime *t, uint8_t ret[static EFI_TIME_SIZE]) {
        memset(ret, 0, EFI_TIME_SIZE);
        le16_write(ret, t->year);
        ret[2] = t->month;
        ret[3] = t->day;
        ret[4] = t->hour;
        ret[5] = t->minute;
        ret[6] = t->second;
        /* Pad1, Nanosecond, TimeZone, Daylight, Pad2: zero for authenticated variables. */
}

/* ---- names: UTF-8 <-> UCS-2 (the store and the signed payload use UCS-2) ---- */

static void append_ucs2(ByteBuffer *b, const char *name, bool nul) {
        for (const char *c = name; *c; c++)
                byte_buffer_append_le16(b, (uint8_t) *c);
        if (nul)
                byte_buffer_append_le16(b, 0);
}

static bool name_is_valid(const char *name) {
        return !isempty(name) && strlen(name) <= 512 &&
               string_is_printable_ascii(name, strlen(name));
}

/* UCS-2LE, NUL-terminated, to UTF-8. */
static int ucs2_to_utf8(const uint8_t *p, size_t n, char **ret) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        bool terminated = false;

        if (n < 2 || n % 2 != 0)
                return -EBADMSG;
        for (size_t i = 0; i < n; i += 2) {
                uint16_t c = le16_read(p + i);

                if (c == 0) {
                        terminated = i + 2 == n;
                        break;
                }
                if (c >= 0xd800 && c <= 0xdfff) {
                        byte_buffer_done(&b);
                        return -EBADMSG; /* UCS-2 has no surrogates */
                }
                if (c < 0x80)
                        byte_buffer_append_byte(&b, (uint8_t) c);
                else if (c < 0x800) {
                        byte_buffer_append_byte(&b, (uint8_t) (0xc0 | c >> 6));
                        byte_buffer_append_byte(&b, (uint8_t) (0x80 | (c & 0x3f)));
                } else {
                        byte_buffer_append_byte(&b, (uint8_t) (0xe0 | c >> 12));
                        byte_buffer_append_byte(&b, (uint8_t) (0x80 | ((c >> 6) & 0x3f)));
                        byte_buffer_append_byte(&b, (uint8_t) (0x80 | (c & 0x3f)));
                }
        }
        if (!terminated) {
                byte_buffer_done(&b);
                return -EBADMSG;
        }
        byte_buffer_append_byte(&b, 0);
        {
                uint8_t *d;
                size_t s;
                int r = byte_buffer_steal(&b, &d, &s);
                if (r < 0)
                        return r;
                *ret = (char *) d;
        }
        return 0;
}

/* UTF-8 back to UCS-2LE with NUL (for names read from a store, which may be non-ASCII). */
static void append_utf8_as_ucs2(ByteBuffer *b, const char *s) {
        const uint8_t *p = (const uint8_t *) s;

        while (*p) {
                uint16_t c;
                if (*p < 0x80)
                        c = *p++;
                else if ((*p & 0xe0) == 0xc0 && p[1]) {
                        c = (uint16_t) ((p[0] & 0x1f) << 6 | (p[1] & 0x3f));
                        p += 2;
                } else if (p[1] && p[2]) {
                        c = (uint16_t) ((p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f));
                        p += 3;
                } else
                        break; /* cannot happen for names made by ucs2_to_utf8() */
                byte_buffer_append_le16(b, c);
        }
        byte_buffer_append_le16(b, 0);
}

/* ---- time-based authenticated variables ---- */

int efi_auth_payload(const char *name, const EfiGuid *vendor, uint32_t attributes, const EfiTime *t,
                     const uint8_t *data, size_t size, uint8_t **ret, size_t *ret_size) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        uint8_t ts[EFI_TIME_SIZE];

        if (!name_is_valid(name))
                return -EINVAL;
        efi_time_serialize(t, ts);
        append_ucs2(&b, name, false);
        byte_buffer_append(&b, vendor->bytes, 16);
        byte_buffer_append_le32(&b, attributes);
        byte_buffer_append(&b, ts, sizeof ts);
        byte_buffer_append(&b, data, size);
        return byte_buffer_steal(&b, ret, ret_size);
}

/* WIN_CERTIFICATE_UEFI_GUID: UINT32 dwLength; UINT16 wRevision (0x0200); UINT16
 * wCertificateType (WIN_CERT_TYPE_EFI_GUID 0x0EF1); EFI_GUID CertType; UINT8 CertData[]. */
#define WIN_CERT_REVISION 0x0200
#define WIN_CERT_TYPE_EFI_GUID 0x0ef1
#define WIN_CERT_UEFI_GUID_HEADER 24

int efi_auth_build(const EfiTime *t, const uint8_t *signed_data, size_t signed_data_size,
                   const uint8_t *data, size_t size, uint8_t **ret, size_t *ret_size) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        uint8_t ts[EFI_TIME_SIZE];

        if (signed_data_size == 0 || signed_data_size > UINT32_MAX - WIN_CERT_UEFI_GUID_HEADER)
                return -EINVAL;
        efi_time_serialize(t, ts);
        byte_buffer_append(&b, ts, sizeof ts);
        byte_buffer_append_le32(&b, (uint32_t) (WIN_CERT_UEFI_GUID_HEADER + signed_data_size));
        byte_buffer_append_le16(&b, WIN_CERT_REVISION);
        byte_buffer_append_le16(&b, WIN_CERT_TYPE_EFI_GUID);
        byte_buffer_append(&b, EFI_CERT_TYPE_PKCS7_GUID.bytes, 16);
        byte_buffer_append(&b, signed_data, signed_data_size);
        byte_buffer_append(&b, data, size);
        return byte_buffer_steal(&b, ret, ret_size);
}

int efi_auth_parse(const uint8_t *p, size_t n, EfiTime *ret_time, const uint8_t **ret_signed_data,
                   size_t *ret_signed_data_size, const uint8_t **ret_data, size_t *ret_size) {
        uint32_t len;
        EfiGuid type;
        EfiTime t;

        if (n < EFI_TIME_SIZE + WIN_CERT_UEFI_GUID_HEADER)
                return -EBADMSG;
        len = le32_read(p + EFI_TIME_SIZE);
        if (len <= WIN_CERT_UEFI_GUID_HEADER || len > n - EFI_TIME_SIZE)
                return -EBADMSG;
        if (le16_read(p + EFI_TIME_SIZE + 4) != WIN_CERT_REVISION ||
            le16_read(p + EFI_TIME_SIZE + 6) != WIN_CERT_TYPE_EFI_GUID)
                return -EBADMSG;
        memcpy(type.bytes, p + EFI_TIME_SIZE + 8, 16);
        if (!efi_guid_equal(&type, &EFI_CERT_TYPE_PKCS7_GUID))
                return -EBADMSG;
        /* Pad1, Nanosecond, TimeZone, Daylight, Pad2 must be zero (UEFI 2.10 section 8.2.2). */
        for (size_t i = 7; i < EFI_TIME_SIZE; i++)
                if (p[i] != 0)
                        return -EBADMSG;
        t = (EfiTime){ .year = le16_read(p),
                       .month = p[2],
                       .day = p[3],
                       .hour = p[4],
                       .minute = p[5],
                       .second = p[6] };
        if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 ||
            t.minute > 59 || t.second > 59)
                return -EBADMSG;
        if (ret_time)
                *ret_time = t;
        if (ret_signed_data)
                *ret_signed_data = p + EFI_TIME_SIZE + WIN_CERT_UEFI_GUID_HEADER;
        if (ret_signed_data_size)
                *ret_signed_data_size = len - WIN_CERT_UEFI_GUID_HEADER;
        if (ret_data)
                *ret_data = p + EFI_TIME_SIZE + len;
        if (ret_size)
                *ret_size = n - EFI_TIME_SIZE - len;
        return 0;
}

/* ---- the variable store ----
 * EFI_FIRMWARE_VOLUME_HEADER (PI 1.8 vol. 3, 3.2.1): ZeroVector[16], FileSystemGuid, FvLength
 * (u64), Signature "_FVH", Attributes (u32), HeaderLength (u16), Checksum (u16, the header's
 * 16-bit words sum to 0), ExtHeaderOffset (u16), Reserved (u8), Revision (u8), BlockMap[].
 * VARIABLE_STORE_HEADER (edk2 VariableFormat.h): Signature GUID, Size (u32), Format (0x5a
 * formatted), State (0xfe healthy), Reserved (u16), Reserved1 (u32). Then records aligned to 4:
 * AUTHENTICATED_VARIABLE_HEADER: StartId (0x55aa), State, Reserved, Attributes, MonotonicCount
 * (u64), TimeStamp (EFI_TIME), PubKeyIndex, NameSize, DataSize, VendorGuid = 60 bytes, then the
 * UCS-2 name with its NUL and the data. */
#define FVH_MIN_SIZE 0x48
#define VSH_SIZE 28
#define VAR_HEADER_SIZE 60
#define VAR_START_ID 0x55aa
#define VAR_STATE_ADDED 0x3f
#define VAR_STATE_IN_DELETED_TRANSITION_AND_ADDED 0x3e
#define VARSTORE_FORMATTED 0x5a
#define VARSTORE_HEALTHY 0xfe

struct EfiVarStore {
        uint8_t *image;
        size_t image_size;
        size_t store_offset; /* VARIABLE_STORE_HEADER */
        size_t store_size;
        EfiVariable *vars;
        size_t n_vars;
};

static void efi_variable_done(EfiVariable *v) {
        free(v->name);
        free(v->data);
        *v = (EfiVariable){ 0 };
}

EfiVarStore *efi_varstore_free(EfiVarStore *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_vars; i++)
                efi_variable_done(&s->vars[i]);
        free(s->vars);
        free(s->image);
        free(s);
        return NULL;
}

static ssize_t varstore_index(const EfiVarStore *s, const char *name, const EfiGuid *vendor) {
        for (size_t i = 0; i < s->n_vars; i++)
                if (streq(s->vars[i].name, name) && efi_guid_equal(&s->vars[i].vendor, vendor))
                        return (ssize_t) i;
        return -1;
}

static int varstore_put(EfiVarStore *s, char *name_owned, const EfiGuid *vendor,
                        uint32_t attributes, uint64_t monotonic_count, const uint8_t *timestamp,
                        uint32_t pubkey_index, const void *data, size_t size) {
        _cleanup_free_ char *name = name_owned;
        _cleanup_free_ uint8_t *copy = NULL;
        ssize_t i = varstore_index(s, name, vendor);
        EfiVariable *v;

        copy = malloc(size ? size : 1);
        if (!copy)
                return -ENOMEM;
        if (size)
                memcpy(copy, data, size);
        if (i < 0) {
                EfiVariable *n = reallocarray(s->vars, s->n_vars + 1, sizeof *n);
                if (!n)
                        return -ENOMEM;
                s->vars = n;
                v = &s->vars[s->n_vars++];
                *v = (EfiVariable){ .name = TAKE_PTR(name) };
        } else {
                v = &s->vars[i];
                free(v->data);
        }
        v->vendor = *vendor;
        v->attributes = attributes;
        v->monotonic_count = monotonic_count;
        if (timestamp)
                memcpy(v->timestamp, timestamp, EFI_TIME_SIZE);
        else
                memset(v->timestamp, 0, EFI_TIME_SIZE);
        v->pubkey_index = pubkey_index;
        v->data = TAKE_PTR(copy);
        v->size = size;
        return 0;
}

static uint16_t checksum16(const uint8_t *p, size_t n) {
        uint16_t sum = 0;
        for (size_t i = 0; i + 1 < n; i += 2)
                sum = (uint16_t) (sum + le16_read(p + i));
        return sum;
}

int efi_varstore_parse(const uint8_t *image, size_t size, EfiVarStore **ret) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL;
        uint64_t fv_length;
        uint16_t header_length;
        size_t off, end;
        EfiGuid g;
        int r;

        if (size > EFI_VARSTORE_IMAGE_MAX)
                return -EFBIG;
        if (size < FVH_MIN_SIZE + VSH_SIZE)
                return -EBADMSG;
        memcpy(g.bytes, image + 16, 16);
        fv_length = le64_read(image + 32);
        header_length = le16_read(image + 48);
        if (memcmp(image + 40, "_FVH", 4) != 0 || !efi_guid_equal(&g, &EFI_SYSTEM_NV_DATA_FV_GUID))
                return -EBADMSG;
        if (fv_length > size || header_length < FVH_MIN_SIZE || header_length % 2 != 0 ||
            header_length > fv_length - VSH_SIZE)
                return -EBADMSG;
        if (checksum16(image, header_length) != 0)
                return -EBADMSG;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->store_offset = header_length;
        memcpy(g.bytes, image + header_length, 16);
        s->store_size = le32_read(image + header_length + 16);
        if (!efi_guid_equal(&g, &EFI_AUTHENTICATED_VARIABLE_GUID) ||
            image[header_length + 20] != VARSTORE_FORMATTED ||
            image[header_length + 21] != VARSTORE_HEALTHY)
                return -EBADMSG;
        if (s->store_size < VSH_SIZE || s->store_size > fv_length - header_length)
                return -EBADMSG;

        off = s->store_offset + VSH_SIZE;
        end = s->store_offset + s->store_size;
        while (end - off >= VAR_HEADER_SIZE && le16_read(image + off) == VAR_START_ID) {
                const uint8_t *h = image + off;
                uint8_t state = h[2];
                uint32_t name_size = le32_read(h + 36), data_size = le32_read(h + 40);
                size_t rec_end;
                char *name = NULL;

                if (name_size > end - off - VAR_HEADER_SIZE ||
                    data_size > end - off - VAR_HEADER_SIZE - name_size)
                        return -EBADMSG;
                rec_end = off + VAR_HEADER_SIZE + name_size + data_size;

                /* Live: ADDED, or ADDED in deleted transition (an update interrupted before the
                 * new copy was written; edk2 keeps it when no ADDED copy exists). */
                if (state == VAR_STATE_ADDED ||
                    state == VAR_STATE_IN_DELETED_TRANSITION_AND_ADDED) {
                        EfiGuid vendor;

                        r = ucs2_to_utf8(h + VAR_HEADER_SIZE, name_size, &name);
                        if (r < 0)
                                return r;
                        memcpy(vendor.bytes, h + 44, 16);
                        if (state == VAR_STATE_ADDED || varstore_index(s, name, &vendor) < 0) {
                                r = varstore_put(s, name, &vendor, le32_read(h + 4),
                                                 le64_read(h + 8), h + 16, le32_read(h + 32),
                                                 h + VAR_HEADER_SIZE + name_size, data_size);
                                if (r < 0)
                                        return r;
                        } else
                                free(name);
                }
                off = (rec_end + 3) & ~(size_t) 3;
                if (off > end)
                        break;
        }

        s->image = malloc(size);
        if (!s->image)
                return -ENOMEM;
        memcpy(s->image, image, size);
        s->image_size = size;
        *ret = TAKE_PTR(s);
        return 0;
}

size_t efi_varstore_count(const EfiVarStore *s) {
        return s->n_vars;
}

const EfiVariable *efi_varstore_get(const EfiVarStore *s, size_t i) {
        return i < s->n_vars ? &s->vars[i] : NULL;
}

const EfiVariable *efi_varstore_find(const EfiVarStore *s, const char *name,
                                     const EfiGuid *vendor) {
        ssize_t i = varstore_index(s, name, vendor);
        return i < 0 ? NULL : &s->vars[i];
}

int efi_varstore_set(EfiVarStore *s, const char *name, const EfiGuid *vendor, uint32_t attributes,
                     const uint8_t *timestamp, const void *data, size_t size) {
        char *copy;

        if (!name_is_valid(name))
                return -EINVAL;
        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        return varstore_put(s, copy, vendor, attributes, 0, timestamp, 0, data, size);
}

int efi_varstore_remove(EfiVarStore *s, const char *name, const EfiGuid *vendor) {
        ssize_t i = varstore_index(s, name, vendor);

        if (i < 0)
                return 0;
        efi_variable_done(&s->vars[i]);
        memmove(&s->vars[i], &s->vars[i + 1], (s->n_vars - (size_t) i - 1) * sizeof *s->vars);
        s->n_vars--;
        return 0;
}

int efi_varstore_serialize(const EfiVarStore *s, uint8_t **ret, size_t *ret_size) {
        ByteBuffer b = BYTE_BUFFER_INIT;
        _cleanup_free_ uint8_t *out = NULL;
        size_t records_size = s->store_size - VSH_SIZE;
        uint8_t *records;
        int r;

        for (size_t i = 0; i < s->n_vars; i++) {
                const EfiVariable *v = &s->vars[i];
                size_t name_start, name_size;
                uint8_t *h;

                byte_buffer_align(&b, 4);
                h = byte_buffer_append_zero(&b, VAR_HEADER_SIZE);
                if (!h)
                        break;
                name_start = b.size;
                append_utf8_as_ucs2(&b, v->name);
                name_size = b.size - name_start;
                byte_buffer_append(&b, v->data, v->size);
                if (byte_buffer_error(&b) < 0 || v->size > UINT32_MAX)
                        break;
                h = b.data + name_start - VAR_HEADER_SIZE;
                le16_write(h, VAR_START_ID);
                h[2] = VAR_STATE_ADDED;
                le32_write(h + 4, v->attributes);
                le64_write(h + 8, v->monotonic_count);
                memcpy(h + 16, v->timestamp, EFI_TIME_SIZE);
                le32_write(h + 32, v->pubkey_index);
                le32_write(h + 36, (uint32_t) name_size);
                le32_write(h + 40, (uint32_t) v->size);
                memcpy(h + 44, v->vendor.bytes, 16);
        }
        r = byte_buffer_error(&b);
        if (r < 0) {
                byte_buffer_done(&b);
                return r;
        }
        if (b.size > records_size) {
                byte_buffer_done(&b);
                return -EFBIG;
        }

        out = malloc(s->image_size);
        if (!out) {
                byte_buffer_done(&b);
                return -ENOMEM;
        }
        memcpy(out, s->image, s->image_size);
        records = out + s->store_offset + VSH_SIZE;
        memset(records, 0xff, records_size);
        if (b.size > 0)
                memcpy(records, b.data, b.size);
        /* Alignment padding between records is never written on flash: keep it erased. */
        for (size_t i = 0, off = 0; i < s->n_vars; i++) {
                size_t name_size = le32_read(records + off + 36),
                       data_size = le32_read(records + off + 40);
                size_t rec_end = off + VAR_HEADER_SIZE + name_size + data_size;
                size_t next = (rec_end + 3) & ~(size_t) 3;
                memset(records + rec_end, 0xff, MIN(next, records_size) - rec_end);
                off = next;
        }
        byte_buffer_done(&b);
        *ret = TAKE_PTR(out);
        *ret_size = s->image_size;
        return 0;
}

/* A non-empty, well-formed sequence of EFI_SIGNATURE_LISTs. */
static bool siglist_valid(const uint8_t *p, size_t n) {
        _cleanup_free_ EfiSignature *sigs = NULL;
        size_t k;

        return n > 0 && efi_siglist_parse(p, n, &sigs, &k) >= 0 && k > 0;
}

int efi_varstore_enroll_secure_boot(EfiVarStore *s, const uint8_t *pk, size_t pk_size,
                                    const uint8_t *kek, size_t kek_size, const uint8_t *db,
                                    size_t db_size, const uint8_t *dbx, size_t dbx_size) {
        static const uint8_t one = 1, zero = 0;
        static const char *const removed[] = { "dbx", "dbt", "dbr" };
        int r;

        if (!siglist_valid(pk, pk_size) || !siglist_valid(kek, kek_size) ||
            !siglist_valid(db, db_size) || (dbx && !siglist_valid(dbx, dbx_size)))
                return -EBADMSG;

        for (size_t i = 0; i < ELEMENTSOF(removed); i++) {
                r = efi_varstore_remove(s, removed[i], &EFI_IMAGE_SECURITY_DATABASE_GUID);
                if (r < 0)
                        return r;
        }
        r = efi_varstore_set(s, "PK", &EFI_GLOBAL_VARIABLE_GUID, EFI_VARIABLE_SECURE_BOOT_POLICY,
                             NULL, pk, pk_size);
        if (r >= 0)
                r = efi_varstore_set(s, "KEK", &EFI_GLOBAL_VARIABLE_GUID,
                                     EFI_VARIABLE_SECURE_BOOT_POLICY, NULL, kek, kek_size);
        if (r >= 0)
                r = efi_varstore_set(s, "db", &EFI_IMAGE_SECURITY_DATABASE_GUID,
                                     EFI_VARIABLE_SECURE_BOOT_POLICY, NULL, db, db_size);
        if (r >= 0 && dbx)
                r = efi_varstore_set(s, "dbx", &EFI_IMAGE_SECURITY_DATABASE_GUID,
                                     EFI_VARIABLE_SECURE_BOOT_POLICY, NULL, dbx, dbx_size);
        /* edk2 SecureBootConfigDxe: SecureBootEnable (NV|BS) = 1 and CustomMode (NV|BS) = 0,
         * i.e. standard mode with the user's consent to enforce. */
        if (r >= 0)
                r = efi_varstore_set(s, "SecureBootEnable", &EDKII_SECURE_BOOT_ENABLE_GUID,
                                     EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS,
                                     NULL, &one, 1);
        if (r >= 0)
                r = efi_varstore_set(s, "CustomMode", &EDKII_CUSTOM_MODE_GUID,
                                     EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS,
                                     NULL, &zero, 1);
        return r;
}

char *efi_attributes_to_string(uint32_t a) {
        static const struct {
                uint32_t bit;
                const char *name;
        } names[] = {
                { EFI_VARIABLE_NON_VOLATILE, "NV" },
                { EFI_VARIABLE_BOOTSERVICE_ACCESS, "BS" },
                { EFI_VARIABLE_RUNTIME_ACCESS, "RT" },
                { EFI_VARIABLE_HARDWARE_ERROR_RECORD, "HW_ERR" },
                { EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, "AUTH" },
                { EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS, "TIME_AUTH" },
                { EFI_VARIABLE_APPEND_WRITE, "APPEND" },
        };
        ByteBuffer b = BYTE_BUFFER_INIT;
        uint8_t *d;
        size_t n;

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (a & names[i].bit) {
                        if (b.size > 0)
                                byte_buffer_append_byte(&b, '|');
                        byte_buffer_append_string(&b, names[i].name);
                        a &= ~names[i].bit;
                }
        if (a) {
                char x[16];
                (void) snprintf(x, sizeof x, "%s0x%x", b.size > 0 ? "|" : "", a);
                byte_buffer_append_string(&b, x);
        }
        if (b.size == 0)
                byte_buffer_append_string(&b, "-");
        byte_buffer_append_byte(&b, 0);
        if (byte_buffer_steal(&b, &d, &n) < 0)
                return NULL;
        return (char *) d;
}
