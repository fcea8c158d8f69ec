/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos device add */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "keyset.h"
#include "log.h"
#include "string-util.h"
#include "verb-trust.h"
#include "verb-util.h"
#include "verbs.h"

int verb_device_add(int argc, char *argv[]) {
        static const struct option options[] = {
                { "out", required_argument, NULL, 'o' },
                { "pubkey", required_argument, NULL, 'p' },
                {},
        };
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *pubkey = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *cert = NULL;
        _cleanup_free_ char *fp = NULL;
        const char *dir, *product, *serial, *outdir = NULL, *pubkey_path = NULL;
        uint8_t f[SHA256_DIGEST_SIZE];
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        outdir = optarg;
                        break;
                case 'p':
                        pubkey_path = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 3, 3, "DIR PRODUCT SERIAL");
        if (r > 0)
                return r;
        dir = argv[optind];
        product = argv[optind + 1];
        serial = argv[optind + 2];
        if (!outdir)
                return verb_usage_error(argv[0], "missing option '--out OUTDIR'");
        if (!cert_serial_number_is_valid(serial))
                return verb_usage_error(argv[0],
                                        "invalid serial number '%s': expected 1 to %d of A-Z, "
                                        "a-z, 0-9, '.' and '-', starting with a letter or digit",
                                        serial, CERT_SERIAL_NUMBER_MAX);

        if (pubkey_path) {
                KeyType t;
                r = crypto_key_load_public_pem(pubkey_path, &pubkey);
                if (r == -EBADMSG)
                        return log_error_errno(r,
                                               "Failed to load public key '%s': not a PEM "
                                               "public key (RSA-2048 or EC P-256).",
                                               pubkey_path);
                if (r < 0)
                        return log_error_errno(r, "Failed to load public key '%s': %m",
                                               pubkey_path);
                if (crypto_key_get_type(pubkey, &t) < 0 || t != KEY_EC_P256)
                        return log_error_errno(EINVAL,
                                               "Refusing public key '%s': device identity "
                                               "keys are EC P-256.",
                                               pubkey_path);
        }
        r = keyset_open(dir, &k);
        if (r < 0)
                return log_error_errno(r, "Failed to open keyset '%s': %m", dir);
        {
                _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
                r = keyset_product_load(k, product, &p);
                if (r == -ENOENT || r == -EINVAL)
                        return log_error_errno(ENOENT, "Keyset '%s' has no product '%s'.", dir,
                                               product);
                if (r < 0)
                        return log_error_errno(r, "Failed to load product '%s' of keyset '%s': %m",
                                               product, dir);
        }
        r = keyset_device_add(k, product, serial, outdir, pubkey, &cert);
        if (r == -EADDRINUSE)
                return log_error_errno(r,
                                       "Refusing to issue a second device certificate for serial "
                                       "number '%s' of product '%s'.",
                                       serial, product);
        if (r == -EEXIST)
                return log_error_errno(r,
                                       "Refusing to write device files into '%s': a device "
                                       "file exists there.",
                                       outdir);
        if (r < 0)
                return log_error_errno(r,
                                       "Failed to issue a device certificate for '%s' of "
                                       "product '%s': %m",
                                       serial, product);
        r = crypto_cert_fingerprint(cert, f);
        if (r < 0)
                return log_error_errno(r, "Failed to hash the device certificate: %m");
        fp = hexmem(f, sizeof f);
        if (!fp)
                return log_oom();
        log_info("Issued device identity certificate for '%s' of product '%s' into '%s' "
                 "(sha256 %s).",
                 serial, product, outdir, fp);
        return 0;
}
