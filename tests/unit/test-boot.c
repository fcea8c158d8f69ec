/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "crypto.h"
#include "fileio.h"
#include "keyset.h"
#include "path-util.h"
#include "string-util.h"
#include "tap.h"

static int parse(const char *cmdline, BootOptions *o, char **error) {
        return boot_options_parse(cmdline, strlen(cmdline), o, error);
}

TEST(defaults) {
        BootOptions o;

        ASSERT_OK(parse("console=ttyS0 quiet", &o, NULL));
        ASSERT_EQ(o.mode, BOOT_MODE_PRODUCTION);
        ASSERT_STREQ(o.handover, BOOT_DEFAULT_HANDOVER);
        ASSERT_EQ(o.device_timeout_usec, BOOT_DEFAULT_DEVICE_TIMEOUT_SEC * 1000000ull);
        ASSERT_NULL(o.tcti);
        ASSERT_FALSE(o.debug);
        boot_options_done(&o);
}

TEST(options) {
        BootOptions o;

        ASSERT_OK(parse("mos.mode=provision mos.handover=/usr/lib/x mos.device_timeout=5 "
                        "mos.tcti=device:/dev/tpm0 mos.debug",
                        &o, NULL));
        ASSERT_EQ(o.mode, BOOT_MODE_PROVISION);
        ASSERT_STREQ(o.handover, "/usr/lib/x");
        ASSERT_EQ(o.device_timeout_usec, 5000000ull);
        ASSERT_STREQ(o.tcti, "device:/dev/tpm0");
        ASSERT_TRUE(o.debug);
        boot_options_done(&o);
}

TEST(refusals_name_the_option) {
        static const struct {
                const char *cmdline, *message;
        } bad[] = {
                { "mos.mode=factory", "mos.mode='factory' is neither" },
                { "mos.handover=usr/bin/x", "mos.handover='usr/bin/x' is not an absolute" },
                { "mos.handover=/usr/../x", "is not an absolute, normalised path" },
                { "mos.device_timeout=0", "mos.device_timeout='0'" },
                { "mos.device_timeout=601", "(1..600)" },
                { "mos.device_timeout=5s", "is not a number of seconds" },
                { "mos.tcti=", "mos.tcti is empty" },
                { "a=\"b", "unterminated quote" },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *error = NULL;
                BootOptions o;

                ASSERT_ERRNO(parse(bad[i].cmdline, &o, &error), -EINVAL);
                ASSERT_NOT_NULL(error);
                if (error && !strstr(error, bad[i].message))
                        tap_fail("'%s' -> '%s'", bad[i].cmdline, error);
        }
}

TEST(format_usec) {
        char b[32];

        boot_format_usec(57600, b, sizeof b);
        ASSERT_STREQ(b, "58 ms");
        boot_format_usec(1234567, b, sizeof b);
        ASSERT_STREQ(b, "1.234 s");
        boot_format_usec(0, b, sizeof b);
        ASSERT_STREQ(b, "0 ms");
}

static char said[8][256];
static unsigned n_said;

static void collect(const char *line, void *userdata) {
        (void) userdata;
        if (n_said < ELEMENTSOF(said))
                (void) strscpy(said[n_said++], sizeof said[0], line);
}

TEST(phases_and_reasons) {
        _cleanup_(boot_freep) Boot *b = boot_new(collect, NULL);
        const BootPhase *p;

        ASSERT_NOT_NULL(b);
        ASSERT_STREQ(boot_reason(b), "");
        boot_phase_begin(b, "unseal");
        boot_phase_end(b);
        ASSERT_EQ(boot_phases(b, &p), 1);
        ASSERT_STREQ(p[0].name, "unseal");
        ASSERT_TRUE(p[0].end_usec >= p[0].start_usec);
        ASSERT_EQ(n_said, 2);
        ASSERT_TRUE(startswith(said[0], "phase unseal: started at ") != NULL);
        ASSERT_TRUE(startswith(said[1], "phase unseal: done in ") != NULL);
        ASSERT_ERRNO(boot_fail(b, -EPERM, "the TPM said %s", "no"), -EPERM);
        ASSERT_STREQ(boot_reason(b), "the TPM said no");
}

static char dir[] = "/tmp/test-boot-XXXXXX";

static int der_of(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
        int r = crypto_cert_load(path, &c);
        return r < 0 ? r : crypto_cert_to_der(c, ret, ret_size);
}

/* The check mos-init makes before factory boot 2 stores the identity certificate and before
 * every boot uses its product (tests/vm/test-boot.sh mounts the factory case in a VM). */
TEST(identity_certificate_issuer) {
        _cleanup_(keyset_freep) Keyset *ks = NULL, *other = NULL;
        _cleanup_free_ char *ks_dir = path_join(dir, "ks"), *other_dir = path_join(dir, "other"),
                            *dev_dir = path_join(dir, "dev"),
                            *foreign_dir = path_join(dir, "foreign"),
                            *sudi = path_join(ks_dir, "sudi-ca.crt"),
                            *manifest_ca = path_join(ks_dir, "manifest-ca.crt"),
                            *dev = path_join(dev_dir, "device.crt"),
                            *foreign = path_join(foreign_dir, "device.crt"),
                            *signer = path_join(ks_dir, "products/p/manifest.crt");
        _cleanup_free_ uint8_t *d_dev = NULL, *d_foreign = NULL, *d_signer = NULL, *d_ca = NULL;
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL, *e6 = NULL;
        size_t n_dev, n_foreign, n_signer, n_ca;
        uint8_t uuid[16];

        ASSERT_OK(keyset_create(ks_dir, "tests"));
        ASSERT_OK(keyset_create(other_dir, "another vendor"));
        ASSERT_OK(keyset_open(ks_dir, &ks));
        ASSERT_OK(keyset_open(other_dir, &other));
        ASSERT_OK(crypto_random_bytes(uuid, sizeof uuid));
        uuid[6] = (uuid[6] & 0x0f) | 0x40;
        uuid[8] = (uuid[8] & 0x3f) | 0x80;
        ASSERT_OK(keyset_product_add(ks, "p", uuid, NULL));
        ASSERT_OK(keyset_product_add(other, "p", uuid, NULL)); /* the same product UUID */
        ASSERT_OK(keyset_device_add(ks, "p", "SN-1", dev_dir, NULL, NULL));
        ASSERT_OK(keyset_device_add(other, "p", "SN-1", foreign_dir, NULL, NULL));
        ASSERT_OK(der_of(dev, &d_dev, &n_dev));
        ASSERT_OK(der_of(foreign, &d_foreign, &n_foreign));
        ASSERT_OK(der_of(signer, &d_signer, &n_signer));

        ASSERT_OK(boot_check_identity_certificate(sudi, d_dev, n_dev, &e1));
        /* Another vendor's device CA, same product UUID. */
        ASSERT_ERRNO(boot_check_identity_certificate(sudi, d_foreign, n_foreign, &e2),
                     -EKEYREJECTED);
        ASSERT_NOT_NULL(e2);
        /* A certificate of the right vendor but not a device identity (the manifest signer). */
        ASSERT_ERRNO(boot_check_identity_certificate(sudi, d_signer, n_signer, &e3), -EKEYREJECTED);
        ASSERT_NOT_NULL(e3);
        /* Issued by (here: is) sudi-ca, but not of the device-identity profile: the CA itself. */
        ASSERT_OK(der_of(sudi, &d_ca, &n_ca));
        ASSERT_ERRNO(boot_check_identity_certificate(sudi, d_ca, n_ca, &e6), -EKEYREJECTED);
        ASSERT_NOT_NULL(e6);
        /* The device certificate checked against the wrong CA of the same keyset. */
        ASSERT_ERRNO(boot_check_identity_certificate(manifest_ca, d_dev, n_dev, &e4),
                     -EKEYREJECTED);
        /* Not a certificate at all; no CA. */
        ASSERT_ERRNO(boot_check_identity_certificate(sudi, (const uint8_t *) "junk", 4, &e5),
                     -EKEYREJECTED);
        ASSERT_STREQ(e5, "not an X.509 certificate");
        ASSERT_ERRNO(boot_check_identity_certificate("/nonexistent/ca.crt", d_dev, n_dev, NULL),
                     -ENOENT);
}

int main(void) {
        if (!mkdtemp(dir))
                tap_skip_all("cannot create a temporary directory");
        RUN(defaults);
        RUN(options);
        RUN(refusals_name_the_option);
        RUN(format_usec);
        RUN(phases_and_reasons);
        RUN(identity_certificate_issuer);
        {
                _cleanup_free_ char *cmd = strprintf("rm -rf '%s'", dir);
                if (cmd)
                        (void) system(cmd);
        }
        return tap_done();
}
