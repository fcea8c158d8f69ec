/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos disk create: the appliance's installable disk image. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "disk.h"
#include "exit-code.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "path-util.h"
#include "string-util.h"
#include "uki.h"
#include "verb-disk.h"
#include "verb-util.h"
#include "verbs.h"

static int parse_size(const char *s, uint64_t *ret) {
        /* Bytes, or with a K/M/G suffix (powers of 1024). */
        _cleanup_free_ char *num = NULL;
        uint64_t v, mult = 1;
        size_t n = strlen(s);

        if (n == 0)
                return -EINVAL;
        switch (s[n - 1]) {
        case 'K':
                mult = UINT64_C(1) << 10;
                break;
        case 'M':
                mult = UINT64_C(1) << 20;
                break;
        case 'G':
                mult = UINT64_C(1) << 30;
                break;
        }
        num = strndup(s, mult > 1 ? n - 1 : n);
        if (!num)
                return -ENOMEM;
        if (safe_atou64(num, &v) < 0 || v == 0 || v > UINT64_MAX / mult)
                return -EINVAL;
        *ret = v * mult;
        return 0;
}

int verb_disk_create(int argc, char *argv[]) {
        enum {
                ARG_KEYSET = 0x100,
                ARG_PRODUCT,
                ARG_MANIFEST,
                ARG_LAYOUT,
                ARG_OUT,
                ARG_UKI,
                ARG_BOOT_LOADER,
                ARG_NAME,
                ARG_TRIES,
                ARG_ESP_SIZE,
                ARG_DATA_SIZE,
                ARG_STORE_SIZE,
                ARG_BOOT_ONLY
        };
        static const struct option options[] = {
                { "keyset", required_argument, NULL, ARG_KEYSET },
                { "product", required_argument, NULL, ARG_PRODUCT },
                { "manifest", required_argument, NULL, ARG_MANIFEST },
                { "layout", required_argument, NULL, ARG_LAYOUT },
                { "out", required_argument, NULL, ARG_OUT },
                { "uki", required_argument, NULL, ARG_UKI },
                { "boot-loader", required_argument, NULL, ARG_BOOT_LOADER },
                { "name", required_argument, NULL, ARG_NAME },
                { "tries", required_argument, NULL, ARG_TRIES },
                { "esp-size", required_argument, NULL, ARG_ESP_SIZE },
                { "data-size", required_argument, NULL, ARG_DATA_SIZE },
                { "store-size", required_argument, NULL, ARG_STORE_SIZE },
                { "boot-only", no_argument, NULL, ARG_BOOT_ONLY },
                {},
        };
        const char *keyset = NULL, *product = NULL, *manifest = NULL, *layout = NULL, *out = NULL,
                   *boot_loader = UKI_SYSTEMD_BOOT_DEFAULT, *name = "machineos", *epoch,
                   *uki_path = NULL;
        _cleanup_(crypto_signer_freep) CryptoSigner *signer = NULL;
        _cleanup_(pe_image_freep) PeImage *loader = NULL, *uki = NULL;
        _cleanup_(disk_content_done) DiskContent content = { 0 };
        _cleanup_free_ uint8_t *uki_bytes = NULL;
        DiskParams p = { .boot_tries = DISK_DEFAULT_BOOT_TRIES };
        uint8_t seed[2 * SHA256_DIGEST_SIZE] = { 0 };
        bool boot_only = false;
        DiskLayout L;
        unsigned tries;
        uint64_t t;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_KEYSET:
                        keyset = optarg;
                        break;
                case ARG_PRODUCT:
                        product = optarg;
                        break;
                case ARG_MANIFEST:
                        manifest = optarg;
                        break;
                case ARG_LAYOUT:
                        layout = optarg;
                        break;
                case ARG_OUT:
                        out = optarg;
                        break;
                case ARG_UKI:
                        uki_path = optarg;
                        break;
                case ARG_BOOT_LOADER:
                        boot_loader = optarg;
                        break;
                case ARG_NAME:
                        if (!filename_is_valid(optarg) || strchr(optarg, '+') ||
                            !string_is_printable_ascii(optarg, strlen(optarg)))
                                return verb_usage_error(
                                        argv[0], "--name must be a file name without '+', got '%s'",
                                        optarg);
                        name = optarg;
                        break;
                case ARG_TRIES:
                        if (safe_atou(optarg, &tries) < 0 || tries > 9)
                                return verb_usage_error(argv[0], "--tries must be 0..9, got '%s'",
                                                        optarg);
                        p.boot_tries = tries;
                        break;
                case ARG_ESP_SIZE:
                case ARG_DATA_SIZE:
                case ARG_STORE_SIZE:
                        if (parse_size(optarg, c == ARG_ESP_SIZE    ? &p.esp_size
                                               : c == ARG_DATA_SIZE ? &p.data_size
                                                                    : &p.store_size) < 0)
                                return verb_usage_error(
                                        argv[0], "invalid size '%s' (bytes, or with K, M, G)",
                                        optarg);
                        break;
                case ARG_BOOT_ONLY:
                        boot_only = true;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 0, 0, "");
        if (r != 0)
                return r;
        if (!keyset || !out || !uki_path)
                return verb_usage_error(argv[0], "--keyset, --uki and --out are required");
        if (boot_only && (product || manifest || layout))
                return verb_usage_error(argv[0],
                                        "--boot-only excludes --product, --manifest and --layout");
        if (!boot_only && (!product || !manifest || !layout))
                return verb_usage_error(
                        argv[0],
                        "--product, --manifest and --layout are required (or --boot-only)");

        epoch = secure_getenv("SOURCE_DATE_EPOCH");
        if (epoch && safe_atou64(epoch, &t) >= 0)
                p.timestamp = t;
        else if (epoch)
                return log_error_errno(EINVAL, "Invalid $SOURCE_DATE_EPOCH '%s'.", epoch);

        /* The UKI must be one this keyset's firmware accepts: refuse anything else here rather
         * than at the first boot. */
        r = pe_image_load(uki_path, &uki);
        if (r < 0)
                return log_error_errno(r, "Failed to read UKI '%s': %m", uki_path);
        r = uki_verify(uki, keyset);
        if (r == -ENOENT || r == -EKEYREJECTED)
                return log_error_errno(
                        EKEYREJECTED,
                        "Refused UKI '%s': it is not signed by the db keys of keyset '%s'",
                        uki_path, keyset);
        if (r < 0)
                return log_error_errno(r, "Failed to verify UKI '%s': %m", uki_path);
        /* The ESP gets the bytes just verified, not the file read again (a copy: the
         * Authenticode digest below strips the signature in place). */
        {
                const uint8_t *d = pe_image_data(uki, &p.uki_size);
                uki_bytes = malloc(p.uki_size);
                if (!uki_bytes)
                        return log_oom();
                memcpy(uki_bytes, d, p.uki_size);
                p.uki = uki_bytes;
        }
        r = pe_image_authenticode_digest(uki, seed);
        if (r < 0)
                return log_error_errno(r, "Failed to hash UKI '%s': %m", uki_path);

        if (!boot_only) {
                _cleanup_free_ char *error = NULL;

                r = disk_content_from_manifest(keyset, product, manifest, layout, &content, &error);
                if (r < 0 && errno_is_refusal(r))
                        return log_error_errno(r, "Refused manifest '%s' for product '%s': %s",
                                               manifest, product, error ?: strerror(-r));
                if (r < 0)
                        return log_error_errno(r, "Failed to read manifest '%s' or layout '%s': %s",
                                               manifest, layout, error ?: strerror(-r));
                p.config_files = content.config;
                p.n_config_files = content.n_config;
                p.store_files = content.store;
                p.n_store_files = content.n_store;
                /* The manifest's storage sizes are minimums. */
                p.data_size = MAX(p.data_size ?: DISK_DEFAULT_DATA_SIZE, content.data_size);
                p.store_min_size = content.store_size;
                memcpy(seed + SHA256_DIGEST_SIZE, content.manifest_digest, SHA256_DIGEST_SIZE);
        }
        /* GUIDs and volume ids derive from the UKI and the manifest. */
        r = crypto_sha256(seed, sizeof seed, p.seed);
        if (r < 0)
                return log_error_errno(r, "Failed to hash: %m");

        r = uki_load_signer(keyset, false, &signer);
        if (r < 0)
                return log_error_errno(r, "Failed to load uefi-db of keyset '%s': %m", keyset);
        r = uki_sign_binary(boot_loader, signer, &loader);
        if (r < 0)
                return log_error_errno(r, "Failed to sign boot loader '%s': %m", boot_loader);
        p.boot_loader = pe_image_data(loader, &p.boot_loader_size);
        p.uki_name = name;

        r = disk_create(&p, out, &L);
        if (r == -ENOSPC)
                return log_error_errno(
                        r,
                        "Failed to write '%s': the files do not fit into the partition sizes given",
                        out);
        if (r == -ERANGE)
                return log_error_errno(r,
                                       "Failed to write '%s': a partition size is outside FAT32's "
                                       "range (at least 34 MiB)",
                                       out);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        printf("%s: %llu bytes: esp %llu MiB, config %llu MiB, store %llu MiB, data %llu MiB\n",
               out, (unsigned long long) L.disk_size, (unsigned long long) (L.size[0] >> 20),
               (unsigned long long) (L.size[1] >> 20), (unsigned long long) (L.size[2] >> 20),
               (unsigned long long) (L.size[3] >> 20));
        return 0;
}
