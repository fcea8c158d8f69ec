/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blockdev.h"
#include "boot-internal.h"
#include "cryptdev.h"
#include "crypto.h"
#include "dir-util.h"
#include "disk.h"
#include "factory-exchange.h"
#include "fd-util.h"
#include "fileio.h"
#include "good-release.h"
#include "init-system.h"
#include "json.h"
#include "layer-mount.h"
#include "log.h"
#include "manifest.h"
#include "parse-util.h"
#include "path-util.h"
#include "process.h"
#include "proc-cmdline.h"
#include "string-util.h"
#include "strv.h"
#include "tpm-policy.h"
#include "tpm2.h"
#include "uuid-util.h"

#define DATA_DM_NAME "mos-data"
#define SYSROOT "/sysroot"
#define HOSTFS_DIR "/run/mos/hostfs"

/* ---- options ---- */

void boot_options_done(BootOptions *o) {
        o->handover = mfree(o->handover);
        o->tcti = mfree(o->tcti);
}

int boot_options_parse(const char *cmdline, size_t size, BootOptions *ret, char **ret_error) {
        _cleanup_free_ char *mode = NULL, *handover = NULL, *timeout = NULL, *tcti = NULL;
        BootOptions o = {
                .mode = BOOT_MODE_PRODUCTION,
                .device_timeout_usec = BOOT_DEFAULT_DEVICE_TIMEOUT_SEC * UINT64_C(1000000),
        };
        int r;

#define BAD(...)                                                                                   \
        ({                                                                                         \
                if (ret_error)                                                                     \
                        *ret_error = strprintf(__VA_ARGS__);                                       \
                -EINVAL;                                                                           \
        })

        r = proc_cmdline_get(cmdline, size, "mos.mode", &mode);
        if (r < 0)
                return r == -EBADMSG ? BAD("the kernel command line has an unterminated quote") : r;
        if (r > 0) {
                if (streq(mode, "production"))
                        o.mode = BOOT_MODE_PRODUCTION;
                else if (streq(mode, "provision"))
                        o.mode = BOOT_MODE_PROVISION;
                else
                        return BAD("mos.mode='%s' is neither 'production' nor 'provision'", mode);
        }
        r = proc_cmdline_get(cmdline, size, "mos.handover", &handover);
        if (r < 0)
                return r;
        if (r > 0 && (handover[0] != '/' || !path_is_safe_relative(handover + 1)))
                return BAD("mos.handover='%s' is not an absolute, normalised path", handover);
        r = proc_cmdline_get(cmdline, size, "mos.device_timeout", &timeout);
        if (r < 0)
                return r;
        if (r > 0) {
                unsigned sec;
                if (safe_atou(timeout, &sec) < 0 || sec < 1 || sec > 600)
                        return BAD("mos.device_timeout='%s' is not a number of seconds (1..600)",
                                   timeout);
                o.device_timeout_usec = (uint64_t) sec * 1000000u;
        }
        r = proc_cmdline_get(cmdline, size, "mos.tcti", &tcti);
        if (r < 0)
                return r;
        if (r > 0 && isempty(tcti))
                return BAD("mos.tcti is empty");
        r = proc_cmdline_get(cmdline, size, "mos.debug", NULL);
        if (r < 0)
                return r;
        o.debug = r > 0;
#undef BAD

        o.handover = handover ? TAKE_PTR(handover) : strdup(BOOT_DEFAULT_HANDOVER);
        if (!o.handover)
                return -ENOMEM;
        o.tcti = TAKE_PTR(tcti);
        *ret = o;
        return 0;
}

/* ---- the context, phases and messages ---- */

Boot *boot_new(BootSayFn say, void *userdata) {
        Boot *b = calloc(1, sizeof *b);

        if (!b)
                return NULL;
        b->say = say;
        b->userdata = userdata;
        b->reason = strdup("");
        if (!b->reason)
                return mfree(b);
        return b;
}

Boot *boot_free(Boot *b) {
        if (!b)
                return NULL;
        boot_options_done(&b->opts);
        secret_buffer_done(&b->secret);
        tpm2_context_free(b->tpm);
        tpm_policy_set_done(&b->policies);
        free(b->sealed);
        free(b->cert);
        free(b->manifest_data);
        free(b->signature);
        manifest_free(b->manifest);
        strv_free(b->devices);
        free(b->reason);
        return mfree(b);
}

const char *boot_reason(const Boot *b) {
        return b->reason;
}

const BootOptions *boot_options(const Boot *b) {
        return &b->opts;
}

size_t boot_phases(const Boot *b, const BootPhase **ret) {
        *ret = b->phases;
        return b->n_phases;
}

uint64_t boot_now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

void boot_format_usec(uint64_t usec, char *buf, size_t size) {
        if (usec < 1000000)
                (void) snprintf(buf, size, "%" PRIu64 " ms", (usec + 500) / 1000);
        else
                (void) snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 " s", usec / 1000000,
                                (usec % 1000000) / 1000);
}

void boot_say(Boot *b, const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&line, fmt, ap) < 0)
                line = NULL;
        va_end(ap);
        if (line && b->say)
                b->say(line, b->userdata);
}

int boot_fail(Boot *b, int r, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) >= 0) {
                free(b->reason);
                b->reason = s;
        }
        va_end(ap);
        return r < 0 ? r : -EINVAL;
}

void boot_phase_begin(Boot *b, const char *name) {
        uint64_t now = boot_now_usec();

        if (b->n_phases >= BOOT_PHASES_MAX)
                return;
        b->phases[b->n_phases++] = (BootPhase){ .name = name, .start_usec = now };
        boot_say(b, "phase %s: started at %" PRIu64 ".%03" PRIu64 " s", name, now / 1000000,
                 (now % 1000000) / 1000);
}

void boot_phase_end(Boot *b) {
        BootPhase *p;
        char d[32];

        if (b->n_phases == 0)
                return;
        p = &b->phases[b->n_phases - 1];
        p->end_usec = boot_now_usec();
        boot_format_usec(p->end_usec - p->start_usec, d, sizeof d);
        boot_say(b, "phase %s: done in %s", p->name, d);
}

/* ---- phases ---- */

static int phase_sysinit(Boot *b) {
        _cleanup_free_ char *failed = NULL, *cmdline = NULL, *error = NULL;
        size_t size;
        int r;

        r = init_mount_api_filesystems(&failed);
        if (r < 0)
                return boot_fail(b, r, "cannot mount the kernel file system on %s: %s",
                                 strempty(failed), strerror(-r));
        r = proc_cmdline_read(NULL, &cmdline, &size);
        if (r < 0)
                return boot_fail(b, r, "cannot read /proc/cmdline: %s", strerror(-r));
        r = boot_options_parse(cmdline, size, &b->opts, &error);
        if (r < 0)
                return boot_fail(b, r, "kernel command line: %s",
                                 error ?: "cannot parse the kernel command line");
        if (b->opts.debug) {
                log_set_max_level(LOG_DEBUG);
                cryptdev_set_debug(true);
        }
        /* libdevmapper without udev: it creates /dev/mapper nodes itself and waits for no
         * udev cookie. */
        (void) setenv("DM_DISABLE_UDEV", "1", 1);
        boot_say(b, "mode %s, hand-over %s",
                 b->opts.mode == BOOT_MODE_PROVISION ? "provision" : "production",
                 b->opts.handover);
        return 0;
}

static int phase_modules(Boot *b) {
        _cleanup_free_ char *failed = NULL;
        int r;

        r = init_load_modules(BOOT_MODULES_LOAD, &failed);
        if (r == -EKEYREJECTED || r == -ENOKEY || r == -EPERM)
                return boot_fail(b, r,
                                 "the kernel refused module %s: %s (only modules signed by "
                                 "the kernel's vendor load under lockdown)",
                                 strempty(failed), strerror(-r));
        if (r < 0)
                return boot_fail(b, r, "cannot load kernel module %s: %s", strempty(failed),
                                 strerror(-r));
        boot_say(b, "loaded %d kernel modules", r);
        return 0;
}

static int phase_devices(Boot *b, char *const *names) {
        _cleanup_free_ char *missing = NULL;
        char t[32];
        int r;

        r = blockdev_wait_partitions(NULL, NULL, names, b->opts.device_timeout_usec, &b->devices,
                                     &missing);
        boot_format_usec(b->opts.device_timeout_usec, t, sizeof t);
        if (r == -ETIMEDOUT)
                return boot_fail(b, r,
                                 "partition '%s' did not appear within %s (no disk with the "
                                 "MachineOS partitions?)",
                                 strempty(missing), t);
        if (r == -ENOTUNIQ)
                return boot_fail(b, r,
                                 "several partitions are named %s: refusing to choose "
                                 "which one to trust",
                                 strempty(missing));
        if (r < 0)
                return boot_fail(b, r, "cannot look for partitions in sysfs: %s", strerror(-r));
        for (size_t i = 0; names[i]; i++)
                boot_say(b, "partition %s is %s", names[i], b->devices[i]);
        return 0;
}

/* The sealed data-volume key: in the LUKS2 token of the data volume, or on the first boot in
 * the factory exchange area at its start. */
static int read_sealed_key(Boot *b) {
        const char *dev = b->devices[DEV_DATA];
        int r;

        r = cryptdev_luks_probe(dev);
        if (r == -EBADMSG)
                return boot_fail(b, r, "the data volume %s holds a LUKS1 or damaged LUKS header",
                                 dev);
        if (r < 0)
                return boot_fail(b, r, "cannot read the data volume %s: %s", dev, strerror(-r));
        if (r > 0) {
                r = cryptdev_luks_read_token(dev, &b->sealed, &b->sealed_size);
                if (r == -ENOKEY)
                        return boot_fail(b, r,
                                         "the data volume %s has no %s token: it was not "
                                         "made by MachineOS",
                                         dev, CRYPTDEV_TOKEN_TYPE);
                if (r < 0)
                        return boot_fail(b, r, "the data volume %s has a malformed %s token", dev,
                                         CRYPTDEV_TOKEN_TYPE);
                return 0;
        }

        _cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return boot_fail(b, -errno, "cannot open the data volume %s: %m", dev);
        r = factory_record_read(fd, 0, FACTORY_RECORD_SEALED_DATA_VOLUME, &b->sealed,
                                &b->sealed_size);
        if (r == -ENOENT)
                return boot_fail(b, r,
                                 "the data volume %s is neither a LUKS2 volume nor holds a "
                                 "sealed key from factory provisioning: this device is not "
                                 "provisioned",
                                 dev);
        if (r < 0)
                return boot_fail(b, r,
                                 "the sealed key record in the factory exchange area of %s "
                                 "is corrupt",
                                 dev);
        b->first_boot = true;
        boot_say(b, "first boot: the data volume is empty; sealed key from the factory exchange "
                    "area");
        return 0;
}

static int phase_unseal(Boot *b) {
        _cleanup_free_ char *error = NULL, *pcr_hex = NULL;
        const TpmSignedPolicy *used = NULL;
        int r;

        r = tpm2_context_new(b->opts.tcti, &b->tpm, &error);
        if (r < 0)
                return boot_fail(b, r, "no TPM: %s", error ?: strerror(-r));
        r = tpm_policy_set_add_path(&b->policies, BOOT_POLICY_DIR, &error);
        if (r < 0)
                return boot_fail(b, r, "signed policy: %s", error ?: strerror(-r));
        if (b->policies.n == 0)
                return boot_fail(b, -ENOKEY, "the initramfs holds no signed PCR 7 policy in %s",
                                 BOOT_POLICY_DIR);
        r = read_sealed_key(b);
        if (r < 0)
                return r;
        r = tpm2_unseal(b->tpm, b->sealed, b->sealed_size, &b->policies, &b->secret, &used);
        if (r < 0)
                return boot_fail(b, r,
                                 "the TPM did not unseal the data-volume key from %s (%s): %s",
                                 b->devices[DEV_DATA],
                                 b->first_boot ? "factory exchange area" : "LUKS2 token",
                                 tpm2_context_last_error(b->tpm));
        if (b->secret.size != TPM2_SECRET_SIZE)
                return boot_fail(b, -EBADMSG, "the unsealed data-volume key has %zu bytes, not %u",
                                 b->secret.size, TPM2_SECRET_SIZE);
        pcr_hex = hexmem(used->pcr7, sizeof used->pcr7);
        boot_say(b,
                 "unsealed the data-volume key through the signed policy for PCR 7 %s "
                 "(revision %" PRIu64 ")",
                 strempty(pcr_hex), used->revision);
        return 0;
}

static int phase_lock(Boot *b) {
        uint8_t pcr[SHA256_DIGEST_SIZE];
        _cleanup_free_ char *hex = NULL;
        int r;

        r = tpm2_lock(b->tpm);
        if (r < 0)
                return boot_fail(b, r, "cannot lock PCR 7: %s", tpm2_context_last_error(b->tpm));
        r = tpm2_pcr7_read(b->tpm, pcr);
        if (r < 0)
                return boot_fail(b, r, "cannot read PCR 7 after locking: %s",
                                 tpm2_context_last_error(b->tpm));
        hex = hexmem(pcr, sizeof pcr);
        boot_say(b, "PCR 7 locked (now %s): no secret can be unsealed until the next boot",
                 strempty(hex));
        /* The TPM is not needed until mosd: close the connection. */
        b->tpm = tpm2_context_free(b->tpm);
        return 0;
}

int boot_check_identity_certificate(const char *ca_path, const uint8_t *der, size_t size,
                                    char **ret_error) {
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL, *leaf = NULL;
        int r;

        r = crypto_cert_load(ca_path, &ca);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strprintf("the device CA %s does not load: %s", ca_path,
                                               strerror(-r));
                return r;
        }
        r = crypto_cert_from_data(der, size, &leaf);
        if (r < 0) {
                if (ret_error)
                        *ret_error = strdup("not an X.509 certificate");
                return -EKEYREJECTED;
        }
        r = crypto_cert_verify_issued(leaf, ca, CRYPTO_NO_CHECK_TIME, ret_error);
        if (r < 0)
                return -EKEYREJECTED;
        r = crypto_cert_check_profile(leaf, CERT_PROFILE_DEVICE_IDENTITY, ret_error);
        if (r < 0)
                return -EKEYREJECTED;
        return 0;
}

/* The device identity certificate (its product) and the minimum release, from TPM NV. */
static int read_identity(Boot *b) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = tpm2_certificate_read(b->tpm, &b->cert, &b->cert_size);
        if (r == -ENOKEY)
                return boot_fail(b, r, "the TPM holds no device identity certificate");
        if (r < 0)
                return boot_fail(b, r,
                                 "cannot read the device identity certificate from the "
                                 "TPM: %s",
                                 tpm2_context_last_error(b->tpm));
        /* Factory provisioning checked it before storing it; checked again here because the
         * product it names decides which manifests this device accepts. */
        r = boot_check_identity_certificate(BOOT_SUDI_CA, b->cert, b->cert_size, &error);
        if (r < 0)
                return boot_fail(b, r,
                                 "the device identity certificate in the TPM was not issued by "
                                 "the vendor's device CA: %s",
                                 error ?: strerror(-r));
        r = crypto_cert_data_product_uuid(b->cert, b->cert_size, b->product);
        if (r < 0)
                return boot_fail(b, r,
                                 "the device identity certificate in the TPM names no "
                                 "product");
        r = tpm2_min_release_read(b->tpm, &b->min_release);
        if (r < 0)
                return boot_fail(b, r, "cannot read the minimum-release counter: %s",
                                 tpm2_context_last_error(b->tpm));
        return 0;
}

static int mount_data(Boot *b, const char *node) {
        if (mkdir("/data", 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mount(node, "/data", "ext4", MS_NOSUID | MS_NODEV, NULL) < 0)
                return -errno;
        return 0;
}

static int phase_data(Boot *b) {
        const char *dev = b->devices[DEV_DATA];
        _cleanup_free_ char *node = NULL;
        bool ready = false;
        int r;

        if (b->first_boot) {
                r = cryptdev_luks_format(dev, "mos-data", b->secret.data, b->secret.size, b->sealed,
                                         b->sealed_size);
                if (r < 0)
                        return boot_fail(b, r, "cannot format the data volume %s as LUKS2: %s", dev,
                                         strerror(-r));
                boot_say(b,
                         "data volume %s formatted as LUKS2 (aes-xts-plain64, PBKDF2 %u "
                         "iterations, key sealed in the TPM)",
                         dev, CRYPTDEV_PBKDF2_ITERATIONS);
        }
        r = cryptdev_luks_open(dev, DATA_DM_NAME, b->secret.data, b->secret.size, &node, &ready);
        secret_buffer_done(&b->secret);
        if (r == -EKEYREJECTED)
                return boot_fail(b, r,
                                 "the data volume %s does not open with this device's key "
                                 "(a data volume of another device?)",
                                 dev);
        if (r < 0)
                return boot_fail(b, r, "cannot open the data volume %s: %s", dev, strerror(-r));
        if (!ready) {
                /* First boot, or a first boot that stopped before the file system was made. */
                char *argv[] = { (char *) BOOT_MKE2FS,
                                 (char *) "-q",
                                 (char *) "-F",
                                 (char *) "-t",
                                 (char *) "ext4",
                                 (char *) "-L",
                                 (char *) "mos-data",
                                 (char *) "-E",
                                 (char *) "nodiscard",
                                 node,
                                 NULL };

                static char *const envp[] = { (char *) "PATH=/usr/sbin:/usr/bin", NULL };
                _cleanup_free_ char *output = NULL, *status = NULL;
                int ws = 0;

                r = process_run(argv, envp, 512, &output, &ws);
                if (output)
                        strip_trailing_newlines(output);
                if (r >= 0 && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0)) {
                        status = process_describe_status(ws);
                        r = -EIO;
                }
                if (r < 0)
                        return boot_fail(b, r,
                                         "making the ext4 file system on the data volume failed: "
                                         "%s %s%s%s",
                                         BOOT_MKE2FS, status ?: strerror(-r),
                                         isempty(output) ? "" : ": ", strempty(output));
                r = cryptdev_luks_set_ready(dev);
                if (r < 0)
                        return boot_fail(b, r, "cannot mark the data volume %s ready: %s", dev,
                                         strerror(-r));
                boot_say(b, "data volume: ext4 file system made");
        }
        r = mount_data(b, node);
        if (r < 0)
                return boot_fail(b, r, "cannot mount the data volume (%s, ext4) on /data: %s", node,
                                 strerror(-r));
        boot_say(b, "data volume %s open as %s, mounted on /data", dev, node);
        return 0;
}

static int mount_fat(const char *dev, const char *where) {
        if (mkdir(where, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mount(dev, where, "vfat", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "umask=0022") <
            0)
                return -errno;
        return 0;
}

static int mount_config(Boot *b) {
        const char *dev = b->devices[DEV_CONFIG];
        int r;

        if (b->config_mounted)
                return 0;
        r = mount_fat(dev, "/config");
        if (r < 0)
                return boot_fail(b, r, "cannot mount the configuration partition %s (FAT32): %s",
                                 dev, strerror(-r));
        b->config_mounted = true;
        return 0;
}

/* The manifest's bytes as they are on the configuration partition, not yet verified. */
static int read_manifest(Boot *b) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (b->manifest_data)
                return 0;
        path = path_join("/config", BOOT_CONFIG_MANIFEST);
        if (!path)
                return -ENOMEM;
        r = read_full_file(path, MANIFEST_MAX_SIZE, &b->manifest_data, &b->manifest_size);
        if (r == -EFBIG)
                return boot_fail(b, r, "manifest %s: larger than %u bytes", path,
                                 MANIFEST_MAX_SIZE);
        if (r < 0)
                return boot_fail(b, r, "manifest %s: %s", path, strerror(-r));
        return 0;
}

/* Verifies the manifest against the manifest CA of the initramfs, the product of the device
 * certificate and the TPM's minimum release (docs/manifest.md). */
static int verify_manifest(Boot *b) {
        _cleanup_(crypto_cert_freep) CryptoCert *ca = NULL;
        _cleanup_free_ char *error = NULL, *path = NULL, *sig_path = NULL;
        ManifestVerifyOptions o;
        int r;

        r = read_manifest(b);
        if (r < 0)
                return r;
        path = path_join("/config", BOOT_CONFIG_MANIFEST);
        sig_path = path_join("/config", BOOT_CONFIG_SIGNATURE);
        if (!path || !sig_path)
                return -ENOMEM;
        r = read_full_file(sig_path, CMS_SIGNATURE_MAX, (char **) &b->signature,
                           &b->signature_size);
        if (r == -EFBIG)
                return boot_fail(b, r, "manifest signature %s: larger than %u bytes", sig_path,
                                 CMS_SIGNATURE_MAX);
        if (r < 0)
                return boot_fail(b, r, "manifest signature %s: %s", sig_path, strerror(-r));
        r = crypto_cert_load(BOOT_MANIFEST_CA, &ca);
        if (r < 0)
                return boot_fail(b, r, "the manifest CA %s of the initramfs does not load: %s",
                                 BOOT_MANIFEST_CA, strerror(-r));

        /* Validity periods are not checked: the device has no trusted clock at boot (see
         * docs/boot.md, "Time"). Rollback is stopped by the release counter instead. */
        o = (ManifestVerifyOptions){
                .ca = ca,
                .product = b->product,
                .min_release = b->min_release,
                .now = CRYPTO_NO_CHECK_TIME,
        };
        r = manifest_verify(b->manifest_data, b->manifest_size, b->signature, b->signature_size, &o,
                            &b->manifest, &error);
        if (r < 0)
                return boot_fail(b, r, "manifest %s: %s", path, error ?: strerror(-r));
        return 0;
}

/* Rollback protection (docs/boot.md, "The minimum release"): when mosd recorded that the
 * release on the configuration partition booted good and it is above the TPM's minimum-release
 * counter, the counter moves up to it, authorized by the vendor's signed policy for this PCR 7,
 * so before the lock. The record is not authenticated: it must name exactly the manifest on
 * the partition, and that manifest's signature is verified first, so the counter only ever
 * moves to the release of a manifest the vendor signed for this product. Without such a record
 * nothing of the disk is parsed before the lock. */
static int phase_release(Boot *b) {
        _cleanup_free_ char *error = NULL;
        GoodRelease g;
        uint64_t old;
        int r;

        r = read_identity(b);
        if (r < 0)
                return r;
        r = mount_config(b);
        if (r < 0)
                return r;
        r = good_release_read("/config", &g, &error);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                boot_say(b, "ignoring the good-release record on the configuration partition: %s",
                         error ?: strerror(-r));
                return 0;
        }
        if (g.release <= b->min_release)
                return 0;
        r = read_manifest(b);
        if (r < 0)
                return r;
        if (!good_release_matches(&g, b->manifest_data, b->manifest_size, g.release)) {
                boot_say(b,
                         "ignoring the good-release record for release %" PRIu64
                         ": it names another manifest",
                         g.release);
                return 0;
        }
        r = verify_manifest(b);
        if (r < 0)
                return r;
        if (b->manifest->release != g.release) {
                boot_say(b,
                         "ignoring the good-release record for release %" PRIu64
                         ": the manifest is release %" PRIu64,
                         g.release, b->manifest->release);
                return 0;
        }
        old = b->min_release;
        r = tpm2_min_release_advance(b->tpm, g.release, &b->policies);
        if (r < 0) {
                /* Not a reason to stop the device: rollback protection stays where it was. */
                boot_say(b, "could not move the minimum release to %" PRIu64 ": %s", g.release,
                         tpm2_context_last_error(b->tpm));
                return 0;
        }
        b->min_release = g.release;
        boot_say(b,
                 "minimum release moved from %" PRIu64 " to %" PRIu64 " (release %" PRIu64
                 " booted good): older releases are refused from now on",
                 old, g.release, g.release);
        return 0;
}

static int phase_manifest(Boot *b) {
        char product[UUID_STRING_MAX];
        int r;

        r = mount_config(b);
        if (r < 0)
                return r;
        if (!b->manifest) {
                r = verify_manifest(b);
                if (r < 0)
                        return r;
        }
        boot_say(b,
                 "manifest release %" PRIu64 " (version %s) verified: signed for product %s, "
                 "release not below the TPM's minimum %" PRIu64,
                 b->manifest->release, b->manifest->version, uuid_to_string(b->product, product),
                 b->min_release);

        if (mkdir(BOOT_RUN_DIR, 0755) < 0 && errno != EEXIST)
                return boot_fail(b, -errno, "cannot create %s: %m", BOOT_RUN_DIR);
        r = write_file_atomic(BOOT_RUN_MANIFEST, b->manifest_data, b->manifest_size, 0644, 0);
        if (r >= 0)
                r = write_file_atomic(BOOT_RUN_SIGNATURE, b->signature, b->signature_size, 0644, 0);
        if (r >= 0)
                r = write_file_atomic(BOOT_RUN_IDENTITY, b->cert, b->cert_size, 0644, 0);
        if (r < 0)
                return boot_fail(b, r, "cannot write the verified manifest to %s: %s", BOOT_RUN_DIR,
                                 strerror(-r));
        return 0;
}

static const ManifestTarget *hostfs_target(const Manifest *m) {
        for (size_t i = 0; i < m->n_targets; i++)
                if (m->targets[i].type == TARGET_HOSTFS)
                        return &m->targets[i];
        return NULL;
}

static int phase_hostfs(Boot *b) {
        const ManifestTarget *t = hostfs_target(b->manifest);
        _cleanup_strv_free_ char **lowers = NULL;
        const char *dev = b->devices[DEV_STORE];
        uint64_t bytes = 0;
        int r;

        if (!t) /* manifest_validate() requires one; keep the check local too */
                return boot_fail(b, -EBADMSG, "the manifest has no hostfs target");
        r = mount_fat(dev, "/store");
        if (r < 0)
                return boot_fail(b, r, "cannot mount the store partition %s (FAT32): %s", dev,
                                 strerror(-r));

        lowers = calloc(t->image.n_layers + 1, sizeof(char *));
        if (!lowers)
                return -ENOMEM;
        for (size_t i = 0; i < t->image.n_layers; i++) {
                const ManifestLayer *l = &t->image.layers[i];
                const char *hex = startswith(l->digest, "sha256:");
                _cleanup_free_ char *blob = NULL, *where = NULL, *name = NULL;
                LayerMountError err = {};

                if (!hex)
                        return boot_fail(b, -EBADMSG, "hostfs layer %zu: digest %s is not sha256",
                                         i, l->digest);
                blob = strjoin("/store/blobs/sha256/", hex);
                where = strprintf(HOSTFS_DIR "/layers/%zu", i);
                name = strprintf("mos-hostfs-%zu", i);
                if (!blob || !where || !name)
                        return -ENOMEM;
                r = mkdir_p(where, 0755);
                if (r < 0)
                        return boot_fail(b, r, "cannot create %s: %s", where, strerror(-r));
                r = layer_mount(blob, l, name, where, MS_NOSUID | MS_NODEV, CRYPTDEV_CHECK_ALL,
                                &err);
                if (r == -EUCLEAN)
                        return boot_fail(b, r,
                                         "hostfs layer %zu (%s): the block at offset %" PRIu64
                                         " does not match the verity root hash of the manifest",
                                         i, l->digest, err.bad_offset);
                if (r == -ENOENT)
                        return boot_fail(b, r,
                                         "hostfs layer %zu (%s): the blob is missing from "
                                         "the store",
                                         i, l->digest);
                if (r == -EBADMSG)
                        return boot_fail(b, r,
                                         "hostfs layer %zu (%s): the blob has %" PRIu64
                                         " bytes, the manifest says %" PRIu64,
                                         i, l->digest, err.blob_size, l->size);
                if (r < 0)
                        return boot_fail(b, r,
                                         "hostfs layer %zu (%s): cannot mount it through "
                                         "dm-verity: %s",
                                         i, l->digest, strerror(-r));
                bytes += l->verity.data_blocks * MANIFEST_VERITY_BLOCK_SIZE;
                /* overlayfs lists the top layer first; OCI lists the base first. */
                lowers[t->image.n_layers - 1 - i] = TAKE_PTR(where);
        }
        boot_say(b, "hostfs: %zu layer(s), %" PRIu64 " bytes read and checked through dm-verity",
                 t->image.n_layers, bytes);

        /* The writable layer of the host is a tmpfs: the host image is stateless, everything
         * that must persist lives on /data (docs/boot.md, "hostfs"). */
        r = mkdir_p(HOSTFS_DIR "/rw", 0755);
        if (r >= 0 &&
            mount("tmpfs", HOSTFS_DIR "/rw", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                r = -errno;
        if (r >= 0)
                r = mkdir_p(HOSTFS_DIR "/rw/upper", 0755);
        if (r >= 0)
                r = mkdir_p(HOSTFS_DIR "/rw/work", 0755);
        if (r >= 0)
                r = mkdir_p(SYSROOT, 0755);
        if (r < 0)
                return boot_fail(b, r, "cannot prepare the hostfs overlay: %s", strerror(-r));
        r = overlay_mount(lowers, HOSTFS_DIR "/rw/upper", HOSTFS_DIR "/rw/work", SYSROOT, 0);
        if (r < 0)
                return boot_fail(b, r, "cannot mount the hostfs overlay on %s: %s", SYSROOT,
                                 strerror(-r));
        return 0;
}

static int write_boot_json(Boot *b) {
        _cleanup_json_ json_t *j = json_object(), *phases = json_array();
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        if (!j || !phases)
                return -ENOMEM;
        for (size_t i = 0; i < b->n_phases; i++) {
                const BootPhase *p = &b->phases[i];
                json_t *o = json_pack("{s:s, s:I, s:I}", "name", p->name, "start-usec",
                                      (json_int_t) p->start_usec, "duration-usec",
                                      (json_int_t) (p->end_usec ? p->end_usec - p->start_usec : 0));
                if (!o || json_array_append_new(phases, o) < 0)
                        return -ENOMEM;
        }
        if (json_object_set(j, "phases", phases) < 0 ||
            json_object_set_new(j, "first-boot", json_boolean(b->first_boot)) < 0 ||
            json_object_set_new(j, "release", json_integer((json_int_t) b->manifest->release)) < 0)
                return -ENOMEM;
        r = json_dump_canonical(j, &text, &size);
        if (r < 0)
                return r;
        return write_file_atomic(BOOT_RUN_BOOT_JSON, text, size, 0644, 0);
}

static int phase_handover(Boot *b) {
        static const char *const moves[] = {
                "/config", "/store", "/data", "/dev", "/proc", "/sys"
        };
        _cleanup_free_ char *target = strjoin(SYSROOT, b->opts.handover);
        char line[512] = "", d[32];
        size_t n = 0;
        int r;

        if (!target)
                return -ENOMEM;
        if (access(target, X_OK) < 0)
                return boot_fail(b, -errno,
                                 "the hand-over program %s is not in the hostfs image "
                                 "(or not executable): %m",
                                 b->opts.handover);

        /* The phases so far, for the closing summary and for mosd (boot.json). */
        for (size_t i = 0; i < b->n_phases && n < sizeof line; i++) {
                const BootPhase *p = &b->phases[i];
                boot_format_usec((p->end_usec ?: boot_now_usec()) - p->start_usec, d, sizeof d);
                n += (size_t) snprintf(line + n, sizeof line - n, "%s%s %s", i ? ", " : "", p->name,
                                       d);
        }
        boot_say(b, "phases: %s", line);
        r = write_boot_json(b);
        if (r < 0)
                return boot_fail(b, r, "cannot write %s: %s", BOOT_RUN_BOOT_JSON, strerror(-r));

        for (size_t i = 0; i < ELEMENTSOF(moves); i++) {
                _cleanup_free_ char *to = strjoin(SYSROOT, moves[i]);
                if (!to)
                        return -ENOMEM;
                r = init_move_mount(moves[i], to);
                if (r < 0)
                        return boot_fail(b, r, "cannot move %s into the hostfs: %s", moves[i],
                                         strerror(-r));
        }
        /* /run last: the hostfs layers and the overlay's upper directory live below it. */
        r = init_move_mount("/run", SYSROOT "/run");
        if (r < 0)
                return boot_fail(b, r, "cannot move /run into the hostfs: %s", strerror(-r));
        r = init_switch_root(SYSROOT);
        if (r < 0)
                return boot_fail(b, r, "cannot switch the root to the hostfs: %s", strerror(-r));
        return 0;
}

#define PHASE(b, name, call)                                                                       \
        ({                                                                                         \
                int _r;                                                                            \
                boot_phase_begin(b, name);                                                         \
                _r = (call);                                                                       \
                if (_r >= 0)                                                                       \
                        boot_phase_end(b);                                                         \
                _r;                                                                                \
        })

int boot_run(Boot *b) {
        static char *const production[] = { (char *) DISK_LABEL_CONFIG, (char *) DISK_LABEL_STORE,
                                            (char *) DISK_LABEL_DATA, NULL };
        static char *const factory[] = { (char *) DISK_LABEL_DATA, NULL };
        int r;

        r = PHASE(b, "sysinit", phase_sysinit(b));
        if (r < 0)
                return r;
        r = PHASE(b, "modules", phase_modules(b));
        if (r < 0)
                return r;

        if (b->opts.mode == BOOT_MODE_PROVISION) {
                r = PHASE(b, "devices", phase_devices(b, factory));
                if (r < 0)
                        return r;
                return PHASE(b, "provision", boot_factory_provision(b, b->devices[0]));
        }

        r = PHASE(b, "devices", phase_devices(b, production));
        if (r >= 0)
                r = PHASE(b, "unseal", phase_unseal(b));
        if (r >= 0)
                r = PHASE(b, "release", phase_release(b));
        if (r >= 0)
                r = PHASE(b, "lock", phase_lock(b));
        if (r >= 0)
                r = PHASE(b, "data", phase_data(b));
        if (r >= 0)
                r = PHASE(b, "manifest", phase_manifest(b));
        if (r >= 0)
                r = PHASE(b, "hostfs", phase_hostfs(b));
        if (r >= 0)
                r = PHASE(b, "handover", phase_handover(b));
        return r;
}
