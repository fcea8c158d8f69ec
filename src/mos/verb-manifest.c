/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos manifest build | sign | verify | show */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "fileio.h"
#include "keyset.h"
#include "log.h"
#include "manifest.h"
#include "parse-util.h"
#include "string-util.h"
#include "verb-trust.h"
#include "verb-util.h"
#include "verbs.h"

static int read_manifest_file(const char *path, char **ret, size_t *ret_size) {
        int r = read_full_file(path, MANIFEST_MAX_SIZE, ret, ret_size);

        if (r == -EFBIG)
                return log_error_errno(r, "Refusing manifest '%s': larger than %u bytes.", path,
                                       MANIFEST_MAX_SIZE);
        if (r < 0)
                return log_error_errno(r, "Failed to read manifest '%s': %m", path);
        return 0;
}

static int write_output(const char *path, const void *data, size_t size, const char *what) {
        int r = write_file_atomic(path, data, size, 0644, 0);

        if (r < 0)
                return log_error_errno(r, "Failed to write %s '%s': %m", what, path);
        return 0;
}

int verb_manifest_build(int argc, char *argv[]) {
        static const struct option options[] = {
                { "layout", required_argument, NULL, 'l' },
                { "out", required_argument, NULL, 'o' },
                { "product", required_argument, NULL, 'p' },
                { "release", required_argument, NULL, 'r' },
                {},
        };
        ManifestBuildOptions o = { .format = SPEC_AUTO };
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_free_ char *spec = NULL, *err = NULL, *out_data = NULL;
        const char *out = NULL, *path;
        uint8_t product[UUID_SIZE];
        size_t n, out_size;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'l':
                        o.layout_dir = optarg;
                        break;
                case 'o':
                        out = optarg;
                        break;
                case 'p':
                        if (uuid_from_string(optarg, product) < 0 || uuid_is_null(product))
                                return verb_usage_error(argv[0],
                                                        "invalid --product '%s': "
                                                        "expected a UUID",
                                                        optarg);
                        o.product = product;
                        break;
                case 'r':
                        if (safe_atou64(optarg, &o.release) < 0 || o.release == 0 ||
                            o.release > INT64_MAX)
                                return verb_usage_error(argv[0],
                                                        "invalid --release '%s': "
                                                        "expected 1 to %" PRId64,
                                                        optarg, INT64_MAX);
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 1, "SPEC");
        if (r > 0)
                return r;
        if (!out)
                return verb_usage_error(argv[0], "missing option '--out FILE'");
        path = argv[optind];
        if (endswith(path, ".yaml") || endswith(path, ".yml"))
                o.format = SPEC_YAML;
        else if (endswith(path, ".json"))
                o.format = SPEC_JSON;

        r = read_full_file(path, MANIFEST_MAX_SIZE, &spec, &n);
        if (r == -EFBIG)
                return log_error_errno(r, "Refusing spec '%s': larger than %u bytes.", path,
                                       MANIFEST_MAX_SIZE);
        if (r < 0)
                return log_error_errno(r, "Failed to read spec '%s': %m", path);
        r = manifest_build(spec, n, &o, &m, &err);
        if (r < 0 && err)
                return log_error_errno(r, "Invalid spec '%s': %s", path, err);
        if (r < 0)
                return log_error_errno(r, "Failed to build a manifest from '%s': %m", path);
        r = manifest_format(m, &out_data, &out_size);
        if (r < 0)
                return log_error_errno(r, "Failed to format the manifest: %m");
        r = write_output(out, out_data, out_size, "manifest");
        if (r < 0)
                return r;
        log_info("Wrote manifest '%s' (release %" PRIu64 ", %zu targets).", out, m->release,
                 m->n_targets);
        return 0;
}

int verb_manifest_sign(int argc, char *argv[]) {
        static const struct option options[] = {
                { "keyset", required_argument, NULL, 'k' },
                { "product", required_argument, NULL, 'p' },
                {},
        };
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL, *sig_path = NULL;
        _cleanup_free_ uint8_t *sig = NULL;
        const char *keyset = NULL, *product = NULL, *path;
        char a[UUID_STRING_MAX], b[UUID_STRING_MAX];
        size_t n, sig_size;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        keyset = optarg;
                        break;
                case 'p':
                        product = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 1, "FILE");
        if (r > 0)
                return r;
        if (!keyset)
                return verb_usage_error(argv[0], "missing option '--keyset DIR'");
        if (!product)
                return verb_usage_error(argv[0], "missing option '--product NAME'");
        path = argv[optind];

        r = keyset_open(keyset, &k);
        if (r < 0)
                return log_error_errno(r, "Failed to open keyset '%s': %m", keyset);
        r = keyset_product_load(k, product, &p);
        if (r == -ENOENT || r == -EINVAL)
                return log_error_errno(ENOENT, "Keyset '%s' has no product '%s'.", keyset, product);
        if (r < 0)
                return log_error_errno(r, "Failed to load product '%s' of keyset '%s': %m", product,
                                       keyset);
        r = keyset_product_load_key(k, p, &key);
        if (r < 0)
                return log_error_errno(r, "Failed to load the signing key of product '%s': %m",
                                       product);
        r = keyset_load_cert(k, KEYSET_MANIFEST_CA, &ca);
        if (r < 0)
                return log_error_errno(r, "Failed to load manifest-ca.crt of keyset '%s': %m",
                                       keyset);
        r = crypto_cert_verify_issued(p->cert, ca, (int64_t) time(NULL), &err);
        if (r < 0)
                return log_error_errno(r, "Refusing to sign with product '%s': %s", product,
                                       strempty(err));

        r = read_manifest_file(path, &data, &n);
        if (r < 0)
                return r;
        /* Sign only what an appliance would accept: a valid manifest for this product. */
        r = manifest_parse(data, n, &m, &err);
        if (r < 0)
                return log_error_errno(r, "Refusing to sign '%s': malformed manifest: %s", path,
                                       strempty(err));
        if (memcmp(m->product, p->uuid, UUID_SIZE) != 0)
                return log_error_errno(EKEYREJECTED,
                                       "Refusing to sign '%s' as product '%s': the manifest is "
                                       "for product %s, '%s' is %s.",
                                       path, product, uuid_to_string(m->product, a), product,
                                       uuid_to_string(p->uuid, b));

        r = crypto_cms_sign_detached(p->cert, key, data, n, &sig, &sig_size);
        if (r < 0)
                return log_error_errno(r, "Failed to sign '%s': %m", path);
        {
                /* What we write must verify, by the same code the appliance runs. */
                ManifestVerifyOptions vo = { .ca = ca,
                                             .product = p->uuid,
                                             .now = (int64_t) time(NULL) };
                free(err);
                err = NULL;
                r = manifest_verify(data, n, sig, sig_size, &vo, NULL, &err);
                if (r < 0)
                        return log_error_errno(r, "Signature of '%s' does not verify: %s", path,
                                               strempty(err));
        }
        sig_path = strjoin(path, ".sig");
        if (!sig_path)
                return log_oom();
        r = write_output(sig_path, sig, sig_size, "signature");
        if (r < 0)
                return r;
        log_info("Signed '%s' as product '%s': '%s'.", path, product, sig_path);
        return 0;
}

int verb_manifest_verify(int argc, char *argv[]) {
        static const struct option options[] = {
                { "ca", required_argument, NULL, 'c' },
                { "product", required_argument, NULL, 'p' },
                { "min-release", required_argument, NULL, 'm' },
                {},
        };
        ManifestVerifyOptions o = {};
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL;
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_free_ char *data = NULL, *sig = NULL, *err = NULL, *default_sig = NULL;
        const char *ca_path = NULL, *path, *sig_path;
        char text[UUID_STRING_MAX];
        uint8_t product[UUID_SIZE];
        size_t n, sig_size;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        ca_path = optarg;
                        break;
                case 'p':
                        if (uuid_from_string(optarg, product) < 0)
                                return verb_usage_error(argv[0],
                                                        "invalid --product '%s': "
                                                        "expected a UUID",
                                                        optarg);
                        o.product = product;
                        break;
                case 'm':
                        if (safe_atou64(optarg, &o.min_release) < 0)
                                return verb_usage_error(argv[0],
                                                        "invalid --min-release '%s': "
                                                        "expected a non-negative integer",
                                                        optarg);
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 2, "FILE [SIG]");
        if (r > 0)
                return r;
        if (!ca_path)
                return verb_usage_error(argv[0], "missing option '--ca CA.pem'");
        path = argv[optind];
        if (argc - optind > 1)
                sig_path = argv[optind + 1];
        else {
                default_sig = strjoin(path, ".sig");
                if (!default_sig)
                        return log_oom();
                sig_path = default_sig;
        }

        r = crypto_cert_load(ca_path, &ca);
        if (r < 0)
                return log_error_errno(r, "Failed to load CA certificate '%s': %s", ca_path,
                                       r == -EBADMSG ? "not a PEM or DER certificate"
                                                     : strerror(-r));
        r = read_manifest_file(path, &data, &n);
        if (r < 0)
                return r;
        r = read_full_file(sig_path, CMS_SIGNATURE_MAX, &sig, &sig_size);
        if (r == -EFBIG)
                return log_error_errno(r,
                                       "Refusing manifest '%s': signature '%s' is larger "
                                       "than %u bytes.",
                                       path, sig_path, CMS_SIGNATURE_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to read signature '%s': %m", sig_path);

        o.ca = ca;
        o.now = (int64_t) time(NULL);
        r = manifest_verify(data, n, sig, sig_size, &o, &m, &err);
        if (r < 0)
                return log_error_errno(r, "Refusing manifest '%s': %s", path, strempty(err));
        printf("Manifest '%s' is trusted: product %s, release %" PRIu64 ", version %s.\n", path,
               uuid_to_string(m->product, text), m->release, m->version);
        return 0;
}

static char *size_text(uint64_t bytes) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        size_t u = 0;
        uint64_t v = bytes;

        while (v >= 1024 && v % 1024 == 0 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        return strprintf("%" PRIu64 " %s", v, units[u]);
}

static void print_words(const char *label, char **l) {
        printf("      %-11s", label);
        for (char **s = l; s && *s; s++)
                printf(" %s", *s);
        printf("\n");
}

static void print_summary(const char *path, const Manifest *m) {
        char text[UUID_STRING_MAX];

        printf("Manifest %s (signature not checked: see 'mos manifest verify')\n", path);
        printf("  product   %s\n  release   %" PRIu64 "\n  version   %s\n  created   %s\n",
               uuid_to_string(m->product, text), m->release, m->version, m->created);
        if (m->data_size || m->store_size) {
                _cleanup_free_ char *d = size_text(m->data_size), *s = size_text(m->store_size);
                printf("  storage   data %s, store %s\n", m->data_size ? strempty(d) : "default",
                       m->store_size ? strempty(s) : "default");
        }
        printf("  targets\n");
        for (size_t i = 0; i < m->n_targets; i++) {
                const ManifestTarget *t = &m->targets[i];
                const ManifestContainer *ct = t->container;

                printf("    %-14s %-9s %s %s (%zu layer%s)\n", t->name,
                       target_type_to_string(t->type), t->image.reference ?: "-", t->image.digest,
                       t->image.n_layers, t->image.n_layers == 1 ? "" : "s");
                if (!ct)
                        continue;
                print_words("command", ct->command);
                if (ct->args && ct->args[0])
                        print_words("args", ct->args);
                if (ct->env && ct->env[0])
                        print_words("env", ct->env);
                printf("      %-11s %s\n", "working-dir", ct->working_dir);
                printf("      %-11s %s, userns group %s, restart %s\n", "network",
                       network_mode_to_string(ct->network), ct->userns_group,
                       restart_policy_to_string(ct->restart));
                for (size_t j = 0; j < ct->n_volumes; j++) {
                        _cleanup_free_ char *s = size_text(ct->volumes[j].size);
                        printf("      %-11s %s -> %s (%s, %s)\n", "volume", ct->volumes[j].label,
                               ct->volumes[j].mount_path,
                               ct->volumes[j].persistent ? "persistent" : "temporary", strempty(s));
                }
        }
}

int verb_manifest_show(int argc, char *argv[]) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                {},
        };
        _cleanup_(manifest_freep) Manifest *m = NULL;
        _cleanup_free_ char *data = NULL, *err = NULL;
        bool json = false;
        const char *path;
        size_t n;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'j':
                        json = true;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 1, "FILE");
        if (r > 0)
                return r;
        path = argv[optind];
        r = read_manifest_file(path, &data, &n);
        if (r < 0)
                return r;
        r = manifest_parse(data, n, &m, &err);
        if (r < 0)
                return log_error_errno(r, "Malformed manifest '%s': %s", path, strempty(err));
        if (json) {
                /* The document itself, as signed: it is canonical JSON already. */
                if (fwrite(data, 1, n, stdout) != n || putchar('\n') == EOF || fflush(stdout) != 0)
                        return log_error_errno(EIO, "Failed to write to standard output: %m");
                return 0;
        }
        print_summary(path, m);
        return 0;
}
