/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos pcr7 predict: the PCR 7 value of a Secure Boot with a keyset (docs/tpm.md, "PCR 7"). */

#include <getopt.h>
#include <stdio.h>

#include "json.h"
#include "log.h"
#include "pcr7.h"
#include "string-util.h"
#include "verb-options.h"
#include "verbs.h"

int verb_pcr7_predict(int argc, char *argv[]);

static const char *event_type_name(uint32_t t) {
        switch (t) {
        case EV_SEPARATOR:
                return "EV_SEPARATOR";
        case EV_EFI_VARIABLE_DRIVER_CONFIG:
                return "EV_EFI_VARIABLE_DRIVER_CONFIG";
        case EV_EFI_VARIABLE_AUTHORITY:
                return "EV_EFI_VARIABLE_AUTHORITY";
        default:
                return "unknown";
        }
}

static int print_json(const Pcr7Prediction *p, const char *signer) {
        _cleanup_json_ json_t *j = NULL, *events = NULL;
        _cleanup_free_ char *pcr = NULL, *out = NULL;
        size_t n;
        int r;

        events = json_array();
        if (!events)
                return log_oom();
        for (size_t i = 0; i < p->n_events; i++) {
                _cleanup_free_ char *d = hexmem(p->events[i].digest, SHA256_DIGEST_SIZE),
                                    *data = hexmem(p->events[i].data, p->events[i].size);
                json_t *e;

                if (!d || !data)
                        return log_oom();
                e = json_pack("{s:i, s:s, s:s, s:s, s:s}", "pcr", 7, "type",
                              event_type_name(p->events[i].type), "name", p->events[i].name,
                              "digest", d, "data", data);
                if (!e || json_array_append_new(events, e) < 0)
                        return log_oom();
        }
        pcr = hexmem(p->pcr7, SHA256_DIGEST_SIZE);
        if (!pcr)
                return log_oom();
        j = json_pack("{s:s, s:s, s:s, s:O}", "pcr7", pcr, "bank", "sha256", "signer", signer,
                      "events", events);
        if (!j)
                return log_oom();
        r = json_dump_canonical(j, &out, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to format JSON: %m");
        puts(out);
        return 0;
}

int verb_pcr7_predict(int argc, char *argv[]) {
        static const struct option options[] = {
                { "keyset", required_argument, NULL, 'k' },
                { "signer", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                {},
        };
        _cleanup_(pcr7_prediction_done) Pcr7Prediction p = {};
        const char *keyset = NULL, *signer = "db", *cert;
        _cleanup_free_ char *hex = NULL;
        bool json = false;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'k':
                        keyset = optarg;
                        break;
                case 's':
                        signer = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                default:
                        return verb_option_error(argv, c);
                }
        if (!keyset)
                return verb_usage_error(argv[0], "missing --keyset DIR");
        if (optind < argc)
                return verb_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
        if (streq(signer, "db"))
                cert = "uefi-db.crt";
        else if (streq(signer, "provision"))
                cert = "uefi-db-provision.crt";
        else
                return verb_usage_error(argv[0], "invalid --signer '%s', expected db or provision",
                                        signer);

        r = pcr7_predict(keyset, cert, &p);
        if (r == -ENOKEY)
                return log_error_errno(r,
                                       "Failed to predict PCR 7 for keyset '%s': %s is not in "
                                       "efi/db.esl",
                                       keyset, cert);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "Failed to predict PCR 7 for keyset '%s': efi/*.esl or "
                                       "%s is malformed",
                                       keyset, cert);
        if (r < 0)
                return log_error_errno(r, "Failed to predict PCR 7 for keyset '%s': %m", keyset);
        if (json)
                return print_json(&p, signer);
        hex = hexmem(p.pcr7, SHA256_DIGEST_SIZE);
        if (!hex)
                return log_oom();
        puts(hex);
        return 0;
}
