/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <unistd.h>

#include "byte-buffer.h"
#include "crypto.h"
#include "pe.h"
#include "tap.h"
#include "test-data.h"

#define STUB "/usr/lib/systemd/boot/efi/linuxx64.efi.stub"

static char p1[4096], p2[4096];

static int cert_der(const char *name, uint8_t **ret, size_t *ret_size) {
        _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
        int r = crypto_cert_load(test_data(p1, sizeof p1, name), &c);
        return r < 0 ? r : crypto_cert_to_der(c, ret, ret_size);
}

TEST(refuses_garbage) {
        PeImage *img = NULL;
        static const uint8_t junk[256] = { 'M', 'Z' };
        ASSERT_ERRNO(pe_image_parse(junk, sizeof junk, &img), -EBADMSG);
        ASSERT_ERRNO(pe_image_parse(junk, 10, &img), -EBADMSG);
}

TEST(add_sections_sign_verify) {
        _cleanup_(pe_image_freep) PeImage *img = NULL, *again = NULL;
        _cleanup_(crypto_signer_freep) CryptoSigner *s = NULL;
        _cleanup_free_ uint8_t *own = NULL, *other = NULL;
        uint8_t d1[32], d2[32];
        const uint8_t *sec, *data;
        size_t n, on, xn, size;
        uint32_t va, va2;

        if (access(STUB, R_OK) < 0)
                SKIP_TEST("no systemd-stub");
        ASSERT_OK(pe_image_load(STUB, &img));
        ASSERT_EQ(pe_image_is_signed(img), 0);
        n = pe_image_section_count(img);
        ASSERT_OK(pe_image_add_section(img, ".osrel", "ID=test\n", 8, PE_SECTION_ALIGN_UKI));
        ASSERT_OK(pe_image_add_section(img, ".cmdline", "quiet", 5, PE_SECTION_ALIGN_UKI));
        ASSERT_EQ(pe_image_section_count(img), n + 2);
        ASSERT_OK(pe_image_find_section(img, ".cmdline", &sec, &size, &va));
        ASSERT_EQ(size, 5);
        ASSERT_TRUE(memcmp(sec, "quiet", 5) == 0);
        ASSERT_EQ(va % 4096, 0);
        ASSERT_OK(pe_image_find_section(img, ".osrel", NULL, NULL, &va2));
        ASSERT_TRUE(va2 < va);
        ASSERT_ERRNO(pe_image_find_section(img, ".linux", NULL, NULL, NULL), -ENOENT);
        ASSERT_ERRNO(pe_image_add_section(img, ".toolongname", "x", 1, 4096), -EINVAL);
        ASSERT_ERRNO(pe_image_add_section(img, ".x", "x", 1, 1000), -EINVAL);

        ASSERT_OK(crypto_signer_load(test_data(p1, sizeof p1, "uefi/signer.key"),
                                     test_data(p2, sizeof p2, "uefi/signer.crt"), &s));
        ASSERT_OK(cert_der("uefi/signer.crt", &own, &on));
        ASSERT_OK(cert_der("uefi/other.crt", &other, &xn));
        ASSERT_ERRNO(pe_image_verify(img, own, on), -ENOENT);
        ASSERT_OK(pe_image_authenticode_digest(img, d1));
        ASSERT_OK(pe_image_sign(img, s));
        ASSERT_EQ(pe_image_is_signed(img), 1);
        ASSERT_OK(pe_image_verify(img, own, on));
        ASSERT_ERRNO(pe_image_verify(img, other, xn), -EKEYREJECTED);
        /* A signed image: no more sections; the digest ignores the signature. */
        ASSERT_ERRNO(pe_image_add_section(img, ".initrd", "x", 1, 4096), -EINVAL);

        data = pe_image_data(img, &size);
        ASSERT_EQ(size % 8, 0);
        ASSERT_OK(pe_image_parse(data, size, &again));
        ASSERT_OK(pe_image_verify(again, own, on));
        ASSERT_OK(pe_image_authenticode_digest(again, d2));
        ASSERT_TRUE(memcmp(d1, d2, 32) == 0);
        /* One byte of section data changed: refused. */
        {
                _cleanup_(pe_image_freep) PeImage *t = NULL;
                _cleanup_free_ uint8_t *copy = malloc(size);
                ASSERT_NOT_NULL(copy);
                memcpy(copy, data, size);
                copy[0x1000] ^= 1;
                ASSERT_OK(pe_image_parse(copy, size, &t));
                ASSERT_ERRNO(pe_image_verify(t, own, on), -EKEYREJECTED);
        }
        /* Re-signing replaces the table and gives the same bytes. */
        {
                size_t s1;
                const uint8_t *b1 = pe_image_data(img, &s1);
                _cleanup_free_ uint8_t *before = malloc(s1);
                ASSERT_NOT_NULL(before);
                memcpy(before, b1, s1);
                ASSERT_OK(pe_image_sign(img, s));
                b1 = pe_image_data(img, &n);
                ASSERT_EQ(n, s1);
                ASSERT_TRUE(memcmp(before, b1, n) == 0);
        }
}

TEST(truncated_certificate_table) {
        _cleanup_(pe_image_freep) PeImage *img = NULL, *t = NULL;
        _cleanup_(crypto_signer_freep) CryptoSigner *s = NULL;
        const uint8_t *data;
        size_t size;

        if (access(STUB, R_OK) < 0)
                SKIP_TEST("no systemd-stub");
        ASSERT_OK(pe_image_load(STUB, &img));
        ASSERT_OK(crypto_signer_load(test_data(p1, sizeof p1, "uefi/signer.key"),
                                     test_data(p2, sizeof p2, "uefi/signer.crt"), &s));
        ASSERT_OK(pe_image_sign(img, s));
        data = pe_image_data(img, &size);
        /* The certificate table must end at the end of the file. */
        ASSERT_ERRNO(pe_image_parse(data, size - 8, &t), -EBADMSG);
}

int main(void) {
        RUN(refuses_garbage);
        RUN(add_sections_sign_verify);
        RUN(truncated_certificate_table);
        return tap_done();
}
