/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The hand-over program of the boot VM tests (tests/vm/test-boot.sh): a static PID 1 placed in
 * a test hostfs image, started by mos-init through mos.handover=. It checks what mos-init
 * promises the next PID 1 (docs/boot.md, "Hand-over") and prints one "hostfs-probe: KEY=VALUE"
 * line per fact for the test to check, counts its boots in /data (persistence), then powers
 * off. It is a test fixture, not mosd: it starts no services. */

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define OVERLAYFS_MAGIC 0x794c7630
#define EXT4_MAGIC 0xef53
#define MSDOS_MAGIC 0x4d44

static void say(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *key, const char *fmt, ...) {
        char buf[512];
        va_list ap;
        int n;

        n = snprintf(buf, sizeof buf, "hostfs-probe: %s=", key);
        va_start(ap, fmt);
        n += vsnprintf(buf + n, sizeof buf - (size_t) n, fmt, ap);
        va_end(ap);
        if (n > (int) sizeof buf - 2)
                n = (int) sizeof buf - 2;
        buf[n++] = '\n';
        (void) !write(STDOUT_FILENO, buf, (size_t) n);
}

static const char *fs_type(const char *path) {
        struct statfs s;

        if (statfs(path, &s) < 0)
                return "missing";
        switch ((unsigned long) s.f_type) {
        case OVERLAYFS_MAGIC:
                return "overlay";
        case EXT4_MAGIC:
                return "ext4";
        case MSDOS_MAGIC:
                return "vfat";
        case 0x01021994:
                return "tmpfs";
        case 0x73717368:
                return "squashfs";
        default:
                return "other";
        }
}

static long file_size(const char *path) {
        struct stat st;
        return stat(path, &st) < 0 ? -1 : (long) st.st_size;
}

/* Reads, increments and writes back /data/probe/boots (fsync'd): the count of boots that
 * reached the hand-over with this data volume. */
static long count_boot(void) {
        char buf[32] = "";
        long n = 0;
        int fd;

        (void) mkdir("/data/probe", 0700);
        fd = open("/data/probe/boots", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (read(fd, buf, sizeof buf - 1) > 0)
                n = strtol(buf, NULL, 10);
        n++;
        snprintf(buf, sizeof buf, "%ld\n", n);
        if (pwrite(fd, buf, strlen(buf), 0) < 0 || fsync(fd) < 0) {
                close(fd);
                return -errno;
        }
        close(fd);
        return n;
}

int main(void) {
        int fd;

        say("pid", "%d", (int) getpid());
        say("root", "%s", fs_type("/"));
        say("config", "%s", fs_type("/config"));
        say("store", "%s", fs_type("/store"));
        say("data", "%s", fs_type("/data"));
        say("run-manifest", "%ld", file_size("/run/mos/manifest.json"));
        say("run-identity", "%ld", file_size("/run/mos/identity.der"));
        say("run-boot-json", "%ld", file_size("/run/mos/boot.json"));
        say("initramfs-gone", "%s", access("/init", F_OK) < 0 ? "yes" : "no");
        say("mosd", "%s", access("/usr/sbin/mosd", X_OK) == 0 ? "yes" : "no");
        say("crun", "%s", access("/usr/bin/crun", X_OK) == 0 ? "yes" : "no");
        fd = open("/store/probe-write", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        say("store-writable", "%s", fd >= 0 ? "yes" : errno == EROFS ? "no" : strerror(errno));
        if (fd >= 0)
                close(fd);
        say("boots", "%ld", count_boot());
        say("done", "yes");
        sync();
        (void) reboot(RB_POWER_OFF);
        for (;;)
                pause();
}
