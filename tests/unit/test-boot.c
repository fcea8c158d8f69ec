/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "boot.h"
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

int main(void) {
        RUN(defaults);
        RUN(options);
        RUN(refusals_name_the_option);
        RUN(format_usec);
        RUN(phases_and_reasons);
        return tap_done();
}
