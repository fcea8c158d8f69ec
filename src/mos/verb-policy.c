/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos policy sign: a signed PCR 7 policy for the TPM (docs/tpm.md, "Signed policy"). */

#include <getopt.h>

#include "crypto.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "path-util.h"
#include "string-util.h"
#include "tpm-policy.h"
#include "verb-options.h"
#include "verbs.h"

int verb_policy_sign(int argc, char *argv[]);

int verb_policy_sign(int argc, char *argv[]) {
        static const struct option options[] = {
                { "keyset", required_argument, NULL, 'k' },
                { "pcr7", required_argument, NULL, 'p' },
                { "revision", required_argument, NULL, 'r' },
                { "out", required_argument, NULL, 'o' },
                {},
        };
        const char *keyset = NULL, *pcr_hex = NULL, *revision_s = NULL, *out = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        _cleanup_free_ char *key_path = NULL, *doc = NULL;
        uint8_t pcr7[SHA256_DIGEST_SIZE];
        uint64_t revision;
        size_t n;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        keyset = optarg;
                        break;
                case 'p':
                        pcr_hex = optarg;
                        break;
                case 'r':
                        revision_s = optarg;
                        break;
                case 'o':
                        out = optarg;
                        break;
                default:
                        return verb_option_error(argv, c);
                }
        if (!keyset || !pcr_hex || !revision_s || !out)
                return verb_usage_error(argv[0], "--keyset, --pcr7, --revision and --out are "
                                                 "required");
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        if (strlen(pcr_hex) != 2 * SHA256_DIGEST_SIZE ||
            unhexmem_fixed(pcr_hex, pcr7, sizeof pcr7) < 0)
                return verb_usage_error(argv[0], "invalid --pcr7 '%s', expected 64 hex digits",
                                        pcr_hex);
        if (safe_atou64(revision_s, &revision) < 0 || revision > INT64_MAX)
                return verb_usage_error(argv[0], "invalid --revision '%s', expected a number",
                                        revision_s);

        key_path = path_join(keyset, "tpm-policy.key");
        if (!key_path)
                return log_oom();
        r = crypto_key_load_private_pem(key_path, &key);
        if (r == -EBADMSG)
                return log_error_errno(r, "Failed to load '%s': not an EC P-256 private key",
                                       key_path);
        if (r < 0)
                return log_error_errno(r, "Failed to load '%s': %m", key_path);
        r = tpm_signed_policy_make(key, pcr7, revision, &doc, &n);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "Failed to sign with '%s': the tpm-policy key must be "
                                       "EC P-256",
                                       key_path);
        if (r < 0)
                return log_error_errno(r, "Failed to sign the policy: %m");
        r = write_file_atomic(out, doc, n, 0644, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        return 0;
}
