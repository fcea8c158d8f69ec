/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A minimal diagnostic /init for the boot-chain VM tests (issue 6; mos-init replaces it). It
 * mounts the kernel file systems, loads the modules listed in /etc/mos/modules.load, prints
 * what the tests check as "MOS-DIAG: key=value" lines on the console, and powers off:
 *   init=started               first line of the initramfs (boot time measurement)
 *   lockdown=<mode>            /sys/kernel/security/lockdown
 *   secureboot=<0|1> setupmode=<0|1>   the EFI variables, through efivarfs
 *   pcr7=<hex>                 PCR 7 (SHA-256) read from /dev/tpmrm0 (TPM module)
 *   unseal=ok|refused ...      with "mos.diag.unseal" on the command line: the sealed test
 *                              secret unsealed through the signed policies (TPM module)
 *   done                       then power off
 * Refusals and failures are printed as "MOS-DIAG: error=<what>". */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "diag-tpm.h"

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
        char buf[4096];
        struct timespec ts;
        va_list ap;
        int n;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        n = snprintf(buf, sizeof buf, "MOS-DIAG: [%ld.%03ld] ", (long) ts.tv_sec,
                     ts.tv_nsec / 1000000);
        va_start(ap, fmt);
        n += vsnprintf(buf + n, sizeof buf - (size_t) n, fmt, ap);
        va_end(ap);
        if (n >= (int) sizeof buf - 1)
                n = sizeof buf - 2;
        buf[n++] = '\n';
        (void) !write(STDOUT_FILENO, buf, (size_t) n);
}

static void mount_fs(const char *type, const char *where) {
        unsigned long flags = MS_NOSUID | MS_NOEXEC | (strcmp(type, "devtmpfs") ? MS_NODEV : 0);

        (void) mkdir(where, 0755);
        if (mount(type, where, type, flags, NULL) < 0 && errno != EBUSY)
                say("error=mount %s on %s: %s", type, where, strerror(errno));
}

static int read_text(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                buf[--n] = 0;
        return (int) n;
}

static void load_modules(void) {
        char list[8192], *line, *save = NULL;

        if (read_text("/etc/mos/modules.load", list, sizeof list) < 0)
                return;
        for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                int fd = open(line, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        say("error=open module %s: %s", line, strerror(errno));
                        continue;
                }
                if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
                        say("error=load module %s: %s", line, strerror(errno));
                close(fd);
        }
}

/* An EFI global variable through efivarfs: 4 bytes of attributes, then the value. */
static int efi_global_byte(const char *name) {
        char path[256];
        unsigned char buf[8];
        ssize_t n;
        int fd;

        snprintf(path, sizeof path,
                 "/sys/firmware/efi/efivars/%s-8be4df61-93ca-11d2-aa0d-00e098032b8c", name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof buf);
        close(fd);
        if (n != 5)
                return -EIO;
        return buf[4];
}

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

/* Prints the SHA-256 digests of the PCR 7 events of the firmware's event log (TCG PC Client
 * PFP 10.2: a TCG_PCR_EVENT "Spec ID Event03" with the algorithm table, then crypto-agile
 * TCG_PCR_EVENT2 records), so the test can compare the prediction event by event. */
static void print_pcr7_events(void) {
        static unsigned char log[256 * 1024];
        uint16_t alg_ids[16], alg_sizes[16];
        uint32_t n_algs, spec_size;
        size_t n = 0, off;
        int fd = open("/sys/kernel/security/tpm0/binary_bios_measurements", O_RDONLY | O_CLOEXEC);
        ssize_t k;

        if (fd < 0) {
                say("error=event log: %s", strerror(errno));
                return;
        }
        while (n < sizeof log && (k = read(fd, log + n, sizeof log - n)) > 0)
                n += (size_t) k;
        close(fd);
        /* TCG_PCR_EVENT: PCRIndex, EventType, SHA1 digest (20), EventSize, Event (the Spec ID
         * event: Signature[16], platformClass, versions (3 bytes), uintnSize, numberOfAlgorithms,
         * then {algorithmId u16, digestSize u16}...). */
        if (n < 32 + 28)
                return;
        spec_size = le32(log + 28);
        if (spec_size < 28 || 32 + (size_t) spec_size > n)
                return;
        n_algs = le32(log + 32 + 24);
        if (n_algs == 0 || n_algs > 16 || 28 + 4 * (size_t) n_algs > spec_size)
                return;
        for (uint32_t i = 0; i < n_algs; i++) {
                alg_ids[i] = (uint16_t) (log[32 + 28 + 4 * i] | log[32 + 29 + 4 * i] << 8);
                alg_sizes[i] = (uint16_t) (log[32 + 30 + 4 * i] | log[32 + 31 + 4 * i] << 8);
        }
        off = 32 + spec_size;
        while (off + 12 <= n) {
                uint32_t pcr = le32(log + off), type = le32(log + off + 4),
                         count = le32(log + off + 8);
                const unsigned char *sha256 = NULL;
                size_t p = off + 12;
                uint32_t esize;

                if (count > 16)
                        return;
                for (uint32_t i = 0; i < count; i++) {
                        uint16_t alg;
                        size_t size = 0;
                        if (p + 2 > n)
                                return;
                        alg = (uint16_t) (log[p] | log[p + 1] << 8);
                        for (uint32_t j = 0; j < n_algs; j++)
                                if (alg_ids[j] == alg)
                                        size = alg_sizes[j];
                        if (size == 0 || p + 2 + size > n)
                                return;
                        if (alg == 0x000b && size == 32)
                                sha256 = log + p + 2;
                        p += 2 + size;
                }
                if (p + 4 > n)
                        return;
                esize = le32(log + p);
                if (esize > n - p - 4)
                        return;
                if (pcr == 7 && sha256) {
                        char hex[65];
                        for (int i = 0; i < 32; i++)
                                snprintf(hex + 2 * i, 3, "%02x", sha256[i]);
                        say("pcr7-event=0x%08x:%s", type, hex);
                }
                off = p + 4 + esize;
        }
}

static int has_arg(const char *cmdline, const char *word) {
        size_t n = strlen(word);
        for (const char *p = cmdline; (p = strstr(p, word)); p += n)
                if ((p == cmdline || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                        return 1;
        return 0;
}

int main(void) {
        char buf[512], cmdline[4096] = "";
        unsigned char pcr[32];
        int r;

        say("init=started");
        mount_fs("proc", "/proc");
        mount_fs("sysfs", "/sys");
        mount_fs("devtmpfs", "/dev");
        mount_fs("securityfs", "/sys/kernel/security");
        (void) read_text("/proc/cmdline", cmdline, sizeof cmdline);
        load_modules();
        mount_fs("efivarfs", "/sys/firmware/efi/efivars");

        if (read_text("/sys/kernel/security/lockdown", buf, sizeof buf) >= 0) {
                const char *s = strchr(buf, '['), *e = s ? strchr(s, ']') : NULL;
                say("lockdown=%.*s", s && e ? (int) (e - s - 1) : 4, s && e ? s + 1 : "none");
        }
        say("secureboot=%d setupmode=%d", efi_global_byte("SecureBoot"),
            efi_global_byte("SetupMode"));

        r = diag_tpm_pcr_read(7, pcr);
        if (r < 0)
                say("error=pcr7 read: %s", strerror(-r));
        else {
                char hex[65];
                for (int i = 0; i < 32; i++)
                        snprintf(hex + 2 * i, 3, "%02x", pcr[i]);
                say("pcr7=%s", hex);
        }
        print_pcr7_events();
        if (has_arg(cmdline, "mos.diag.unseal"))
                diag_tpm_unseal(say);

        say("done");
        sync();
        (void) reboot(RB_POWER_OFF);
        for (;;)
                pause();
}
