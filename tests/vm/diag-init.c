/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A minimal diagnostic /init for the boot-chain VM tests (issue 6; mos-init replaces it). It
 * mounts the kernel file systems, loads the modules listed in /etc/mos/modules.load, prints
 * what the tests check as "MOS-DIAG: key=value" lines on the console, and powers off:
 *   init=started               first line of the initramfs (boot time measurement)
 *   lockdown=<mode>            /sys/kernel/security/lockdown
 *   secureboot=<0|1> setupmode=<0|1>   the EFI variables, through efivarfs
 *   pcr7=<hex>                 PCR 7 (SHA-256) read from /dev/tpmrm0
 *   done                       then power off
 * Refusals and failures are printed as "MOS-DIAG: error=<what>". */

#include <errno.h>
#include <fcntl.h>
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
        if (r <= -0x10000)
                say("error=pcr7 read: TPM_RC 0x%x", -r - 0x10000);
        else if (r < 0)
                say("error=pcr7 read: %s", strerror(-r));
        else {
                char hex[65];
                for (int i = 0; i < 32; i++)
                        snprintf(hex + 2 * i, 3, "%02x", pcr[i]);
                say("pcr7=%s", hex);
        }
        if (has_arg(cmdline, "mos.diag.unseal"))
                diag_tpm_unseal(say);

        say("done");
        sync();
        (void) reboot(RB_POWER_OFF);
        for (;;)
                pause();
}
