/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <unistd.h>

#include "byte-buffer.h"
#include "efi-siglist.h"
#include "efivars.h"
#include "fileio.h"
#include "tap.h"

#define OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"

TEST(guid_roundtrip) {
        EfiGuid g;
        char s[EFI_GUID_STRING_SIZE];

        ASSERT_OK(efi_guid_from_string("8be4df61-93ca-11d2-aa0d-00e098032b8c", &g));
        ASSERT_TRUE(efi_guid_equal(&g, &EFI_GLOBAL_VARIABLE_GUID));
        ASSERT_EQ(g.bytes[0], 0x61); /* data1 little-endian */
        ASSERT_EQ(g.bytes[8], 0xaa);
        efi_guid_format(&g, s);
        ASSERT_STREQ(s, "8be4df61-93ca-11d2-aa0d-00e098032b8c");
        ASSERT_OK(efi_guid_from_string("D719B2CB-3D3A-4596-A3BC-DAD00E67656F", &g));
        ASSERT_TRUE(efi_guid_equal(&g, &EFI_IMAGE_SECURITY_DATABASE_GUID));
        ASSERT_ERRNO(efi_guid_from_string("8be4df61-93ca-11d2-aa0d-00e098032b8", &g), -EINVAL);
        ASSERT_ERRNO(efi_guid_from_string("8be4df61x93ca-11d2-aa0d-00e098032b8c", &g), -EINVAL);
        ASSERT_ERRNO(efi_guid_from_string("8be4df61-93ca-11d2-aa0d-00e098032b8g", &g), -EINVAL);
}

TEST(time_serialize) {
        uint8_t b[EFI_TIME_SIZE];
        EfiTime t;

        ASSERT_OK(efi_time_from_unix(1767225600, &t)); /* 2026-01-01 00:00:00 UTC */
        ASSERT_EQ(t.year, 2026);
        ASSERT_EQ(t.month, 1);
        ASSERT_EQ(t.day, 1);
        efi_time_serialize(&t, b);
        ASSERT_EQ(b[0], 0xea);
        ASSERT_EQ(b[1], 0x07);
        for (int i = 7; i < 16; i++)
                ASSERT_EQ(b[i], 0);
}

TEST(auth_build_parse) {
        _cleanup_free_ uint8_t *payload = NULL, *auth = NULL;
        static const uint8_t data[] = { 1, 2, 3 }, sig[] = { 0x30, 0x00 };
        const uint8_t *s, *d;
        size_t pn, an, sn, dn;
        EfiTime t, t2;

        ASSERT_OK(efi_time_from_unix(1767225600, &t));
        ASSERT_OK(efi_auth_payload("db", &EFI_IMAGE_SECURITY_DATABASE_GUID, 0x27, &t, data,
                                   sizeof data, &payload, &pn));
        ASSERT_EQ(pn, 4 + 16 + 4 + 16 + 3); /* "db" as UCS-2 without NUL */
        ASSERT_EQ(payload[0], 'd');
        ASSERT_EQ(payload[1], 0);
        ASSERT_EQ(payload[20], 0x27);
        ASSERT_OK(efi_auth_build(&t, sig, sizeof sig, data, sizeof data, &auth, &an));
        ASSERT_EQ(an, 16 + 24 + 2 + 3);
        ASSERT_OK(efi_auth_parse(auth, an, &t2, &s, &sn, &d, &dn));
        ASSERT_EQ(t2.year, 2026);
        ASSERT_EQ(sn, 2);
        ASSERT_EQ(dn, 3);
        ASSERT_TRUE(memcmp(d, data, 3) == 0);
        auth[8] = 1; /* nanoseconds must be zero */
        ASSERT_ERRNO(efi_auth_parse(auth, an, NULL, NULL, NULL, NULL, NULL), -EBADMSG);
        auth[8] = 0;
        auth[16 + 6] = 0x02; /* wCertificateType */
        ASSERT_ERRNO(efi_auth_parse(auth, an, NULL, NULL, NULL, NULL, NULL), -EBADMSG);
        ASSERT_ERRNO(
                efi_auth_payload("", &EFI_GLOBAL_VARIABLE_GUID, 0x27, &t, data, 3, &payload, &pn),
                -EINVAL);
}

TEST(varstore_enroll_roundtrip) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL, *s2 = NULL;
        _cleanup_free_ uint8_t *esl = NULL, *out = NULL, *out2 = NULL;
        _cleanup_free_ char *tmpl = NULL;
        static const uint8_t cert[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
        const EfiVariable *v;
        size_t tn, en = 0, on, on2;
        EfiGuid owner;

        if (access(OVMF_VARS, R_OK) < 0)
                SKIP_TEST("no " OVMF_VARS);
        ASSERT_OK(read_full_file(OVMF_VARS, EFI_VARSTORE_IMAGE_MAX, &tmpl, &tn));
        ASSERT_OK(efi_varstore_parse((const uint8_t *) tmpl, tn, &s));
        ASSERT_NULL(efi_varstore_find(s, "PK", &EFI_GLOBAL_VARIABLE_GUID));
        ASSERT_OK(efi_guid_from_string("11111111-2222-3333-4444-555555555555", &owner));
        ASSERT_OK(efi_siglist_append_x509(&esl, &en, owner.bytes, cert, sizeof cert));
        ASSERT_ERRNO(efi_varstore_enroll_secure_boot(s, esl, en - 1, esl, en, esl, en, NULL, 0),
                     -EBADMSG);
        ASSERT_OK(efi_varstore_enroll_secure_boot(s, esl, en, esl, en, esl, en, NULL, 0));
        ASSERT_OK(efi_varstore_serialize(s, &out, &on));
        ASSERT_EQ(on, tn);
        /* The FV header is the template's. */
        ASSERT_TRUE(memcmp(out, tmpl, 0x48) == 0);

        ASSERT_OK(efi_varstore_parse(out, on, &s2));
        v = efi_varstore_find(s2, "PK", &EFI_GLOBAL_VARIABLE_GUID);
        ASSERT_NOT_NULL(v);
        ASSERT_EQ(v->attributes, EFI_VARIABLE_SECURE_BOOT_POLICY);
        ASSERT_EQ(v->size, en);
        v = efi_varstore_find(s2, "SecureBootEnable", &EDKII_SECURE_BOOT_ENABLE_GUID);
        ASSERT_NOT_NULL(v);
        ASSERT_EQ(v->data[0], 1);
        ASSERT_NULL(efi_varstore_find(s2, "dbx", &EFI_IMAGE_SECURITY_DATABASE_GUID));
        /* Same store, same bytes. */
        ASSERT_OK(efi_varstore_serialize(s2, &out2, &on2));
        ASSERT_EQ(on, on2);
        ASSERT_TRUE(memcmp(out, out2, on) == 0);
}

TEST(varstore_refuses) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL;
        _cleanup_free_ char *tmpl = NULL;
        size_t tn;

        if (access(OVMF_VARS, R_OK) < 0)
                SKIP_TEST("no " OVMF_VARS);
        ASSERT_OK(read_full_file(OVMF_VARS, EFI_VARSTORE_IMAGE_MAX, &tmpl, &tn));
        ASSERT_ERRNO(efi_varstore_parse((const uint8_t *) tmpl, 100, &s), -EBADMSG);
        tmpl[40] = 'X'; /* signature */
        ASSERT_ERRNO(efi_varstore_parse((const uint8_t *) tmpl, tn, &s), -EBADMSG);
        tmpl[40] = '_';
        tmpl[50] ^= 1; /* header checksum */
        ASSERT_ERRNO(efi_varstore_parse((const uint8_t *) tmpl, tn, &s), -EBADMSG);
        tmpl[50] ^= 1;
        tmpl[0x48] ^= 1; /* variable store GUID: not an authenticated store */
        ASSERT_ERRNO(efi_varstore_parse((const uint8_t *) tmpl, tn, &s), -EBADMSG);
        tmpl[0x48] ^= 1;
        ASSERT_OK(efi_varstore_parse((const uint8_t *) tmpl, tn, &s));
}

TEST(varstore_full) {
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL;
        _cleanup_free_ uint8_t *big = calloc(1, 300000), *out = NULL;
        _cleanup_free_ char *tmpl = NULL;
        size_t tn, on;

        if (access(OVMF_VARS, R_OK) < 0)
                SKIP_TEST("no " OVMF_VARS);
        ASSERT_NOT_NULL(big);
        ASSERT_OK(read_full_file(OVMF_VARS, EFI_VARSTORE_IMAGE_MAX, &tmpl, &tn));
        ASSERT_OK(efi_varstore_parse((const uint8_t *) tmpl, tn, &s));
        ASSERT_OK(efi_varstore_set(s, "Big", &EFI_GLOBAL_VARIABLE_GUID, 7, NULL, big, 300000));
        ASSERT_ERRNO(efi_varstore_serialize(s, &out, &on), -EFBIG);
        ASSERT_OK(efi_varstore_remove(s, "Big", &EFI_GLOBAL_VARIABLE_GUID));
        ASSERT_OK(efi_varstore_serialize(s, &out, &on));
}

TEST(attributes_string) {
        _cleanup_free_ char *a = efi_attributes_to_string(0x27),
                            *b = efi_attributes_to_string(0x100), *c = efi_attributes_to_string(0);
        ASSERT_STREQ(a, "NV|BS|RT|TIME_AUTH");
        ASSERT_STREQ(b, "0x100");
        ASSERT_STREQ(c, "-");
}

int main(void) {
        RUN(guid_roundtrip);
        RUN(time_serialize);
        RUN(auth_build_parse);
        RUN(varstore_enroll_roundtrip);
        RUN(varstore_refuses);
        RUN(varstore_full);
        RUN(attributes_string);
        return tap_done();
}
