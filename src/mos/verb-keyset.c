/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos keyset create | show */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "exit-code.h"
#include "keyset.h"
#include "log.h"
#include "string-util.h"
#include "strv.h"
#include "time-util.h"
#include "verb-trust.h"
#include "verb-util.h"
#include "verbs.h"

int verb_keyset_create(int argc, char *argv[]) {
        static const struct option options[] = {
                { "org", required_argument, NULL, 'o' },
                {},
        };
        const char *org = KEYSET_DEFAULT_ORG, *dir;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        org = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 1, "DIR");
        if (r > 0)
                return r;
        dir = argv[optind];
        if (!keyset_org_is_valid(org))
                return verb_usage_error(argv[0],
                                        "invalid --org '%s': expected 1 to %d printable ASCII "
                                        "characters without leading or trailing space",
                                        org, KEYSET_ORG_MAX);

        r = keyset_create(dir, org);
        if (r == -ENOTEMPTY)
                return log_error_errno(r,
                                       "Refusing to create keyset '%s': the directory exists "
                                       "and is not empty.",
                                       dir);
        if (r == -ENOTDIR)
                return log_error_errno(r, "Refusing to create keyset '%s': not a directory.", dir);
        if (r < 0)
                return log_error_errno(r, "Failed to create keyset '%s': %m", dir);
        log_info("Created keyset '%s' for '%s'.", dir, org);
        return 0;
}

/* Text output; nothing with --json (f == NULL). */
_printf_(2, 3) static void out(FILE *f, const char *fmt, ...) {
        va_list ap;

        if (!f)
                return;
        va_start(ap, fmt);
        (void) vfprintf(f, fmt, ap);
        va_end(ap);
}

static char *fingerprint_hex(const uint8_t f[SHA256_DIGEST_SIZE]) {
        return hexmem(f, SHA256_DIGEST_SIZE);
}

static char *time_text(int64_t t) {
        char buf[RFC3339_MAX];
        return rfc3339_format((time_t) t, buf) < 0 ? strdup("?") : strdup(buf);
}

/* One certificate's summary: as JSON (kept in the returned object) and printed as text. */
static json_t *cert_summary(FILE *f, const char *name, const char *file, const CryptoCert *c,
                            const CryptoCert *issuer, CertProfile profile) {
        _cleanup_free_ char *subject = NULL, *issuer_name = NULL, *serial = NULL, *fp = NULL,
                            *nb_text = NULL, *na_text = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *key = NULL;
        _cleanup_free_ char *problem = NULL;
        uint8_t fpr[SHA256_DIGEST_SIZE];
        int64_t nb, na, now = (int64_t) time(NULL);
        const char *status;
        KeyType t = KEY_EC_P256;

        if (crypto_cert_subject(c, &subject) < 0 || crypto_cert_issuer(c, &issuer_name) < 0 ||
            crypto_cert_serial(c, &serial) < 0 || crypto_cert_fingerprint(c, fpr) < 0 ||
            crypto_cert_validity(c, &nb, &na) < 0 || crypto_cert_public_key(c, &key) < 0 ||
            crypto_key_get_type(key, &t) < 0)
                return NULL;
        fp = fingerprint_hex(fpr);
        nb_text = time_text(nb);
        na_text = time_text(na);
        if (!fp || !nb_text || !na_text)
                return NULL;

        /* Checked, not only listed: the profile, and the signature of its issuer. */
        if (crypto_cert_check_profile(c, profile, &problem) < 0 ||
            crypto_cert_verify_issued(c, issuer, CRYPTO_NO_CHECK_TIME, &problem) < 0)
                status = problem ?: "invalid";
        else if (now < nb)
                status = "not yet valid";
        else if (now > na)
                status = "expired";
        else
                status = "ok";

        out(f, "%-22s %s\n", name, subject);
        out(f, "%-22s   file         %s\n", "", file);
        out(f, "%-22s   key          %s\n", "", t == KEY_RSA_2048 ? "RSA-2048" : "EC P-256");
        out(f, "%-22s   issuer       %s\n", "", issuer_name);
        out(f, "%-22s   sha256       %s\n", "", fp);
        out(f, "%-22s   valid        %s to %s\n", "", nb_text, na_text);
        out(f, "%-22s   status       %s\n", "", status);

        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", name, "file",
                         file, "key", t == KEY_RSA_2048 ? "rsa-2048" : "ec-p256", "subject",
                         subject, "issuer", issuer_name, "serial", serial, "sha256", fp,
                         "not-before", nb_text, "not-after", na_text, "status", status);
}

static int show_products(FILE *f, const Keyset *k, const CryptoCert *manifest_ca,
                         json_t *products) {
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = keyset_product_list(k, &names);
        if (r < 0)
                return log_error_errno(r, "Failed to list products of keyset '%s': %m", k->dir);
        for (char **n = names; *n; n++) {
                _cleanup_(keyset_product_freep) KeysetProduct *p = NULL;
                _cleanup_free_ char *label = strjoin("product ", *n);
                _cleanup_free_ char *file = strjoin("products/", *n, "/manifest.crt");
                char uuid[UUID_STRING_MAX];
                json_t *e;

                if (!label || !file)
                        return log_oom();
                r = keyset_product_load(k, *n, &p);
                if (r < 0)
                        return log_error_errno(r, "Failed to load product '%s' of keyset '%s': %m",
                                               *n, k->dir);
                e = cert_summary(f, label, file, p->cert, manifest_ca,
                                 CERT_PROFILE_MANIFEST_SIGNER);
                if (!e)
                        return log_error_errno(EBADMSG, "Failed to read certificate '%s': %m",
                                               file);
                out(f, "%-22s   product uuid %s\n", "", uuid_to_string(p->uuid, uuid));
                if (json_object_set_new(e, "product", json_string(*n)) < 0 ||
                    json_object_set_new(e, "uuid", json_string(uuid)) < 0 ||
                    json_array_append_new(products, e) < 0)
                        return log_oom();
        }
        return 0;
}

int verb_keyset_show(int argc, char *argv[]) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                {},
        };
        _cleanup_(keyset_freep) Keyset *k = NULL;
        _cleanup_json_ json_t *keys = json_array(), *products = json_array();
        CryptoCert *crts[_KEYSET_CERT_MAX] = {};
        _cleanup_(crypto_key_freep) CryptoKey *policy = NULL;
        _cleanup_free_ char *policy_path = NULL, *policy_fp = NULL;
        char guid[UUID_STRING_MAX];
        uint8_t fpr[SHA256_DIGEST_SIZE];
        bool json = false;
        FILE *f;
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
        r = verb_check_args(argv, argc, 1, 1, "DIR");
        if (r > 0)
                return r;
        if (!keys || !products)
                return log_oom();

        r = keyset_open(argv[optind], &k);
        if (r < 0)
                return log_error_errno(r, "Failed to open keyset '%s': %s", argv[optind],
                                       r == -EBADMSG ? "keyset.json is malformed" : strerror(-r));
        for (KeysetCert i = 0; i < _KEYSET_CERT_MAX; i++) {
                r = keyset_load_cert(k, i, &crts[i]);
                if (r < 0) {
                        log_error_errno(r, "Failed to load certificate '%s.crt' of keyset '%s': %m",
                                        keyset_cert_name(i), k->dir);
                        goto finish;
                }
        }
        policy_path = keyset_path(k, KEYSET_TPM_POLICY_PUB);
        r = policy_path ? crypto_key_load_public_pem(policy_path, &policy) : -ENOMEM;
        if (r >= 0)
                r = crypto_key_fingerprint(policy, fpr);
        if (r < 0) {
                log_error_errno(r, "Failed to load '%s': %m", strempty(policy_path));
                goto finish;
        }
        policy_fp = fingerprint_hex(fpr);
        if (!policy_fp) {
                r = log_oom();
                goto finish;
        }

        f = json ? NULL : stdout;
        out(f, "Keyset %s (format %d)\n", k->dir, KEYSET_FORMAT);
        out(f, "  organization  %s\n  owner GUID    %s\n  created       %s\n\n", k->org,
            uuid_to_string(k->owner_guid, guid), k->created);
        for (KeysetCert i = 0; i < _KEYSET_CERT_MAX; i++) {
                _cleanup_free_ char *file = strjoin(keyset_cert_name(i), ".crt");
                json_t *e = file ? cert_summary(f, keyset_cert_name(i), file, crts[i],
                                                crts[keyset_cert_issuer(i)], keyset_cert_profile(i))
                                 : NULL;
                if (!e || json_array_append_new(keys, e) < 0) {
                        r = log_error_errno(EBADMSG,
                                            "Failed to read certificate '%s' of keyset "
                                            "'%s'.",
                                            strempty(file), k->dir);
                        goto finish;
                }
        }
        out(f, "%-22s %s\n", "tpm-policy", "public key " KEYSET_TPM_POLICY_PUB);
        out(f, "%-22s   key          EC P-256\n", "");
        out(f, "%-22s   sha256       %s (of the SubjectPublicKeyInfo)\n", "", policy_fp);
        r = show_products(f, k, crts[KEYSET_MANIFEST_CA], products);
        if (r < 0)
                goto finish;
        if (json)
                r = verb_print_json(
                        json_pack("{s:s, s:i, s:s, s:s, s:s, s:O, s:{s:s, s:s, s:s}, s:O}", "dir",
                                  k->dir, "format", KEYSET_FORMAT, "org", k->org, "owner-guid",
                                  guid, "created", k->created, "certificates", keys, "tpm-policy",
                                  "file", KEYSET_TPM_POLICY_PUB, "key", "ec-p256", "sha256",
                                  policy_fp, "products", products));
finish:
        for (size_t i = 0; i < _KEYSET_CERT_MAX; i++)
                crypto_cert_free(crts[i]);
        return r;
}
