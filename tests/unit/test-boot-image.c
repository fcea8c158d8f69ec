/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* firmware, uki, initramfs and disk: the boot-chain modules that put the others together,
 * against a keyset made by keyset_create(). */

#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "disk.h"
#include "efivars.h"
#include "fd-util.h"
#include "fileio.h"
#include "firmware.h"
#include "gpt.h"
#include "initramfs.h"
#include "keyset.h"
#include "path-util.h"
#include "string-util.h"
#include "tap.h"
#include "uki.h"

static char dir[] = "/tmp/test-boot-image-XXXXXX";
static char *keyset;

static char *find_kernel(void) {
        /* The last /boot/vmlinuz-*: a real bzImage. */
        static char path[512];
        glob_t g;

        if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0)
                return NULL;
        snprintf(path, sizeof path, "%s", g.gl_pathv[g.gl_pathc - 1]);
        globfree(&g);
        return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

TEST(firmware_vars_and_auth) {
        _cleanup_free_ char *tmpl = NULL;
        _cleanup_free_ uint8_t *image = NULL, *auth = NULL;
        _cleanup_(efi_varstore_freep) EfiVarStore *s = NULL;
        _cleanup_json_ json_t *d = NULL;
        size_t tn, n, an;
        EfiTime t;

        if (access(FIRMWARE_OVMF_VARS_TEMPLATE, R_OK) < 0)
                SKIP_TEST("no OVMF vars template");
        ASSERT_OK(read_full_file(FIRMWARE_OVMF_VARS_TEMPLATE, EFI_VARSTORE_IMAGE_MAX, &tmpl, &tn));
        ASSERT_OK(firmware_vars_build(keyset, (const uint8_t *) tmpl, tn, &image, &n));
        ASSERT_OK(efi_varstore_parse(image, n, &s));
        ASSERT_NOT_NULL(efi_varstore_find(s, "KEK", &EFI_GLOBAL_VARIABLE_GUID));
        ASSERT_OK(firmware_vars_describe(image, n, &d));
        ASSERT_TRUE(
                json_is_true(json_object_get(json_object_get(d, "secure-boot"), "pk-enrolled")));
        ASSERT_ERRNO(firmware_vars_build("/nonexistent", (const uint8_t *) tmpl, tn, &image, &n),
                     -ENOKEY);

        ASSERT_OK(efi_time_from_unix(1767225600, &t));
        for (FirmwareAuthVariable v = 0; v < FIRMWARE_AUTH_DBX; v++) {
                ASSERT_OK(firmware_auth_build(keyset, v, &t, &auth, &an));
                ASSERT_OK(firmware_auth_verify(keyset, v, auth, an));
                auth[an - 1] ^= 1; /* the data */
                ASSERT_ERRNO(firmware_auth_verify(keyset, v, auth, an), -EKEYREJECTED);
                auth[an - 1] ^= 1;
                auth[40 + 100] ^= 1; /* inside the PKCS#7 */
                ASSERT_TRUE(firmware_auth_verify(keyset, v, auth, an) < 0);
                auth = mfree(auth);
        }
        ASSERT_ERRNO(firmware_auth_build(keyset, FIRMWARE_AUTH_DBX, &t, &auth, &an), -ENOENT);
}

TEST(uki_and_disk) {
        _cleanup_(crypto_signer_freep) CryptoSigner *signer = NULL;
        _cleanup_(pe_image_freep) PeImage *img = NULL, *loader = NULL;
        _cleanup_free_ char *uki_path = path_join(dir, "uki.efi"), *disk = path_join(dir, "d.img");
        _cleanup_free_ GptPartition *parts = NULL;
        _cleanup_free_ uint8_t *back = NULL;
        _cleanup_close_ int fd = -1;
        UkiParams p = { .cmdline = "console=ttyS0", .kernel = find_kernel() };
        DiskParams dp = { .boot_tries = 3, .uki_name = "machineos" };
        uint8_t head[34 * 512];
        const uint8_t *sec;
        size_t size, n, bn;
        DiskLayout L;

        if (!p.kernel || access(UKI_STUB_DEFAULT, R_OK) < 0 ||
            access(UKI_SYSTEMD_BOOT_DEFAULT, R_OK) < 0)
                SKIP_TEST("no kernel or systemd-boot");
        ASSERT_OK(uki_load_signer(keyset, false, &signer));
        ASSERT_OK(uki_build(&p, signer, &img));
        ASSERT_OK(pe_image_find_section(img, ".cmdline", &sec, &size, NULL));
        ASSERT_TRUE(size == 13 && memcmp(sec, "console=ttyS0", 13) == 0);
        ASSERT_OK(pe_image_find_section(img, ".osrel", &sec, &size, NULL));
        ASSERT_OK(pe_image_find_section(img, ".linux", &sec, &size, NULL));
        ASSERT_OK(uki_verify(img, keyset));
        ASSERT_OK(pe_image_write(img, uki_path));
        {
                UkiParams bad = { .kernel = "/etc/hostname" },
                          ctl = { .kernel = p.kernel, .cmdline = "a\tb" };
                PeImage *x = NULL;
                ASSERT_ERRNO(uki_build(&bad, signer, &x), -EBADMSG);
                ASSERT_ERRNO(uki_build(&ctl, signer, &x), -EINVAL);
        }

        ASSERT_OK(uki_sign_binary(UKI_SYSTEMD_BOOT_DEFAULT, signer, &loader));
        dp.boot_loader = pe_image_data(loader, &dp.boot_loader_size);
        dp.uki = pe_image_data(img, &dp.uki_size);
        /* the file is not read again: what goes to the ESP is what was verified */
        ASSERT_OK(unlink(uki_path));
        ASSERT_OK(disk_create(&dp, disk, &L));
        fd = open(disk, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pread(fd, head, sizeof head, 0), (ssize_t) sizeof head);
        ASSERT_OK(gpt_parse(head, sizeof head, L.disk_size, NULL, &parts, &n));
        ASSERT_EQ(n, 4);
        ASSERT_STREQ(parts[0].name, DISK_LABEL_ESP);
        ASSERT_STREQ(parts[3].name, DISK_LABEL_DATA);
        ASSERT_EQ(parts[0].first_lba * 512, L.offset[0]);
        ASSERT_OK(fat32_read_file(fd, L.offset[0], "EFI/Linux/machineos+3.efi", &back, &bn));
        {
                size_t un;
                const uint8_t *u = pe_image_data(img, &un);
                ASSERT_TRUE(bn == un && memcmp(back, u, un) == 0);
        }
        back = mfree(back);
        ASSERT_OK(fat32_read_file(fd, L.offset[0], "loader/loader.conf", &back, &bn));
        ASSERT_TRUE(strstr((const char *) back, "editor no") != NULL);
}

static int count_entry(const CpioEntry *e, void *userdata) {
        unsigned *flags = userdata;
        if (streq(e->path, "init") && S_ISREG(e->mode))
                *flags |= 1;
        if (streq(e->path, "dev/console") && S_ISCHR(e->mode) && e->rdev_major == 5)
                *flags |= 2;
        if (endswith(e->path, "libc.so.6"))
                *flags |= 4;
        if (streq(e->path, "etc/mos/trust/manifest-ca.crt"))
                *flags |= 8;
        if (e->mtime != 7)
                *flags |= 0x100;
        return 0;
}

TEST(initramfs) {
        _cleanup_free_ uint8_t *a = NULL, *b = NULL;
        char self[4096];
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        InitramfsParams p = { .compression = COMPRESSION_NONE, .mtime = 7 };
        InitramfsStats st;
        unsigned flags = 0;
        size_t an, bn;

        ASSERT_TRUE(k > 0);
        self[k] = 0;
        p.init = self;
        p.keyset = keyset;
        ASSERT_OK(initramfs_build(&p, &a, &an, &st, NULL));
        ASSERT_OK(cpio_parse(a, an, count_entry, &flags));
        ASSERT_EQ(flags, 1 | 2 | 4 | 8);
        ASSERT_TRUE(st.n_libraries >= 2);
        ASSERT_OK(initramfs_build(&p, &b, &bn, NULL, NULL));
        ASSERT_TRUE(an == bn && memcmp(a, b, an) == 0);
        {
                char *mods[] = { (char *) "no-such-module", NULL };
                _cleanup_free_ char *missing = NULL;
                uint8_t *x = NULL;
                size_t xn;
                p.modules = mods;
                ASSERT_ERRNO(initramfs_build(&p, &x, &xn, NULL, &missing), -ENOENT);
                ASSERT_STREQ(missing, "no-such-module");
        }
}

int main(void) {
        int r;

        if (!mkdtemp(dir))
                return EXIT_FAILURE;
        keyset = path_join(dir, "keyset");
        r = keyset_create(keyset, "MachineOS unit tests");
        if (r < 0) {
                printf("# keyset_create: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        RUN(firmware_vars_and_auth);
        RUN(uki_and_disk);
        RUN(initramfs);
        (void) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return tap_done();
}
