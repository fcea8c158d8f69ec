/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos firmware vars: OVMF vars with the keyset's Secure Boot keys, the matching .auth files,
 * and --list to show what a vars image holds. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "exit-code.h"
#include "fileio.h"
#include "firmware.h"
#include "log.h"
#include "parse-util.h"
#include "path-util.h"
#include "string-util.h"
#include "verb-firmware.h"
#include "verb-util.h"
#include "verbs.h"

#define VARS_IMAGE_MAX EFI_VARSTORE_IMAGE_MAX

static int print_vars(const char *path, bool json) {
        _cleanup_free_ char *image = NULL;
        _cleanup_json_ json_t *d = NULL;
        json_t *vars, *sb, *v;
        size_t n, i;
        int r;

        r = read_full_file(path, VARS_IMAGE_MAX, &image, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read vars image '%s': %m", path);
        r = firmware_vars_describe((const uint8_t *) image, n, &d);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "Failed to read vars image '%s': not an edk2 firmware "
                                       "volume with an authenticated variable store",
                                       path);
        if (r < 0)
                return log_error_errno(r, "Failed to read vars image '%s': %m", path);
        if (json)
                return verb_print_json(json_incref(d));

        sb = json_object_get(d, "secure-boot");
        printf("Secure Boot: PK %s, SecureBootEnable %s, CustomMode %s\n",
               json_is_true(json_object_get(sb, "pk-enrolled")) ? "enrolled" : "not enrolled",
               json_is_integer(json_object_get(sb, "secure-boot-enable"))
                       ? (json_integer_value(json_object_get(sb, "secure-boot-enable")) ? "1" : "0")
                       : "unset",
               json_is_integer(json_object_get(sb, "custom-mode"))
                       ? (json_integer_value(json_object_get(sb, "custom-mode")) ? "1" : "0")
                       : "unset");
        vars = json_object_get(d, "variables");
        json_array_foreach(vars, i, v) {
                json_t *sigs = json_object_get(v, "signatures"), *s;
                size_t k;

                printf("%-24s %s %-18s %6lld bytes%s%s\n",
                       json_string_value(json_object_get(v, "name")),
                       json_string_value(json_object_get(v, "guid")),
                       json_string_value(json_object_get(v, "attributes")),
                       (long long) json_integer_value(json_object_get(v, "size")),
                       json_object_get(v, "data") ? "  " : "",
                       json_object_get(v, "data") ? json_string_value(json_object_get(v, "data"))
                                                  : "");
                json_array_foreach(sigs, k, s) {
                        const char *type = json_string_value(json_object_get(s, "type"));
                        if (streq(type, "x509"))
                                printf("    x509 %s  sha256:%s  owner %s\n",
                                       strempty(json_string_value(json_object_get(s, "subject"))),
                                       json_string_value(json_object_get(s, "sha256")),
                                       json_string_value(json_object_get(s, "owner")));
                        else if (streq(type, "sha256"))
                                printf("    sha256 %s  owner %s\n",
                                       json_string_value(json_object_get(s, "hash")),
                                       json_string_value(json_object_get(s, "owner")));
                        else
                                printf("    type %s  owner %s\n", type,
                                       json_string_value(json_object_get(s, "owner")));
                }
        }
        return 0;
}

static int auth_time(const char *arg, EfiTime *ret) {
        const char *e = arg ?: secure_getenv("SOURCE_DATE_EPOCH");
        uint64_t t;

        if (e) {
                if (safe_atou64(e, &t) < 0 || efi_time_from_unix(t, ret) < 0)
                        return -EINVAL;
                return 0;
        }
        return efi_time_from_unix((uint64_t) time(NULL), ret);
}

static int write_auth_files(const char *keyset, const char *dir, const EfiTime *t) {
        for (FirmwareAuthVariable v = 0; v < _FIRMWARE_AUTH_MAX; v++) {
                _cleanup_free_ uint8_t *auth = NULL;
                _cleanup_free_ char *name = strjoin(firmware_auth_variable_name(v), ".auth"),
                                    *p = NULL;
                size_t n;
                int r;

                if (!name)
                        return log_oom();
                p = path_join(dir, name);
                if (!p)
                        return log_oom();
                r = firmware_auth_build(keyset, v, t, &auth, &n);
                if (r == -ENOENT && v == FIRMWARE_AUTH_DBX)
                        continue; /* the keyset has no dbx */
                if (r == -ENOKEY)
                        return log_error_errno(r,
                                               "Failed to sign '%s': keyset '%s' lacks "
                                               "efi/%s.esl or the key and certificate to sign it",
                                               name, keyset, firmware_auth_variable_name(v));
                if (r < 0)
                        return log_error_errno(r, "Failed to sign '%s' with keyset '%s': %m", name,
                                               keyset);
                r = write_file_atomic(p, auth, n, 0644, 0);
                if (r < 0)
                        return log_error_errno(r, "Failed to write '%s': %m", p);
        }
        return 0;
}

int verb_firmware_vars(int argc, char *argv[]) {
        enum {
                ARG_KEYSET = 0x100,
                ARG_OUT,
                ARG_TEMPLATE,
                ARG_LIST,
                ARG_JSON,
                ARG_AUTH_DIR,
                ARG_AUTH_TIME
        };
        static const struct option options[] = {
                { "keyset", required_argument, NULL, ARG_KEYSET },
                { "out", required_argument, NULL, ARG_OUT },
                { "template", required_argument, NULL, ARG_TEMPLATE },
                { "list", required_argument, NULL, ARG_LIST },
                { "json", no_argument, NULL, ARG_JSON },
                { "auth-dir", required_argument, NULL, ARG_AUTH_DIR },
                { "auth-time", required_argument, NULL, ARG_AUTH_TIME },
                {},
        };
        const char *keyset = NULL, *out = NULL, *template = FIRMWARE_OVMF_VARS_TEMPLATE,
                   *list = NULL, *auth_dir = NULL, *auth_time_arg = NULL;
        _cleanup_free_ char *tmpl = NULL, *out_dir = NULL;
        _cleanup_free_ uint8_t *image = NULL;
        bool json = false;
        size_t tn, n;
        EfiTime t;
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
                case ARG_TEMPLATE:
                        template = optarg;
                        break;
                case ARG_LIST:
                        list = optarg;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_AUTH_DIR:
                        auth_dir = optarg;
                        break;
                case ARG_AUTH_TIME:
                        auth_time_arg = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 0, 0, "");
        if (r != 0)
                return r;

        if (list) {
                if (keyset || out)
                        return verb_usage_error(argv[0],
                                                "--list cannot be combined with --keyset or --out");
                return print_vars(list, json);
        }
        if (!keyset || !out)
                return verb_usage_error(argv[0], "--keyset and --out are required");
        if (auth_time(auth_time_arg, &t) < 0)
                return verb_usage_error(argv[0],
                                        "invalid --auth-time or $SOURCE_DATE_EPOCH '%s', expected "
                                        "seconds since 1970",
                                        auth_time_arg ?: secure_getenv("SOURCE_DATE_EPOCH"));

        r = read_full_file(template, VARS_IMAGE_MAX, &tmpl, &tn);
        if (r < 0)
                return log_error_errno(r, "Failed to read vars template '%s': %m", template);
        r = firmware_vars_build(keyset, (const uint8_t *) tmpl, tn, &image, &n);
        if (r == -ENOKEY)
                return log_error_errno(r,
                                       "Failed to read keyset '%s': efi/PK.esl, efi/KEK.esl or "
                                       "efi/db.esl is missing",
                                       keyset);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "Failed to enroll keyset '%s' into '%s': a signature list "
                                       "of the keyset or the template is malformed",
                                       keyset, template);
        if (r == -EFBIG)
                return log_error_errno(r,
                                       "Failed to enroll keyset '%s': the variables do not fit "
                                       "into the store of '%s'",
                                       keyset, template);
        if (r < 0)
                return log_error_errno(r, "Failed to enroll keyset '%s' into '%s': %m", keyset,
                                       template);
        /* Sign the .auth files first: a keyset that cannot sign them leaves nothing behind. */
        if (!auth_dir) {
                r = path_dirname(out, &out_dir);
                if (r < 0)
                        return log_error_errno(r, "Invalid --out '%s'", out);
                auth_dir = out_dir;
        }
        r = write_auth_files(keyset, auth_dir, &t);
        if (r < 0)
                return r;
        r = write_file_atomic(out, image, n, 0644, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        log_info("Wrote %s (PK, KEK, db[, dbx] of keyset %s; Secure Boot enforcing) and the "
                 ".auth files in %s.",
                 out, keyset, auth_dir);
        return 0;
}
