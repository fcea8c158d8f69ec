/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos uki build|sign|verify: signed unified kernel images and boot loaders. */

#include <getopt.h>
#include <stdio.h>

#include "exit-code.h"
#include "fileio.h"
#include "log.h"
#include "string-util.h"
#include "uki.h"
#include "verb-uki.h"
#include "verb-util.h"
#include "verbs.h"

#define OS_RELEASE_MAX (64u * 1024)

static int signer_error(int r, const char *keyset) {
        if (r == -ENOKEY)
                return log_error_errno(r,
                                       "Failed to load the signing key of keyset '%s': "
                                       "uefi-db.key or uefi-db.crt is missing",
                                       keyset);
        if (r == -EKEYREJECTED)
                return log_error_errno(r,
                                       "Failed to load the signing key of keyset '%s': "
                                       "the certificate does not belong to the key",
                                       keyset);
        return log_error_errno(r, "Failed to load the signing key of keyset '%s': %m", keyset);
}

int verb_uki_build(int argc, char *argv[]) {
        enum {
                ARG_KEYSET = 0x100,
                ARG_KERNEL,
                ARG_INITRD,
                ARG_CMDLINE,
                ARG_OUT,
                ARG_STUB,
                ARG_OS_RELEASE,
                ARG_PROVISION,
                ARG_UNSIGNED
        };
        static const struct option options[] = {
                { "keyset", required_argument, NULL, ARG_KEYSET },
                { "kernel", required_argument, NULL, ARG_KERNEL },
                { "initrd", required_argument, NULL, ARG_INITRD },
                { "cmdline", required_argument, NULL, ARG_CMDLINE },
                { "out", required_argument, NULL, ARG_OUT },
                { "stub", required_argument, NULL, ARG_STUB },
                { "os-release", required_argument, NULL, ARG_OS_RELEASE },
                { "provision", no_argument, NULL, ARG_PROVISION },
                { "unsigned", no_argument, NULL, ARG_UNSIGNED },
                {},
        };
        const char *keyset = NULL, *out = NULL, *os_release = NULL;
        _cleanup_(crypto_signer_freep) CryptoSigner *signer = NULL;
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        _cleanup_free_ char *osrel = NULL;
        UkiParams p = { 0 };
        bool provision = false, unsigned_ = false;
        size_t n;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_KEYSET:
                        keyset = optarg;
                        break;
                case ARG_KERNEL:
                        p.kernel = optarg;
                        break;
                case ARG_INITRD:
                        p.initrd = optarg;
                        break;
                case ARG_CMDLINE:
                        p.cmdline = optarg;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_STUB:
                        p.stub = optarg;
                        break;
                case ARG_OS_RELEASE:
                        os_release = optarg;
                        break;
                case ARG_PROVISION:
                        provision = true;
                        break;
                case ARG_UNSIGNED:
                        unsigned_ = true;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 0, 0, "");
        if (r != 0)
                return r;
        if (!p.kernel || !out)
                return verb_usage_error(argv[0], "--kernel and --out are required");
        if (!keyset && !unsigned_)
                return verb_usage_error(argv[0], "--keyset is required (or --unsigned)");
        if (keyset && unsigned_)
                return verb_usage_error(argv[0], "--keyset and --unsigned exclude each other");
        if (p.cmdline && strlen(p.cmdline) > UKI_CMDLINE_MAX)
                return verb_usage_error(argv[0], "--cmdline is longer than %u bytes",
                                        UKI_CMDLINE_MAX);
        if (p.cmdline && !string_is_printable_ascii(p.cmdline, strlen(p.cmdline)))
                return verb_usage_error(argv[0], "--cmdline must be printable ASCII");

        if (os_release) {
                r = read_full_file(os_release, OS_RELEASE_MAX, &osrel, &n);
                if (r < 0)
                        return log_error_errno(r, "Failed to read '%s': %m", os_release);
                p.os_release = osrel;
        }
        if (keyset) {
                r = uki_load_signer(keyset, provision, &signer);
                if (r < 0)
                        return signer_error(r, keyset);
        }
        r = uki_build(&p, signer, &img);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "Failed to build UKI: '%s' is not a PE/COFF EFI stub or "
                                       "'%s' is not an x86 bzImage",
                                       p.stub ?: UKI_STUB_DEFAULT, p.kernel);
        if (r < 0)
                return log_error_errno(r, "Failed to build UKI '%s': %m", out);
        r = pe_image_write(img, out);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        (void) pe_image_data(img, &n);
        log_info("Wrote %s: %zu bytes, %s.", out, n,
                 signer ? (provision ? "signed with uefi-db-provision" : "signed with uefi-db")
                        : "UNSIGNED");
        return 0;
}

int verb_uki_sign(int argc, char *argv[]) {
        enum { ARG_KEYSET = 0x100, ARG_OUT, ARG_PROVISION };
        static const struct option options[] = {
                { "keyset", required_argument, NULL, ARG_KEYSET },
                { "out", required_argument, NULL, ARG_OUT },
                { "provision", no_argument, NULL, ARG_PROVISION },
                {},
        };
        _cleanup_(crypto_signer_freep) CryptoSigner *signer = NULL;
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        const char *keyset = NULL, *out = NULL, *in = UKI_SYSTEMD_BOOT_DEFAULT;
        bool provision = false;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_KEYSET:
                        keyset = optarg;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_PROVISION:
                        provision = true;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 0, 1, "EFI-BINARY");
        if (r != 0)
                return r;
        if (optind < argc)
                in = argv[optind];
        if (!keyset || !out)
                return verb_usage_error(argv[0], "--keyset and --out are required");

        r = uki_load_signer(keyset, provision, &signer);
        if (r < 0)
                return signer_error(r, keyset);
        r = uki_sign_binary(in, signer, &img);
        if (r == -EBADMSG)
                return log_error_errno(r, "Failed to sign '%s': not a PE/COFF image", in);
        if (r < 0)
                return log_error_errno(r, "Failed to sign '%s': %m", in);
        r = pe_image_write(img, out);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        log_info("Wrote %s (signed copy of %s).", out, in);
        return 0;
}

int verb_uki_verify(int argc, char *argv[]) {
        enum { ARG_KEYSET = 0x100 };
        static const struct option options[] = {
                { "keyset", required_argument, NULL, ARG_KEYSET },
                {},
        };
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        const char *keyset = NULL, *path;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_KEYSET:
                        keyset = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 1, "FILE");
        if (r != 0)
                return r;
        if (!keyset)
                return verb_usage_error(argv[0], "--keyset is required");
        path = argv[optind];

        r = pe_image_load(path, &img);
        if (r == -EBADMSG)
                return log_error_errno(r, "Refused '%s': not a PE/COFF image", path);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        r = uki_verify(img, keyset);
        if (r == -ENOENT)
                return log_error_errno(EKEYREJECTED, "Refused '%s': it is not signed", path);
        if (r == -EKEYREJECTED)
                return log_error_errno(r,
                                       "Refused '%s': the signature does not verify against the "
                                       "db certificates of keyset '%s' (tampered or signed by "
                                       "another key)",
                                       path, keyset);
        if (r == -ENOKEY)
                return log_error_errno(r,
                                       "Failed to verify '%s': keyset '%s' has no db certificate",
                                       path, keyset);
        if (r < 0)
                return log_error_errno(r, "Refused '%s': malformed signature: %m", path);
        log_info("%s: signature verified against keyset %s.", path, keyset);
        return 0;
}
