/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Factory provisioning in mos-init (docs/boot.md, "Factory provisioning"; ARCHITECTURE.md,
 * "Manufacturing"). It runs only from the factory UKI, which is signed by uefi-db-provision:
 * the firmware measures that certificate into PCR 7, so no production policy matches while it
 * runs and nothing here can unseal a production secret. All TPM work goes through tpm2.h.
 *
 *   boot 1: identity key and counters in the TPM; the public key goes to the console and to
 *           the exchange area (slot "identity"). Power off.
 *   station: `mos factory get IMAGE identity`, `mos device add ... --pubkey`,
 *            `mos factory put IMAGE certificate CERT`.
 *   boot 2: the certificate is stored in NV (the TPM checks it is for its identity key), the
 *           data-volume key is generated and sealed by the TPM (slot "sealed-data-volume"),
 *           ownership is taken with an owner authorization nobody keeps. Power off. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot-internal.h"
#include "crypto.h"
#include "factory-exchange.h"
#include "fd-util.h"
#include "string-util.h"
#include "tpm2.h"

static int say_public_key(Boot *b, const CryptoKey *identity, int fd) {
        _cleanup_free_ char *pem = NULL, *copy = NULL;
        uint8_t fp[SHA256_DIGEST_SIZE];
        _cleanup_free_ char *hex = NULL;
        char *line, *save = NULL;
        size_t size;
        int r;

        r = crypto_key_public_pem(identity, &pem, &size);
        if (r < 0)
                return boot_fail(b, r, "cannot encode the identity public key: %s", strerror(-r));
        r = factory_record_write(fd, 0, FACTORY_RECORD_IDENTITY, pem, size);
        if (r < 0)
                return boot_fail(b, r,
                                 "cannot write the identity public key to the factory "
                                 "exchange area: %s",
                                 strerror(-r));
        r = crypto_key_fingerprint(identity, fp);
        if (r < 0)
                return boot_fail(b, r, "cannot hash the identity public key: %s", strerror(-r));
        hex = hexmem(fp, sizeof fp);
        boot_say(b,
                 "factory: identity public key (SHA-256 of its DER: %s), also in the exchange "
                 "area of mos-data:",
                 strempty(hex));
        copy = strndup(pem, size);
        if (!copy)
                return -ENOMEM;
        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                boot_say(b, "factory: %s", line);
        return 0;
}

static int step_identity(Boot *b, const CryptoKey *policy_key, bool have_identity, int fd) {
        _cleanup_(crypto_key_freep) CryptoKey *identity = NULL;
        int r;

        if (have_identity) {
                /* An earlier boot 1 made the key but the certificate has not come back yet:
                 * hand out the same public key again, never make a new one. */
                r = tpm2_identity_public(b->tpm, &identity);
                if (r < 0)
                        return boot_fail(b, r, "cannot read the identity key: %s",
                                         tpm2_context_last_error(b->tpm));
        } else {
                r = tpm2_provision_identity(b->tpm, policy_key, false, &identity);
                if (r < 0)
                        return boot_fail(b, r, "provisioning the identity key failed: %s",
                                         tpm2_context_last_error(b->tpm));
        }
        r = say_public_key(b, identity, fd);
        if (r < 0)
                return r;
        boot_say(b, "factory: step 1 done: issue the identity certificate for this key (mos "
                    "device add --pubkey) and put it into the exchange area");
        return 0;
}

static int step_certificate(Boot *b, const CryptoKey *policy_key, const uint8_t *cert,
                            size_t cert_size, int fd) {
        _cleanup_free_ uint8_t *blob = NULL;
        _cleanup_free_ char *serial = NULL, *error = NULL;
        size_t blob_size;
        int r;

        /* Whoever writes the exchange area must not choose the device's product: only a
         * certificate of the vendor's sudi-ca is stored. */
        r = boot_check_identity_certificate(BOOT_SUDI_CA, cert, cert_size, &error);
        if (r < 0)
                return boot_fail(b, r,
                                 "the certificate in the factory exchange area was not issued "
                                 "by the vendor's device CA: %s",
                                 error ?: strerror(-r));
        r = crypto_cert_data_device_serial(cert, cert_size, &serial);
        if (r < 0)
                return boot_fail(b, r,
                                 "the certificate in the factory exchange area is not a "
                                 "device identity certificate (no serial number)");
        r = tpm2_provision_store_certificate(b->tpm, policy_key, cert, cert_size, false);
        if (r < 0)
                return boot_fail(b, r, "storing the identity certificate failed: %s",
                                 tpm2_context_last_error(b->tpm));
        r = tpm2_seal_new_secret(b->tpm, policy_key, TPM2_SECRET_SIZE, &blob, &blob_size);
        if (r < 0)
                return boot_fail(b, r, "sealing the data-volume key failed: %s",
                                 tpm2_context_last_error(b->tpm));
        /* The sealed blob is durable before ownership is taken: an interruption here leaves a
         * TPM that can run this step again. */
        r = factory_record_write(fd, 0, FACTORY_RECORD_SEALED_DATA_VOLUME, blob, blob_size);
        if (r < 0)
                return boot_fail(b, r,
                                 "cannot write the sealed key to the factory exchange "
                                 "area: %s",
                                 strerror(-r));
        r = tpm2_provision_finish(b->tpm, NULL, 0);
        if (r < 0)
                return boot_fail(b, r, "taking ownership of the TPM failed: %s",
                                 tpm2_context_last_error(b->tpm));
        boot_say(b,
                 "factory: step 2 done: certificate for device %s stored in the TPM, "
                 "data-volume key sealed, TPM ownership taken; provisioning complete",
                 serial);
        return 0;
}

int boot_factory_provision(Boot *b, const char *data_device) {
        _cleanup_(crypto_key_freep) CryptoKey *policy_key = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_free_ uint8_t *cert = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t cert_size = 0;
        Tpm2Layout layout;
        int r;

        r = crypto_key_load_public_pem(BOOT_TPM_POLICY_KEY, &policy_key);
        if (r < 0)
                return boot_fail(b, r, "the tpm-policy key %s of the initramfs does not load: %s",
                                 BOOT_TPM_POLICY_KEY, strerror(-r));
        r = tpm2_context_new(b->opts.tcti, &b->tpm, &error);
        if (r < 0)
                return boot_fail(b, r, "no TPM: %s", error ?: strerror(-r));
        fd = open(data_device, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return boot_fail(b, -errno, "cannot open %s for the factory exchange area: %m",
                                 data_device);

        r = tpm2_layout_read(b->tpm, &layout);
        if (r == -ENOKEY)
                layout.stage = TPM2_STAGE_NONE;
        else if (r < 0)
                return boot_fail(b, r, "cannot read the TPM's MachineOS layout: %s",
                                 tpm2_context_last_error(b->tpm));

        switch (layout.stage) {
        case TPM2_STAGE_COMPLETE:
                /* Not an attack and nothing to do: a provisioned TPM never goes back. */
                boot_say(b, "factory: the TPM is already provisioned; nothing to do");
                return 0;
        case TPM2_STAGE_IDENTITY:
                r = factory_record_read(fd, 0, FACTORY_RECORD_CERTIFICATE, &cert, &cert_size);
                if (r == -ENOENT)
                        return step_identity(b, policy_key, true, fd);
                if (r < 0)
                        return boot_fail(b, r,
                                         "the certificate record in the factory exchange "
                                         "area is corrupt");
                return step_certificate(b, policy_key, cert, cert_size, fd);
        case TPM2_STAGE_NONE:
        default:
                return step_identity(b, policy_key, false, fd);
        }
}
