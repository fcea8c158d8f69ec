/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"
#include "tap.h"
#include "tpm-policy.h"

static uint8_t pcr_a[32], pcr_b[32];

/* Known-answer: the PolicyAuthorize digest of a name, recomputed here from Part 3, 23.16 by
 * hand (two SHA-256 steps), so a change in tpm-policy.c's marshalling is caught. */
TEST(policy_authorize_known_answer) {
        uint8_t name[TPM_NAME_SIZE], m[32 + 4 + TPM_NAME_SIZE], step[32], want[32], got[32];

        for (size_t i = 0; i < sizeof name; i++)
                name[i] = (uint8_t) i;
        memset(m, 0, 32);
        m[32] = 0x00, m[33] = 0x00, m[34] = 0x01, m[35] = 0x6a; /* TPM_CC_PolicyAuthorize */
        memcpy(m + 36, name, sizeof name);
        ASSERT_OK(crypto_sha256(m, sizeof m, step));
        ASSERT_OK(crypto_sha256(step, sizeof step, want));
        tpm_policy_authorize_digest(name, got);
        ASSERT_TRUE(memcmp(want, got, 32) == 0);
}

TEST(nv_name_depends_on_every_field) {
        uint8_t a[TPM_NAME_SIZE], b[TPM_NAME_SIZE], pol[32] = { 1 };

        tpm_nv_name(0x01A0C001, 0x2204001A, pol, 32, 8, a);
        ASSERT_EQ(a[0], 0x00);
        ASSERT_EQ(a[1], 0x0B);
        tpm_nv_name(0x01A0C002, 0x2204001A, pol, 32, 8, b);
        ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
        tpm_nv_name(0x01A0C001, 0x2204001B, pol, 32, 8, b);
        ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
        tpm_nv_name(0x01A0C001, 0x2204001A, pol, 32, 9, b);
        ASSERT_TRUE(memcmp(a, b, sizeof a) != 0);
        tpm_nv_name(0x01A0C001, 0x2204001A, pol, 32, 8, b);
        ASSERT_TRUE(memcmp(a, b, sizeof a) == 0);
}

TEST(approved_digest_binds_pcr_revision_and_key) {
        uint8_t k1[TPM_NAME_SIZE] = { 0, 0x0b, 1 }, k2[TPM_NAME_SIZE] = { 0, 0x0b, 2 };
        uint8_t d1[32], d2[32];

        tpm_policy_approved_digest(pcr_a, 1, k1, d1);
        tpm_policy_approved_digest(pcr_b, 1, k1, d2);
        ASSERT_TRUE(memcmp(d1, d2, 32) != 0);
        tpm_policy_approved_digest(pcr_a, 2, k1, d2);
        ASSERT_TRUE(memcmp(d1, d2, 32) != 0);
        tpm_policy_approved_digest(pcr_a, 1, k2, d2);
        ASSERT_TRUE(memcmp(d1, d2, 32) != 0);
        tpm_policy_approved_digest(pcr_a, 1, k1, d2);
        ASSERT_TRUE(memcmp(d1, d2, 32) == 0);
}

TEST(pcr_extend_and_lock) {
        uint8_t zero[32] = {}, d[32], m[64], want[32], got[32];

        memset(d, 0xab, sizeof d);
        memcpy(m + 32, d, 32);
        memset(m, 0, 32);
        ASSERT_OK(crypto_sha256(m, sizeof m, want));
        tpm_pcr_extend_sha256(zero, d, got);
        ASSERT_TRUE(memcmp(want, got, 32) == 0);
        tpm_pcr7_locked(zero, got);
        ASSERT_TRUE(memcmp(zero, got, 32) != 0);
}

TEST(sign_parse_roundtrip) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL;
        _cleanup_(tpm_signed_policy_freep) TpmSignedPolicy *p = NULL;
        _cleanup_free_ char *doc = NULL, *err = NULL;
        uint8_t name[TPM_NAME_SIZE], auth[32];
        size_t n;

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
        ASSERT_OK(tpm_signed_policy_make(k, pcr_a, 7, &doc, &n));
        ASSERT_OK(tpm_signed_policy_parse(doc, n, &p, &err));
        ASSERT_EQ(p->revision, 7);
        ASSERT_TRUE(memcmp(p->pcr7, pcr_a, 32) == 0);
        ASSERT_OK(tpm_policy_key_name(k, name));
        ASSERT_TRUE(memcmp(p->key_name, name, sizeof name) == 0);
        tpm_policy_authorize_digest(name, auth);
        ASSERT_OK(tpm_signed_policy_check_key(p, auth));
        auth[0] ^= 1;
        ASSERT_ERRNO(tpm_signed_policy_check_key(p, auth), -EKEYREJECTED);
}

static int parse_modified(const char *doc, const char *from, const char *to, char **err) {
        _cleanup_(tpm_signed_policy_freep) TpmSignedPolicy *p = NULL;
        _cleanup_free_ char *m = NULL;
        const char *at = strstr(doc, from);

        if (!at)
                return -999;
        m = strprintf("%.*s%s%s", (int) (at - doc), doc, to, at + strlen(from));
        return tpm_signed_policy_parse(m, strlen(m), &p, err);
}

TEST(refuses_tampering) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL, *other = NULL;
        _cleanup_free_ char *doc = NULL, *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL,
                            *e6 = NULL, *e7 = NULL;
        size_t n;

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
        ASSERT_OK(tpm_signed_policy_make(k, pcr_a, 3, &doc, &n));
        ASSERT_ERRNO(parse_modified(doc, "\"revision\":3", "\"revision\":4", &e1), -EKEYREJECTED);
        ASSERT_STREQ(e1, "policy-digest: does not match pcr7 and revision");
        ASSERT_ERRNO(parse_modified(doc, "\"format\":1", "\"format\":2", &e2), -EBADMSG);
        ASSERT_TRUE(strstr(e2, "format") != NULL);
        ASSERT_ERRNO(parse_modified(doc, "\"format\":1", "\"format\":1,\"extra\":1", &e3),
                     -EBADMSG);
        ASSERT_ERRNO(parse_modified(doc, "\"pcr-bank\":\"sha256\"", "\"pcr-bank\":\"sha1\"", &e4),
                     -EBADMSG);
        ASSERT_ERRNO(parse_modified(doc, "\"signature\":\"", "\"signature\":\"00", &e5), -EBADMSG);
        ASSERT_ERRNO(parse_modified(doc, "\"public-key\":\"04", "\"public-key\":\"05", &e6),
                     -EBADMSG);
        ASSERT_ERRNO(parse_modified(doc, "\"format\":1", "\"format\":1,\"format\":1", &e7),
                     -EBADMSG);

        /* A signature by another key over the same content does not verify with the key
         * named in the file. */
        {
                _cleanup_free_ char *doc2 = NULL, *err = NULL, *m = NULL;
                const char *s1, *s2;
                size_t n2;
                ASSERT_OK(crypto_key_generate(KEY_EC_P256, &other));
                ASSERT_OK(tpm_signed_policy_make(other, pcr_a, 3, &doc2, &n2));
                s1 = strstr(doc, "\"signature\":\"");
                s2 = strstr(doc2, "\"signature\":\"");
                ASSERT_TRUE(s1 && s2);
                m = strprintf("%.*s%s", (int) (s1 - doc), doc, s2);
                {
                        _cleanup_(tpm_signed_policy_freep) TpmSignedPolicy *p = NULL;
                        ASSERT_ERRNO(tpm_signed_policy_parse(m, strlen(m), &p, &err),
                                     -EKEYREJECTED);
                        ASSERT_STREQ(err, "signature: does not verify with public-key");
                }
        }
        {
                _cleanup_(tpm_signed_policy_freep) TpmSignedPolicy *p = NULL;
                char big[TPM_POLICY_FILE_MAX + 2];
                memset(big, ' ', sizeof big);
                ASSERT_ERRNO(tpm_signed_policy_parse(big, sizeof big, &p, NULL), -EFBIG);
        }
}

TEST(choose) {
        _cleanup_(crypto_key_freep) CryptoKey *k = NULL, *other = NULL;
        _cleanup_(tpm_policy_set_done) TpmPolicySet s = {};
        uint8_t name[TPM_NAME_SIZE], auth[32];
        const TpmSignedPolicy *p;
        char dir[] = "/tmp/test-tpm-policy-XXXXXX";
        struct {
                CryptoKey **key;
                const uint8_t *pcr;
                uint64_t rev;
                const char *file;
        } files[] = {
                { &k, pcr_a, 1, "a1.policy" },
                { &k, pcr_a, 3, "a3.policy" },
                { &k, pcr_b, 9, "b9.policy" },
                { &other, pcr_b, 20, "z.policy" },
        };
        _cleanup_free_ char *err = NULL;

        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &k));
        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &other));
        ASSERT_NOT_NULL(mkdtemp(dir));
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *doc = NULL, *path = path_join(dir, files[i].file);
                size_t n;
                ASSERT_OK(tpm_signed_policy_make(*files[i].key, files[i].pcr, files[i].rev, &doc,
                                                 &n));
                ASSERT_OK(write_file_atomic(path, doc, n, 0644, 0));
        }
        {
                _cleanup_free_ char *ignored = path_join(dir, "README");
                ASSERT_OK(write_file_atomic(ignored, "x", 1, 0644, 0));
        }
        ASSERT_OK(tpm_policy_set_add_path(&s, dir, &err));
        ASSERT_EQ(s.n, 4);
        ASSERT_OK(tpm_policy_key_name(k, name));
        tpm_policy_authorize_digest(name, auth);

        ASSERT_EQ(tpm_policy_set_choose(&s, pcr_a, auth, 0, &p), TPM_POLICY_MATCH);
        ASSERT_EQ(p->revision, 3);
        ASSERT_EQ(tpm_policy_set_choose(&s, pcr_a, auth, 3, &p), TPM_POLICY_MATCH);
        ASSERT_EQ(tpm_policy_set_choose(&s, pcr_a, auth, 4, &p), TPM_POLICY_REVOKED);
        ASSERT_EQ(p->revision, 3);
        ASSERT_EQ(tpm_policy_set_choose(&s, pcr_b, auth, 0, &p), TPM_POLICY_MATCH);
        ASSERT_EQ(p->revision, 9);
        {
                uint8_t pcr_c[32] = { 0xcc };
                ASSERT_EQ(tpm_policy_set_choose(&s, pcr_c, auth, 0, &p), TPM_POLICY_NO_PCR);
        }
        auth[5] ^= 0xff;
        ASSERT_EQ(tpm_policy_set_choose(&s, pcr_a, auth, 0, &p), TPM_POLICY_WRONG_KEY);

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = path_join(dir, files[i].file);
                (void) unlink(path);
        }
        {
                _cleanup_free_ char *ignored = path_join(dir, "README");
                (void) unlink(ignored);
        }
        (void) rmdir(dir);
}

int main(void) {
        memset(pcr_a, 0xaa, sizeof pcr_a);
        memset(pcr_b, 0xbb, sizeof pcr_b);
        RUN(policy_authorize_known_answer);
        RUN(nv_name_depends_on_every_field);
        RUN(approved_digest_binds_pcr_revision_and_key);
        RUN(pcr_extend_and_lock);
        RUN(sign_parse_roundtrip);
        RUN(refuses_tampering);
        RUN(choose);
        return tap_done();
}
