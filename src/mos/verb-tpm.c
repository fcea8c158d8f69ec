/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos tpm provision|unlock|lock|status|advance: thin wrappers around src/lib/tpm2.h
 * (docs/tpm.md). The TPM is reached through $MOS_TPM2_TCTI. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "fd-util.h"
#include "fileio.h"
#include "json.h"
#include "log.h"
#include "memory-util.h"
#include "parse-util.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"
#include "tpm2.h"
#include "verb-options.h"
#include "verbs.h"

int verb_tpm_provision(int argc, char *argv[]);
int verb_tpm_unlock(int argc, char *argv[]);
int verb_tpm_lock(int argc, char *argv[]);
int verb_tpm_status(int argc, char *argv[]);
int verb_tpm_advance(int argc, char *argv[]);

static int connect_tpm(Tpm2Context **ret) {
        _cleanup_free_ char *e = NULL;
        int r;

        r = tpm2_context_new(NULL, ret, &e);
        if (r < 0)
                return log_error_errno(r, "Failed to open the TPM: %s", e ?: strerror(-r));
        return 0;
}

/* One line naming what failed, with the TPM module's reason. */
#define tpm_error(c, r, fmt, ...)                                                                  \
        log_error_errno((r), fmt ": %s", ##__VA_ARGS__, tpm2_context_last_error(c))

static int load_owner_auth(Tpm2Context *c, const char *path, SecretBuffer *ret) {
        char *data = NULL;
        size_t n = 0;
        int r;

        r = read_full_file_secret(path, TPM2_OWNER_AUTH_MAX, &data, &n);
        if (r == -EFBIG)
                return log_error_errno(r,
                                       "Failed to read owner authorization '%s': more than %u "
                                       "bytes",
                                       path, TPM2_OWNER_AUTH_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to read owner authorization '%s': %m", path);
        ret->data = (unsigned char *) data;
        ret->size = n;
        if (n == 0)
                return log_error_errno(EINVAL, "Failed to read owner authorization '%s': empty",
                                       path);
        r = tpm2_context_set_owner_auth(c, data, n);
        if (r < 0)
                return tpm_error(c, r, "Failed to use owner authorization '%s'", path);
        return 0;
}

static int load_policy_key(const char *path, CryptoKey **ret) {
        char *data = NULL;
        size_t n = 0;
        int r;

        /* The file may be the private key (then only its public half is used): read it as a
         * secret. */
        r = read_full_file_secret(path, 64 * 1024, &data, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read tpm-policy key '%s': %m", path);
        r = crypto_key_from_public_pem(data, n, ret);
        erase_and_free(data, n);
        if (r < 0)
                r = crypto_key_load_private_pem(path, ret);
        if (r < 0)
                return log_error_errno(r,
                                       "Failed to load tpm-policy key '%s': not an EC P-256 "
                                       "public key",
                                       path);
        return 0;
}

static int load_policies(char **paths, TpmPolicySet *s) {
        for (char **p = paths; p && *p; p++) {
                _cleanup_free_ char *e = NULL;
                int r = tpm_policy_set_add_path(s, *p, &e);
                if (r < 0)
                        return log_error_errno(r, "Failed to load signed policy %s", e ? e : *p);
        }
        if (s->n == 0)
                return log_error_errno(ENOENT, "No signed policy (*.policy) found in %s",
                                       paths && paths[0] ? paths[0] : "(none)");
        return 0;
}

/* ---- provision ---- */

static int write_identity(const CryptoKey *identity, const char *path) {
        _cleanup_free_ char *pem = NULL;
        size_t n;
        int r;

        r = crypto_key_public_pem(identity, &pem, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to encode the identity public key: %m");
        if (streq(path, "-")) {
                fwrite(pem, 1, n, stdout);
                return 0;
        }
        r = write_file_atomic(path, pem, n, 0644, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        return 0;
}

int verb_tpm_provision(int argc, char *argv[]) {
        static const struct option options[] = {
                { "policy-key", required_argument, NULL, 'k' },
                { "identity-out", required_argument, NULL, 'i' },
                { "certificate", required_argument, NULL, 'c' },
                { "secrets-dir", required_argument, NULL, 'd' },
                { "secret", required_argument, NULL, 's' },
                { "owner-auth", required_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                {},
        };
        const char *policy_key_path = NULL, *identity_out = NULL, *cert_path = NULL,
                   *secrets_dir = NULL, *owner_auth = NULL;
        _cleanup_strv_free_ char **secrets = NULL;
        _cleanup_(tpm2_context_freep) Tpm2Context *tpm = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *policy_key = NULL, *identity = NULL;
        _cleanup_(secret_buffer_done) SecretBuffer auth = {};
        _cleanup_free_ char *cert = NULL;
        size_t cert_size;
        bool force = false;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        policy_key_path = optarg;
                        break;
                case 'i':
                        identity_out = optarg;
                        break;
                case 'c':
                        cert_path = optarg;
                        break;
                case 'd':
                        secrets_dir = optarg;
                        break;
                case 's':
                        if (!filename_is_valid(optarg) || strchr(optarg, '/'))
                                return verb_usage_error(argv[0],
                                                        "invalid --secret '%s', expected "
                                                        "a file name",
                                                        optarg);
                        if (strv_extend(&secrets, optarg) < 0)
                                return log_oom();
                        break;
                case 'a':
                        owner_auth = optarg;
                        break;
                case 'f':
                        force = true;
                        break;
                default:
                        return verb_option_error(argv, c);
                }
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        if (!policy_key_path)
                return verb_usage_error(argv[0], "missing --policy-key FILE");
        if (!cert_path && !identity_out)
                return verb_usage_error(argv[0], "the first step needs --identity-out FILE (the "
                                                 "second one --certificate and --secrets-dir)");
        if (cert_path && !secrets_dir)
                return verb_usage_error(argv[0], "--certificate needs --secrets-dir DIR");
        if (!cert_path && (secrets_dir || secrets))
                return verb_usage_error(argv[0], "--secrets-dir and --secret belong to the "
                                                 "second step, with --certificate");
        if (!secrets && strv_extend(&secrets, "data-volume") < 0)
                return log_oom();

        r = load_policy_key(policy_key_path, &policy_key);
        if (r < 0)
                return r;
        if (cert_path) {
                r = read_full_file(cert_path, 64 * 1024, &cert, &cert_size);
                if (r < 0)
                        return log_error_errno(r, "Failed to read certificate '%s': %m", cert_path);
        }
        r = connect_tpm(&tpm);
        if (r < 0)
                return r;
        if (owner_auth) {
                r = load_owner_auth(tpm, owner_auth, &auth);
                if (r < 0)
                        return r;
        }

        if (!cert_path) {
                r = tpm2_provision_identity(tpm, policy_key, force, &identity);
                if (r < 0)
                        return tpm_error(tpm, r, "Failed to provision the TPM");
                r = write_identity(identity, identity_out);
                if (r < 0)
                        return r;
                log_info("TPM identity key created; issue its certificate and run the second "
                         "step with --certificate.");
                return 0;
        }

        r = tpm2_provision_store_certificate(tpm, policy_key, cert, cert_size, force);
        if (r < 0)
                return tpm_error(tpm, r, "Failed to store certificate '%s' in the TPM", cert_path);
        if (mkdir(secrets_dir, 0700) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create '%s': %m", secrets_dir);
        for (char **s = secrets; *s; s++) {
                _cleanup_free_ char *name = strjoin(*s, ".sealed"), *path = NULL;
                _cleanup_free_ uint8_t *blob = NULL;
                size_t n;

                if (!name || !(path = path_join(secrets_dir, name)))
                        return log_oom();
                r = tpm2_seal_new_secret(tpm, policy_key, TPM2_SECRET_SIZE, &blob, &n);
                if (r < 0)
                        return tpm_error(tpm, r, "Failed to seal secret '%s'", *s);
                r = write_file_atomic(path, blob, n, 0600, 0);
                if (r < 0)
                        return log_error_errno(r, "Failed to write '%s': %m", path);
        }
        r = tpm2_provision_finish(tpm, owner_auth ? auth.data : NULL, auth.size);
        if (r < 0)
                return tpm_error(tpm, r, "Failed to take ownership of the TPM");
        log_info("TPM provisioned: certificate stored, %zu secret(s) sealed into '%s'.",
                 strv_length(secrets), secrets_dir);
        return 0;
}

/* ---- unlock ---- */

static int write_secret_fd(int fd, const SecretBuffer *s) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (isatty(fd))
                return -ENOTTY;
        return loop_write(fd, s->data, s->size);
}

int verb_tpm_unlock(int argc, char *argv[]) {
        static const struct option options[] = {
                { "sealed", required_argument, NULL, 's' },
                { "policies", required_argument, NULL, 'p' },
                { "out", required_argument, NULL, 'o' },
                { "fd", required_argument, NULL, 'F' },
                {},
        };
        const char *sealed = NULL, *out = NULL, *fd_s = NULL;
        _cleanup_strv_free_ char **policy_paths = NULL;
        _cleanup_(tpm_policy_set_done) TpmPolicySet policies = {};
        _cleanup_(tpm2_context_freep) Tpm2Context *tpm = NULL;
        _cleanup_(secret_buffer_done) SecretBuffer secret = {};
        _cleanup_free_ char *blob = NULL;
        const TpmSignedPolicy *used;
        unsigned fd = 0;
        size_t n;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        sealed = optarg;
                        break;
                case 'p':
                        if (strv_extend(&policy_paths, optarg) < 0)
                                return log_oom();
                        break;
                case 'o':
                        out = optarg;
                        break;
                case 'F':
                        fd_s = optarg;
                        break;
                default:
                        return verb_option_error(argv, c);
                }
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        if (!sealed || !policy_paths)
                return verb_usage_error(argv[0], "--sealed FILE and --policies PATH are required");
        if (!out == !fd_s)
                return verb_usage_error(argv[0], "exactly one of --out FILE and --fd N is "
                                                 "required (the secret never goes to a terminal)");
        if (fd_s && safe_atou(fd_s, &fd) < 0)
                return verb_usage_error(argv[0], "invalid --fd '%s', expected a number", fd_s);
        if (fd_s && isatty((int) fd))
                return log_error_errno(ENOTTY,
                                       "Refusing to write the secret to file descriptor "
                                       "%u: it is a terminal",
                                       fd);

        r = read_full_file(sealed, TPM2_SEALED_MAX, &blob, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read sealed secret '%s': %m", sealed);
        r = load_policies(policy_paths, &policies);
        if (r < 0)
                return r;
        r = connect_tpm(&tpm);
        if (r < 0)
                return r;
        r = tpm2_unseal(tpm, blob, n, &policies, &secret, &used);
        if (r < 0)
                return tpm_error(tpm, r, "Failed to unlock '%s'", sealed);

        if (out)
                r = write_file_atomic(out, secret.data, secret.size, 0600, 0);
        else
                r = write_secret_fd((int) fd, &secret);
        if (r < 0)
                return log_error_errno(r, "Failed to write the secret to '%s': %m", out ?: fd_s);
        log_debug("Unlocked '%s' with policy '%s' (revision %" PRIu64 ").", sealed,
                  strempty(used->path), used->revision);
        return 0;
}

/* ---- lock ---- */

int verb_tpm_lock(int argc, char *argv[]) {
        _cleanup_(tpm2_context_freep) Tpm2Context *tpm = NULL;
        int r;

        if (argc > 1)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[1]);
        r = connect_tpm(&tpm);
        if (r < 0)
                return r;
        r = tpm2_lock(tpm);
        if (r < 0)
                return tpm_error(tpm, r, "Failed to lock PCR 7");
        return 0;
}

/* ---- advance ---- */

int verb_tpm_advance(int argc, char *argv[]) {
        static const struct option options[] = {
                { "min-release", required_argument, NULL, 'm' },
                { "policy-revision", required_argument, NULL, 'r' },
                { "policies", required_argument, NULL, 'p' },
                { "owner-auth", required_argument, NULL, 'a' },
                {},
        };
        _cleanup_strv_free_ char **policy_paths = NULL;
        _cleanup_(tpm_policy_set_done) TpmPolicySet policies = {};
        _cleanup_(tpm2_context_freep) Tpm2Context *tpm = NULL;
        _cleanup_(secret_buffer_done) SecretBuffer auth = {};
        const char *value = NULL, *owner_auth = NULL;
        Tpm2Counter which = TPM2_COUNTER_MIN_RELEASE;
        uint64_t target;
        int c, r, n_counters = 0;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'm':
                case 'r':
                        which = c == 'm' ? TPM2_COUNTER_MIN_RELEASE : TPM2_COUNTER_POLICY_REVISION;
                        value = optarg;
                        n_counters++;
                        break;
                case 'p':
                        if (strv_extend(&policy_paths, optarg) < 0)
                                return log_oom();
                        break;
                case 'a':
                        owner_auth = optarg;
                        break;
                default:
                        return verb_option_error(argv, c);
                }
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        if (n_counters != 1)
                return verb_usage_error(argv[0], "exactly one of --min-release N and "
                                                 "--policy-revision N is required");
        if (safe_atou64(value, &target) < 0)
                return verb_usage_error(argv[0], "invalid counter value '%s'", value);
        if (!policy_paths == !owner_auth)
                return verb_usage_error(argv[0], "exactly one of --policies PATH and --owner-auth "
                                                 "FILE authorizes the move");
        if (policy_paths) {
                r = load_policies(policy_paths, &policies);
                if (r < 0)
                        return r;
        }
        r = connect_tpm(&tpm);
        if (r < 0)
                return r;
        if (owner_auth) {
                r = load_owner_auth(tpm, owner_auth, &auth);
                if (r < 0)
                        return r;
        }
        r = tpm2_counter_advance(tpm, which, target, policy_paths ? &policies : NULL);
        if (r < 0)
                return tpm_error(tpm, r, "Failed to move the %s counter to %" PRIu64,
                                 tpm2_counter_name(which), target);
        return 0;
}

/* ---- status ---- */

/* "unlocked" when PCR 7 is a boot state some signed policy is for, "locked" when it is such a
 * state followed by the lock measurement, "foreign" otherwise; "unknown" without policies. */
static const char *pcr7_state(const TpmPolicySet *s, const uint8_t pcr7[SHA256_DIGEST_SIZE]) {
        if (s->n == 0)
                return "unknown";
        for (size_t i = 0; i < s->n; i++) {
                uint8_t locked[SHA256_DIGEST_SIZE];

                if (memcmp(s->policies[i]->pcr7, pcr7, SHA256_DIGEST_SIZE) == 0)
                        return "unlocked";
                tpm_pcr7_locked(s->policies[i]->pcr7, locked);
                if (memcmp(locked, pcr7, SHA256_DIGEST_SIZE) == 0)
                        return "locked";
        }
        return "foreign";
}

int verb_tpm_status(int argc, char *argv[]) {
        static const struct option options[] = {
                { "policies", required_argument, NULL, 'p' },
                { "json", no_argument, NULL, 'j' },
                {},
        };
        static const char *const stages[] = { "no", "identity-only", "complete" };
        _cleanup_strv_free_ char **policy_paths = NULL;
        _cleanup_(tpm_policy_set_done) TpmPolicySet policies = {};
        _cleanup_(tpm2_context_freep) Tpm2Context *tpm = NULL;
        _cleanup_(crypto_key_freep) CryptoKey *identity = NULL;
        _cleanup_free_ uint8_t *cert = NULL;
        _cleanup_free_ char *pcr_hex = NULL, *key_fp_hex = NULL, *cert_fp_hex = NULL,
                            *cert_hex = NULL, *id_pem = NULL, *out = NULL;
        _cleanup_json_ json_t *j = NULL;
        uint8_t pcr7[SHA256_DIGEST_SIZE], fp[SHA256_DIGEST_SIZE];
        uint64_t revision = 0, release = 0;
        bool json = false, have_counters = false;
        Tpm2Layout layout = {};
        size_t cert_size = 0, n;
        const char *state;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        if (strv_extend(&policy_paths, optarg) < 0)
                                return log_oom();
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return verb_option_error(argv, c);
                }
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        if (policy_paths) {
                r = load_policies(policy_paths, &policies);
                if (r < 0)
                        return r;
        }
        r = connect_tpm(&tpm);
        if (r < 0)
                return r;

        r = tpm2_pcr7_read(tpm, pcr7);
        if (r < 0)
                return tpm_error(tpm, r, "Failed to read PCR 7");
        r = tpm2_layout_read(tpm, &layout);
        if (r < 0 && r != -ENOKEY)
                return tpm_error(tpm, r, "Failed to read the TPM layout record");
        if (layout.stage != TPM2_STAGE_NONE) {
                r = tpm2_identity_public(tpm, &identity);
                if (r < 0)
                        return tpm_error(tpm, r, "Failed to read the identity key");
                r = crypto_key_fingerprint(identity, fp);
                if (r < 0)
                        return log_error_errno(r, "Failed to fingerprint the identity key: %m");
                key_fp_hex = hexmem(fp, sizeof fp);
                r = crypto_key_public_pem(identity, &id_pem, &n);
                if (r < 0)
                        return log_error_errno(r, "Failed to encode the identity key: %m");
                r = tpm2_counter_read(tpm, TPM2_COUNTER_POLICY_REVISION, &revision);
                if (r >= 0)
                        r = tpm2_counter_read(tpm, TPM2_COUNTER_MIN_RELEASE, &release);
                if (r < 0)
                        return tpm_error(tpm, r, "Failed to read the counters");
                have_counters = true;
                r = tpm2_certificate_read(tpm, &cert, &cert_size);
                if (r < 0 && r != -ENOKEY)
                        return tpm_error(tpm, r, "Failed to read the identity certificate");
                if (cert) {
                        r = crypto_sha256(cert, cert_size, fp);
                        if (r < 0)
                                return log_error_errno(r, "Failed to hash the certificate: %m");
                        cert_fp_hex = hexmem(fp, sizeof fp);
                        cert_hex = hexmem(cert, cert_size);
                }
        }
        pcr_hex = hexmem(pcr7, sizeof pcr7);
        if (!pcr_hex)
                return log_oom();
        state = pcr7_state(&policies, pcr7);

        if (!json) {
                printf("TPM:                 %s\n", tpm2_context_tcti(tpm));
                printf("Provisioned:         %s\n", stages[layout.stage]);
                if (layout.stage != TPM2_STAGE_NONE) {
                        printf("Layout version:      %" PRIu32 "\n", layout.version);
                        printf("Identity key:        sha256:%s\n", strempty(key_fp_hex));
                        if (cert_fp_hex)
                                printf("Identity cert:       sha256:%s (%zu bytes)\n", cert_fp_hex,
                                       cert_size);
                        else
                                printf("Identity cert:       none\n");
                        printf("Policy revision:     %" PRIu64 "\n", revision);
                        printf("Minimum release:     %" PRIu64 "\n", release);
                }
                printf("PCR 7:               %s\n", pcr_hex);
                printf("State:               %s\n", state);
                return 0;
        }

        j = json_pack("{s:s, s:s, s:s, s:s}", "tcti", tpm2_context_tcti(tpm), "provisioned",
                      stages[layout.stage], "pcr7", pcr_hex, "state", state);
        if (!j)
                return log_oom();
        if (layout.stage != TPM2_STAGE_NONE) {
                _cleanup_free_ char *key_name = hexmem(layout.policy_key_name, TPM_NAME_SIZE);
                if (!key_name ||
                    json_object_set_new(j, "layout-version", json_integer(layout.version)) < 0 ||
                    json_object_set_new(j, "policy-key-name", json_string(key_name)) < 0 ||
                    json_object_set_new(j, "identity-key", json_string(id_pem)) < 0 ||
                    json_object_set_new(j, "identity-key-sha256", json_string(key_fp_hex)) < 0)
                        return log_oom();
        }
        if (have_counters &&
            json_object_set_new(j, "counters",
                                json_pack("{s:I, s:I}", "policy-revision", (json_int_t) revision,
                                          "minimum-release", (json_int_t) release)) < 0)
                return log_oom();
        if (cert_hex &&
            json_object_set_new(j, "certificate",
                                json_pack("{s:s, s:s, s:I}", "der", cert_hex, "sha256", cert_fp_hex,
                                          "size", (json_int_t) cert_size)) < 0)
                return log_oom();
        r = json_dump_canonical(j, &out, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to format JSON: %m");
        puts(out);
        return 0;
}
