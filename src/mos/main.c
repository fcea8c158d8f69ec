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
#include "verb-factory.h"
#include "verb-hostfs.h"
#include "hostfs.h"
#include "verb-image.h"
#include "verb-verity.h"
#include "verbs.h"
/* boot chain (issue 6) */
#include "verb-disk.h"
#include "verb-firmware.h"
#include "verb-initramfs.h"
#include "verb-uki.h"
#include "verb-vm.h"
#include "uki.h"

int verb_pcr7_predict(int argc, char *argv[]);
int verb_policy_sign(int argc, char *argv[]);
int verb_tpm_provision(int argc, char *argv[]);
int verb_tpm_unlock(int argc, char *argv[]);
int verb_tpm_lock(int argc, char *argv[]);
int verb_tpm_status(int argc, char *argv[]);
int verb_tpm_advance(int argc, char *argv[]);

static const Verb verbs[] = {
        /* Nouns are added here as they are implemented, grouped by noun. */
        /* TPM trust core (docs/tpm.md) */
        { "pcr7", "predict", "--keyset DIR [--signer db|provision] [--json]",
          "the PCR 7 value of a Secure Boot with this keyset",
          "  --keyset DIR       the keyset (efi/PK.esl, KEK.esl, db.esl, uefi-db*.crt)\n"
          "  --signer SIGNER    db (production, default) or provision (factory image)\n"
          "  --json             the events too, as one JSON document\n",
          verb_pcr7_predict },
        { "policy", "sign", "--keyset DIR --pcr7 HEX --revision N --out FILE",
          "sign PolicyPCR(PCR 7 = HEX) AND PolicyNV(policy revision <= N)",
          "  --keyset DIR       the keyset holding tpm-policy.key\n"
          "  --pcr7 HEX         the SHA-256 PCR 7 value (mos pcr7 predict)\n"
          "  --revision N       valid while the TPM's policy revision counter is <= N\n"
          "  --out FILE         the signed policy (JSON)\n",
          verb_policy_sign },
        { "tpm", "provision",
          "--policy-key PUB (--identity-out PEM | --certificate CERT --secrets-dir DIR) "
          "[--secret NAME]... [--owner-auth FILE] [--force]",
          "provision the TPM: identity key and counters, then certificate and secrets",
          "  --policy-key PUB   the tpm-policy public key (PEM) the secrets are bound to\n"
          "  --identity-out PEM step 1: write the identity public key ('-': stdout)\n"
          "  --certificate CERT step 2: the identity certificate (PEM or DER) to store\n"
          "  --secrets-dir DIR  step 2: where NAME.sealed files are written (0600)\n"
          "  --secret NAME      a secret to generate and seal (default: data-volume)\n"
          "  --owner-auth FILE  the owner authorization (needed once it is set); step 2\n"
          "                     sets it, without this option to a value nobody keeps\n"
          "  --force            provision an already provisioned TPM again\n",
          verb_tpm_provision },
        { "tpm", "unlock", "--sealed FILE --policies PATH... (--out FILE | --fd N)",
          "unseal a secret through the signed policy that matches PCR 7",
          "  --sealed FILE      a sealed secret written by 'mos tpm provision'\n"
          "  --policies PATH    a signed policy file or a directory of *.policy files\n"
          "  --out FILE         write the secret to FILE (mode 0600)\n"
          "  --fd N             write the secret to file descriptor N (never a terminal)\n",
          verb_tpm_unlock },
        { "tpm", "lock", "", "extend PCR 7 so that no signed policy matches until reboot", NULL,
          verb_tpm_lock },
        { "tpm", "status", "[--policies PATH]... [--json]",
          "identity, certificate, counters, PCR 7 and whether it is locked",
          "  --policies PATH    signed policies, to tell unlocked from locked\n"
          "  --json             one JSON document\n",
          verb_tpm_status },
        { "tpm", "advance",
          "(--min-release N | --policy-revision N) (--policies PATH | "
          "--owner-auth FILE)",
          "move a TPM counter forward (never back)",
          "  --min-release N    the minimum release the device accepts\n"
          "  --policy-revision N  revoke every signed policy with a lower revision\n"
          "  --policies PATH    authorize with the signed policy for the current PCR 7\n"
          "  --owner-auth FILE  authorize with the owner authorization\n",
          verb_tpm_advance },
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
        /* boot chain: firmware variables, UKI, initramfs, disk, VM */
        { "disk", "create",
          "--keyset DIR --uki FILE (--product NAME --manifest FILE --layout DIR | --boot-only) "
          "--out IMAGE",
          "write the appliance's GPT disk image (no mounting, reproducible)",
          "  --keyset DIR       keyset: signs systemd-boot; the UKI must verify against its db\n"
          "  --uki FILE         the signed UKI (mos uki build)\n"
          "  --product NAME     product of the keyset the manifest is signed for\n"
          "  --manifest FILE    signed manifest (FILE.sig beside it)\n"
          "  --layout DIR       OCI layout holding the images the manifest names\n"
          "  --boot-only        no manifest and no images (boot-chain tests, factory disks)\n"
          "  --boot-loader FILE default " UKI_SYSTEMD_BOOT_DEFAULT "\n"
          "  --name NAME        UKI file name on the ESP (default machineos)\n"
          "  --tries N          boot counting: N tries (default 3, 0: off)\n"
          "  --esp-size, --store-size, --data-size SIZE  bytes or K/M/G\n"
          "  --out IMAGE        the image to write (sparse)\n",
          verb_disk_create },
        { "firmware", "vars", "--keyset DIR --out VARS.fd [--template FILE] | --list VARS.fd",
          "write OVMF vars with the keyset's Secure Boot keys, and the .auth files",
          "  --keyset DIR       keyset (efi/PK.esl, KEK.esl, db.esl; uefi-pk, uefi-kek keys)\n"
          "  --out VARS.fd      the vars image to write (Secure Boot enforcing)\n"
          "  --template FILE    empty vars image (default /usr/share/OVMF/OVMF_VARS_4M.fd)\n"
          "  --auth-dir DIR     where PK.auth, KEK.auth, db.auth go (default: beside --out)\n"
          "  --auth-time SECS   timestamp of the .auth files (default $SOURCE_DATE_EPOCH, else "
          "now)\n"
          "  --list VARS.fd     print the variables a vars image holds\n"
          "  --json             with --list: one JSON document\n",
          verb_firmware_vars },
        { "initramfs", "build", "--init PROGRAM [--program PATH]... [--module NAME]... --out FILE",
          "build the reproducible, compressed initramfs",
          "  --init PROGRAM     installed as /init, with its shared-library closure\n"
          "  --program PATH     another program (absolute path), installed at the same path\n"
          "  --dlopen SONAME    a library a program loads with dlopen()\n"
          "  --module NAME      a kernel module (with its dependencies), as a plain .ko\n"
          "  --modules-dir DIR  default /lib/modules/<newest version>\n"
          "  --file SRC:/DEST   any other file\n"
          "  --keyset DIR       add its manifest-ca.crt and tpm-policy.pub (public only)\n"
          "  --policy FILE      a signed PCR 7 policy\n"
          "  --compress ALG     zstd (default), gzip or none; --level N\n"
          "  --out FILE         the archive to write; its size is printed\n"
          "Entries are sorted, owned by root and dated $SOURCE_DATE_EPOCH (default 0).\n",
          verb_initramfs_build },
        { "uki", "build", "--keyset DIR --kernel FILE [--initrd FILE] [--cmdline TEXT] --out FILE",
          "build a unified kernel image on systemd-stub, signed with uefi-db",
          "  --keyset DIR       keyset whose uefi-db key signs the UKI\n"
          "  --kernel FILE      the kernel (bzImage), e.g. /boot/vmlinuz-*\n"
          "  --initrd FILE      the initramfs (mos initramfs build)\n"
          "  --cmdline TEXT     the kernel command line (printable ASCII)\n"
          "  --out FILE         the UKI to write\n"
          "  --stub FILE        systemd-stub (default " UKI_STUB_DEFAULT ")\n"
          "  --os-release FILE  the .osrel section (default: MachineOS's own)\n"
          "  --provision        sign with uefi-db-provision (the factory UKI)\n"
          "  --unsigned         do not sign (tests of the firmware's refusal)\n",
          verb_uki_build },
        { "uki", "sign", "--keyset DIR --out FILE [EFI-BINARY]",
          "sign an EFI binary (default: systemd-boot) with uefi-db",
          "  --keyset DIR       keyset whose uefi-db key signs\n"
          "  --out FILE         the signed copy\n"
          "  --provision        sign with uefi-db-provision\n"
          "  EFI-BINARY         default " UKI_SYSTEMD_BOOT_DEFAULT "\n",
          verb_uki_sign },
        { "uki", "verify", "--keyset DIR FILE",
          "check a UKI or boot loader against the keyset's db certificates",
          "  --keyset DIR       keyset whose uefi-db and uefi-db-provision certificates are "
          "trusted\n"
          "Exit 3 when the file is unsigned, tampered or signed by another key.\n",
          verb_uki_verify },
        { "vm", "run", "IMAGE --vars VARS.fd --tpm-state DIR [--timeout S] [--forward H:G]",
          "boot a disk image under OVMF Secure Boot with swtpm; exit by the console",
          "  --vars VARS.fd     firmware variables (mos firmware vars); the VM gets a copy\n"
          "  --tpm-state DIR    swtpm state (may be empty); the VM gets a copy\n"
          "  --persist          copy the vars and TPM state back after the run\n"
          "  --timeout S        stop after S seconds (default 120)\n"
          "  --forward H:G      forward 127.0.0.1:H to guest port G (user networking)\n"
          "  --log FILE         the console log\n"
          "  --quiet            do not echo the console on stdout\n"
          "  --keep-running     after the success marker, run until qemu exits or the timeout\n"
          "  --snapshot         do not write to IMAGE\n"
          "  --accel MODE       auto (kvm when usable, also $MOS_VM_ACCEL), tcg or kvm\n"
          "  --json             print the outcome as JSON on stdout (no console echo)\n"
          "  --monitor SOCKET   qemu's monitor on a unix socket (e.g. 'sendkey\n"
          "                     ctrl-alt-delete' asks the appliance to reboot)\n"
          "Exit: 0 success marker, 3 refused (by the appliance or the firmware),\n"
          "1 panic, qemu exit without a marker, or timeout.\n",
          verb_vm_run },
        /* images (issue 4) */
        { "image", "build", "SOURCE --layout DIR --tag NAME:TAG",
          "build a verity-protected image from a directory, tar, OCI layout or docker save archive",
          "  SOURCE                  DIR, FILE.tar[.gz|.zst], oci:DIR[:REF] or "
          "docker-archive:FILE[:REF]\n"
          "  --layout DIR            the OCI image layout to store it in (created when missing)\n"
          "  --tag NAME:TAG          the name to give it\n"
          "  --compression-level N   zstd level 1..22 (default 3)\n"
          "  --threads N             worker threads (default: one per CPU; the output is the "
          "same)\n"
          "  $SOURCE_DATE_EPOCH      clamps file times and sets the image's creation time\n",
          verb_image_build },
        { "image", "verify", "--layout DIR NAME:TAG",
          "check every digest and every block of an image against its verity root hashes",
          "  --threads N             worker threads (default: one per CPU)\n"
          "  Exit 3 names the layer and the offset of the first block that does not match.\n",
          verb_image_verify },
        { "image", "inspect", "--layout DIR NAME:TAG",
          "show an image's manifest, config and layers",
          "  --json                  one JSON document\n", verb_image_inspect },
        { "image", "list", "--layout DIR", "list the tagged images of a layout",
          "  --json                  one JSON document\n", verb_image_list },
        { "image", "rm", "--layout DIR NAME:TAG", "remove a tag (blobs go with the next gc)", NULL,
          verb_image_rm },
        { "image", "gc", "--layout DIR", "remove blobs no tagged image refers to", NULL,
          verb_image_gc },
        { "verity", "format", "FILE [--hash-offset BYTES] [--salt HEX]",
          "append a dm-verity hash area (veritysetup format 1, sha256) to a file",
          "  --hash-offset BYTES     where the data ends and the hash area starts (default: the "
          "file size)\n"
          "  --salt HEX              the salt (default: 32 random bytes)\n"
          "  --threads N             worker threads (default: one per CPU)\n",
          verb_verity_format },
        { "verity", "verify", "FILE ROOT-HASH --hash-offset BYTES",
          "check every block of a file against a dm-verity root hash",
          "  --threads N             worker threads (default: one per CPU)\n", verb_verity_verify },
        /* appliance: factory provisioning (docs/boot.md) */
        { "factory", "get", "IMAGE RECORD [--out FILE]",
          "read a record of the factory exchange area of a disk (image or device)",
          "  RECORD       identity (PEM public key), certificate or sealed-data-volume\n"
          "  --out FILE   write it to FILE (default stdout)\n",
          verb_factory_get },
        { "factory", "put", "IMAGE RECORD FILE",
          "write a record into the factory exchange area of a disk (image or device)",
          "  RECORD       certificate (for the second factory boot) or sealed-data-volume\n",
          verb_factory_put },
        { "hostfs", "build", "--layout DIR --tag NAME:TAG --mosd PATH [--crun PATH] [OPTIONS]",
          "build the host image: mosd, crun and their library closure (docs/boot.md)",
          "  --layout DIR         OCI layout the image is added to (created if needed)\n"
          "  --tag NAME:TAG       the image's name\n"
          "  --mosd PATH          mosd, installed as " HOSTFS_MOSD "\n"
          "  --crun PATH          crun, installed as " HOSTFS_CRUN " (default " HOSTFS_CRUN ")\n"
          "  --no-crun            no OCI runtime\n"
          "  --program SRC[:DEST] another program with its library closure\n"
          "  --dlopen SONAME      a library a program loads with dlopen()\n"
          "  --file SRC:DEST      any other file\n"
          "  --debug-shell        " HOSTFS_SHELL " (Debian's dash): debug images only\n"
          "Files are owned by root when run as root; $SOURCE_DATE_EPOCH makes it reproducible.\n",
          verb_hostfs_build },
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
