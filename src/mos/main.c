/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The `mos` command: the verb table. Each noun's verbs live in verb-<noun>.c. */

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "exit-code.h"
#include "log.h"
#include "string-util.h"
#include "status.h"
#include "verb-status.h"
#include "verb-trust.h"
#include "verbs.h"

static const Verb verbs[] = {
        /* Nouns are added here as they are implemented, grouped by noun. */
        /* trust roots: keysets, products, devices, manifests */
        { "keyset", "create", "DIR [--org NAME]", "create a new keyset (refuses a non-empty DIR)",
          "  --org NAME   organisation in the certificate subjects (default \"MachineOS\")\n",
          verb_keyset_create },
        { "keyset", "show", "DIR [--json]",
          "list the keyset's certificates, fingerprints and validity",
          "  --json       print one JSON document\n", verb_keyset_show },
        { "product", "add", "DIR NAME [--uuid UUID]",
          "add a product: UUID and manifest-signing certificate; prints the UUID",
          "  --uuid UUID  use this product UUID instead of a random one\n", verb_product_add },
        { "device", "add", "DIR PRODUCT SERIAL --out OUTDIR [--pubkey PEM]",
          "issue a device identity certificate (and key, without --pubkey)",
          "  --out OUTDIR   where device.crt, device.der (and device.key) are written\n"
          "  --pubkey PEM   certify this EC P-256 public key (the TPM-resident key)\n",
          verb_device_add },
        { "manifest", "build", "SPEC --out FILE [--layout DIR] [--product UUID] [--release N]",
          "build a canonical product manifest from a YAML or JSON product description",
          "  --out FILE      where the manifest is written (canonical JSON)\n"
          "  --layout DIR    OCI image layout in which images named NAME:TAG are resolved\n"
          "  --product UUID  product UUID (overrides the spec's)\n"
          "  --release N     release number (overrides the spec's)\n",
          verb_manifest_build },
        { "manifest", "sign", "--keyset DIR --product NAME FILE",
          "sign a manifest: writes FILE.sig (detached CMS, DER)",
          "  --keyset DIR    the keyset holding the product\n"
          "  --product NAME  the product whose manifest-signing key signs\n",
          verb_manifest_sign },
        { "manifest", "verify", "--ca CA.pem [--product UUID] [--min-release N] FILE [SIG]",
          "verify a signed manifest; exit 3 with the reason when it is not trusted",
          "  --ca CA.pem       the manifest CA, the only trust anchor\n"
          "  --product UUID    the product the manifest must be for\n"
          "  --min-release N   refuse releases below N\n"
          "  SIG               the signature (default FILE.sig)\n",
          verb_manifest_verify },
        { "manifest", "show", "FILE [--json]", "print a summary of a manifest (not verified)",
          "  --json       print the manifest document itself\n", verb_manifest_show },
        /* appliance */
        { "status", NULL, "[--json] [--socket PATH]",
          "show the services mosd runs: state, restarts, last exit",
          "  --json         print one JSON document (docs/status.md)\n"
          "  --socket PATH  mosd's status socket (default " STATUS_SOCKET_DEFAULT ")\n",
          verb_status },
        { 0 },
};

static const char description[] =
        "MachineOS: build, sign and run trusted, Secure Boot, image-based appliances.";

static const char global_help[] =
        "Global options:\n"
        "  --log-level LEVEL  error, warning, notice, info (default) or debug;\n"
        "                     also taken from $MOS_LOG_LEVEL, the option wins\n"
        "  --version          print the version\n"
        "  -h, --help         print this help; 'mos NOUN --help', 'mos NOUN VERB --help'\n"
        "\n"
        "Exit codes:\n"
        "  0  success\n"
        "  1  failure (I/O, missing file, internal error)\n"
        "  2  usage error (unknown verb, bad option)\n"
        "  3  refused: something is not trusted (signature, chain, product, rollback,\n"
        "     verity, firmware or TPM policy)\n";

int main(int argc, char *argv[]) {
        const VerbTable table = {
                .program = "mos",
                .version = MOS_VERSION,
                .description = description,
                .global_help = global_help,
                .verbs = verbs,
                .n_verbs = ELEMENTSOF(verbs) - 1, /* without the terminating entry */
        };
        const char *level;
        int r;

        log_set_program_name("mos");
        if (log_parse_environment() < 0)
                log_warning("Ignoring invalid $MOS_LOG_LEVEL, expected error, warning, notice, "
                            "info or debug.");

        r = verbs_extract_log_level(argc - 1, argv + 1, &level);
        if (r < 0) {
                log_error("Option '--log-level' needs a value. See 'mos --help'.");
                return MOS_EXIT_USAGE;
        }
        argc = r + 1;
        if (level) {
                int l = log_level_from_string(level);
                if (l < 0) {
                        log_error("Invalid --log-level '%s', expected error, warning, notice, "
                                  "info or debug. See 'mos --help'.",
                                  level);
                        return MOS_EXIT_USAGE;
                }
                log_set_max_level(l);
        }

        if (argc >= 2 && streq(argv[1], "--version")) {
                printf("mos %s\n", MOS_VERSION);
                return MOS_EXIT_SUCCESS;
        }
        return verbs_dispatch(&table, argc - 1, argv + 1);
}
