/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "efi-siglist.h"
#include "fd-util.h"
#include "fileio.h"
#include "keyset.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"

static char dir[] = "/tmp/test-keyset-XXXXXX";
static char *ks;

static char *at(const char *a, const char *b) {
        static char *last[8];
        static unsigned i;
        char *p = b ? strjoin(a, "/", b) : strdup(a);
        free(last[i % 8]);
        last[i++ % 8] = p;
        return p;
}

static int file_mode(const char *p) {
        struct stat st;
        return stat(p, &st) < 0 ? -errno : (int) (st.st_mode & 07777);
}

TEST(create_layout) {
        static const char *files[] = { "uefi-pk",           "uefi-kek",    "uefi-db",
                                       "uefi-db-provision", "manifest-ca", "sudi-ca" };
        _cleanup_(keyset_freep) Keyset *k = NULL;

        ks = path_join(dir, "ks");
        ASSERT_OK(mkdir(ks, 0700)); /* an empty directory is fine */
        ASSERT_OK(keyset_create(ks, "Example Corp"));
        ASSERT_EQ(file_mode(ks), 0700);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *key = strjoin(files[i], ".key"),
                                    *crt = strjoin(files[i], ".crt");
                ASSERT_EQ(file_mode(at(ks, key)), 0600);
                ASSERT_EQ(file_mode(at(ks, crt)), 0644);
        }
        ASSERT_EQ(file_mode(at(ks, "tpm-policy.key")), 0600);
        ASSERT_EQ(file_mode(at(ks, "tpm-policy.pub")), 0644);
        ASSERT_EQ(file_mode(at(ks, "efi/PK.esl")), 0644);
        ASSERT_EQ(file_mode(at(ks, "efi/KEK.esl")), 0644);
        ASSERT_EQ(file_mode(at(ks, "efi/db.esl")), 0644);
        ASSERT_EQ(file_mode(at(ks, "keyset.json")), 0644);
        ASSERT_EQ(file_mode(at(ks, "products")), 0700);

        ASSERT_OK(keyset_open(ks, &k));
        ASSERT_STREQ(k->org, "Example Corp");
        ASSERT_FALSE(uuid_is_null(k->owner_guid));
}

TEST(certificates_have_their_profiles_and_chains) {
        _cleanup_(keyset_freep) Keyset *k = NULL;
        CryptoCert *c[_KEYSET_CERT_MAX] = {};
        int64_t now = (int64_t) time(NULL);

        ASSERT_OK(keyset_open(ks, &k));
        for (KeysetCert i = 0; i < _KEYSET_CERT_MAX; i++)
                ASSERT_OK(keyset_load_cert(k, i, &c[i]));
        for (KeysetCert i = 0; i < _KEYSET_CERT_MAX; i++) {
                _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
                ASSERT_OK(crypto_cert_check_profile(c[i], keyset_cert_profile(i), NULL));
                ASSERT_OK(crypto_cert_verify_issued(c[i], c[keyset_cert_issuer(i)], now, NULL));
                ASSERT_OK(keyset_load_key(k, i, &key));
                ASSERT_OK(crypto_cert_matches_key(c[i], key));
        }
        /* The UEFI chain is PK -> KEK -> db, not anything else. */
        ASSERT_ERRNO(crypto_cert_verify_issued(c[KEYSET_UEFI_DB], c[KEYSET_UEFI_PK], now, NULL),
                     -EKEYREJECTED);
        for (size_t i = 0; i < _KEYSET_CERT_MAX; i++)
                crypto_cert_free(c[i]);
}

TEST(esl_contents) {
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ EfiSignature *s = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *db = NULL, *prov = NULL;
        _cleanup_free_ uint8_t *d1 = NULL, *d2 = NULL;
        size_t n, count, n1, n2;

        ASSERT_OK(keyset_open(ks, &k));
        ASSERT_OK(read_full_file(at(ks, "efi/db.esl"), EFI_SIGLIST_MAX, &buf, &n));
        ASSERT_OK(efi_siglist_parse(buf, n, &s, &count));
        ASSERT_EQ(count, 2);
        ASSERT_OK(keyset_load_cert(k, KEYSET_UEFI_DB, &db));
        ASSERT_OK(keyset_load_cert(k, KEYSET_UEFI_DB_PROVISION, &prov));
        ASSERT_OK(crypto_cert_to_der(db, &d1, &n1));
        ASSERT_OK(crypto_cert_to_der(prov, &d2, &n2));
        ASSERT_TRUE(s[0].size == n1 && memcmp(s[0].data, d1, n1) == 0);
        ASSERT_TRUE(s[1].size == n2 && memcmp(s[1].data, d2, n2) == 0);
        ASSERT_TRUE(memcmp(s[0].owner, k->owner_guid, 16) == 0);
        ASSERT_TRUE(memcmp(s[1].owner, k->owner_guid, 16) == 0);
}

TEST(create_refusals) {
        _cleanup_free_ char *full = path_join(dir, "full"), *file = path_join(dir, "file");
        _cleanup_closedir_ DIR *d = NULL;

        ASSERT_OK(mkdir(full, 0755));
        ASSERT_OK(write_file_atomic(at(full, "x"), "x", 1, 0644, 0));
        ASSERT_ERRNO(keyset_create(full, "Org"), -ENOTEMPTY);
        ASSERT_ERRNO(keyset_create(ks, "Org"), -ENOTEMPTY);
        ASSERT_OK(write_file_atomic(file, "x", 1, 0644, 0));
        ASSERT_ERRNO(keyset_create(file, "Org"), -ENOTDIR);
        ASSERT_ERRNO(keyset_create(at(dir, "new"), ""), -EINVAL);
        ASSERT_ERRNO(keyset_create(at(dir, "new"), " leading"), -EINVAL);
        ASSERT_ERRNO(keyset_create(at(dir, "new"), "0123456789012345678901234567890123456789x"),
                     -EINVAL);
        ASSERT_ERRNO(keyset_create(at(dir, "no/such/parent"), "Org"), -ENOENT);
        /* Nothing temporary left behind. */
        d = opendir(dir);
        ASSERT_NOT_NULL(d);
        for (struct dirent *de; (de = readdir(d));)
                ASSERT_FALSE(startswith(de->d_name, ".#"));
}

TEST(open_refuses_malformed_keyset_json) {
        static const char *bad[] = {
                "{\"format\":1,\"org\":\"x\",\"owner-guid\":\"e1d55de3-2662-43cf-98b5-"
                "af0826e13d8b\"}",
                "{\"format\":2,\"org\":\"x\",\"owner-guid\":\"e1d55de3-2662-43cf-98b5-"
                "af0826e13d8b\","
                "\"created\":\"2024-01-01T00:00:00Z\"}",
                "{\"format\":1,\"org\":\"x\",\"owner-guid\":\"E1D55DE3-2662-43cf-98b5-"
                "af0826e13d8b\","
                "\"created\":\"2024-01-01T00:00:00Z\"}",
                "{\"format\":1,\"org\":\"x\",\"owner-guid\":\"e1d55de3-2662-43cf-98b5-"
                "af0826e13d8b\","
                "\"created\":\"2024-01-01T00:00:00Z\",\"extra\":1}",
                "{\"format\":1,\"format\":1,\"org\":\"x\",\"owner-guid\":\"e1d55de3-2662-43cf-98b5-"
                "af0826e13d8b\",\"created\":\"2024-01-01T00:00:00Z\"}",
        };
        _cleanup_free_ char *d = path_join(dir, "badks");
        Keyset *k = NULL;

        ASSERT_OK(mkdir(d, 0700));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                (void) unlink(at(d, "keyset.json"));
                ASSERT_OK(write_file_atomic(at(d, "keyset.json"), bad[i], strlen(bad[i]), 0644, 0));
                ASSERT_ERRNO(keyset_open(d, &k), -EBADMSG);
        }
        ASSERT_ERRNO(keyset_open(at(dir, "nonexistent"), &k), -ENOENT);
        ASSERT_NULL(k);
}

TEST(products) {
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_(keyset_product_freep) KeysetProduct *a = NULL, *b = NULL, *loaded = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        _cleanup_strv_free_ char **names = NULL;
        uint8_t fixed[16], u[16];

        ASSERT_OK(keyset_open(ks, &k));
        ASSERT_OK(keyset_product_add(k, "hello", NULL, &a));
        ASSERT_OK(uuid_from_string("2f0b3c0e-8d55-4b5e-9a57-0c6c1a7f3a11", fixed));
        ASSERT_OK(keyset_product_add(k, "other-1", fixed, &b));
        ASSERT_TRUE(memcmp(b->uuid, fixed, 16) == 0);
        ASSERT_OK(crypto_cert_product_uuid(b->cert, u));
        ASSERT_TRUE(memcmp(u, fixed, 16) == 0);

        ASSERT_ERRNO(keyset_product_add(k, "hello", NULL, NULL), -EEXIST);
        ASSERT_ERRNO(keyset_product_add(k, "third", fixed, NULL), -EADDRINUSE);
        ASSERT_ERRNO(keyset_product_add(k, "Upper", NULL, NULL), -EINVAL);
        ASSERT_ERRNO(keyset_product_add(k, "-x", NULL, NULL), -EINVAL);
        ASSERT_ERRNO(keyset_product_add(k, "../x", NULL, NULL), -EINVAL);
        ASSERT_ERRNO(keyset_product_add(k, "nil", (const uint8_t[16]){}, NULL), -EINVAL);

        ASSERT_OK(keyset_product_list(k, &names));
        ASSERT_EQ(strv_length(names), 2);
        ASSERT_STREQ(names[0], "hello");
        ASSERT_STREQ(names[1], "other-1");

        ASSERT_OK(keyset_product_load(k, "hello", &loaded));
        ASSERT_TRUE(memcmp(loaded->uuid, a->uuid, 16) == 0);
        ASSERT_OK(keyset_product_load_key(k, loaded, &key));
        ASSERT_OK(crypto_cert_matches_key(loaded->cert, key));
        ASSERT_EQ(file_mode(at(ks, "products/hello/manifest.key")), 0600);
        ASSERT_ERRNO(keyset_product_load(k, "missing", &b), -ENOENT);
}

TEST(product_inconsistencies_refused) {
        _cleanup_(keyset_freep) Keyset *k = NULL;
        KeysetProduct *p = NULL;
        const char *json =
                "{\"name\":\"other-1\",\"uuid\":\"2f0b3c0e-8d55-4b5e-9a57-0c6c1a7f3a12\"}";
        _cleanup_free_ char *orig = NULL;
        size_t n;

        ASSERT_OK(keyset_open(ks, &k));
        ASSERT_OK(read_full_file(at(ks, "products/other-1/product.json"), 4096, &orig, &n));
        /* product.json names another UUID than the certificate carries. */
        ASSERT_OK(write_file_atomic(at(ks, "products/other-1/product.json"), json, strlen(json),
                                    0644, 0));
        ASSERT_ERRNO(keyset_product_load(k, "other-1", &p), -EBADMSG);
        /* The hello certificate in the other product's place. */
        ASSERT_OK(write_file_atomic(at(ks, "products/other-1/product.json"), orig, n, 0644, 0));
        ASSERT_OK(rename(at(ks, "products/other-1/manifest.crt"), at(dir, "saved.crt")));
        ASSERT_OK(link(at(ks, "products/hello/manifest.crt"),
                       at(ks, "products/other-1/manifest.crt")));
        ASSERT_ERRNO(keyset_product_load(k, "other-1", &p), -EBADMSG);
        ASSERT_OK(rename(at(dir, "saved.crt"), at(ks, "products/other-1/manifest.crt")));
        ASSERT_OK(keyset_product_load(k, "other-1", &p));
        p = keyset_product_free(p);
}

TEST(devices) {
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *c1 = NULL, *c2 = NULL, *sudi = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *tpm = NULL, *rsa = NULL, *key = NULL;
        _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
        _cleanup_free_ char *serial = NULL, *der = NULL;
        uint8_t u[16];
        size_t n;

        ASSERT_OK(keyset_open(ks, &k));
        ASSERT_OK(keyset_product_load(k, "hello", &p));
        ASSERT_OK(keyset_load_cert(k, KEYSET_SUDI_CA, &sudi));

        ASSERT_OK(keyset_device_add(k, "hello", "SN-1", at(dir, "dev1"), NULL, &c1));
        ASSERT_EQ(file_mode(at(dir, "dev1/device.key")), 0600);
        ASSERT_OK(crypto_key_load_private_pem(at(dir, "dev1/device.key"), &key));
        ASSERT_OK(crypto_cert_matches_key(c1, key));
        ASSERT_OK(read_full_file(at(dir, "dev1/device.der"), 4096, &der, &n));
        ASSERT_OK(crypto_cert_data_product_uuid(der, n, u));
        ASSERT_TRUE(memcmp(u, p->uuid, 16) == 0);
        ASSERT_OK(crypto_cert_data_device_serial(der, n, &serial));
        ASSERT_STREQ(serial, "SN-1");
        ASSERT_OK(crypto_cert_check_profile(c1, CERT_PROFILE_DEVICE_IDENTITY, NULL));
        ASSERT_OK(crypto_cert_verify_issued(c1, sudi, (int64_t) time(NULL), NULL));
        ASSERT_EQ(file_mode(at(ks, "products/hello/devices/SN-1.crt")), 0644);

        /* A key made elsewhere: no device.key is written. */
        ASSERT_OK(crypto_key_generate(KEY_EC_P256, &tpm));
        ASSERT_OK(keyset_device_add(k, "hello", "SN-2", at(dir, "dev2"), tpm, &c2));
        ASSERT_OK(crypto_cert_matches_key(c2, tpm));
        ASSERT_EQ(file_mode(at(dir, "dev2/device.key")), -ENOENT);

        ASSERT_ERRNO(keyset_device_add(k, "hello", "SN-1", at(dir, "dev3"), NULL, NULL),
                     -EADDRINUSE);
        ASSERT_EQ(file_mode(at(dir, "dev3/device.crt")), -ENOENT);
        /* OUTDIR already holds device files: nothing is replaced, the serial stays free. */
        ASSERT_ERRNO(keyset_device_add(k, "hello", "SN-3", at(dir, "dev1"), NULL, NULL), -EEXIST);
        ASSERT_EQ(file_mode(at(ks, "products/hello/devices/SN-3.crt")), -ENOENT);
        ASSERT_OK(keyset_device_add(k, "hello", "SN-3", at(dir, "dev3"), NULL, NULL));

        ASSERT_ERRNO(keyset_device_add(k, "hello", "bad serial", at(dir, "dev4"), NULL, NULL),
                     -EINVAL);
        ASSERT_ERRNO(keyset_device_add(k, "nope", "SN-4", at(dir, "dev4"), NULL, NULL), -ENOENT);
        ASSERT_OK(crypto_key_generate(KEY_RSA_2048, &rsa));
        ASSERT_ERRNO(keyset_device_add(k, "hello", "SN-4", at(dir, "dev4"), rsa, NULL), -EINVAL);
}

int main(void) {
        if (!mkdtemp(dir))
                tap_skip_all("cannot create a temporary directory");
        RUN(create_layout);
        RUN(certificates_have_their_profiles_and_chains);
        RUN(esl_contents);
        RUN(create_refusals);
        RUN(open_refuses_malformed_keyset_json);
        RUN(products);
        RUN(product_inconsistencies_refused);
        RUN(devices);
        free(ks);
        {
                _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", dir);
                if (cmd)
                        (void) system(cmd);
        }
        return tap_done();
}
