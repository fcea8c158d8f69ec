/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-count.h"
#include "fileio.h"
#include "path-util.h"
#include "dir-util.h"
#include "string-util.h"
#include "tap.h"

static char base[] = "/tmp/test-boot-count.XXXXXX";

static const char *at(const char *dir, const char *rel) {
        static char buf[4][512];
        static int i;
        i = (i + 1) % 4;
        snprintf(buf[i], sizeof buf[i], "%s%s", dir, rel);
        return buf[i];
}

static void check_name(const char *in, int expected_r, const char *expected) {
        _cleanup_free_ char *out = NULL;
        int r = boot_count_blessed_name(in, &out);

        if (r != expected_r || !streq_ptr(out ?: "", expected ?: ""))
                tap_fail("%s: got %d '%s', expected %d '%s'", in, r, out ?: "(null)", expected_r,
                         expected ?: "(null)");
}

TEST(names) {
        check_name("machineos+3.efi", 1, "machineos.efi");
        check_name("machineos+2-1.efi", 1, "machineos.efi");
        check_name("machineos+0-3.efi", 1, "machineos.efi");
        check_name("machineos-1.2+3.efi", 1, "machineos-1.2.efi");
        check_name("a+b+1-0.conf", 1, "a+b.conf");
        check_name("entry+5", 1, "entry");
        check_name("machineos.efi", 0, NULL);
        check_name("machineos+x.efi", 0, NULL);
        check_name("machineos+.efi", 0, NULL);
        check_name("machineos+1-.efi", 0, NULL);
        check_name("machineos+1-2-3.efi", 0, NULL);
        check_name("machineos+1234567890.efi", 0, NULL);
        check_name("+3.efi", 0, NULL);
        check_name("a/b+3.efi", -EINVAL, NULL);
        check_name("", -EINVAL, NULL);
}

/* efivarfs content: attributes, then UTF-16LE with a NUL. */
static size_t make_var(const char *s, uint8_t *buf, bool terminate) {
        size_t n = 4;
        buf[0] = 0x06; /* BOOTSERVICE_ACCESS | RUNTIME_ACCESS */
        buf[1] = buf[2] = buf[3] = 0;
        for (; *s; s++) {
                buf[n++] = (uint8_t) *s;
                buf[n++] = 0;
        }
        if (terminate) {
                buf[n++] = 0;
                buf[n++] = 0;
        }
        return n;
}

TEST(loader_variable) {
        uint8_t buf[2048];
        char *p = NULL;
        size_t n;

        n = make_var("\\EFI\\Linux\\machineos+2-1.efi", buf, true);
        ASSERT_OK(boot_count_parse_loader_path(buf, n, &p));
        ASSERT_STREQ(p, "/EFI/Linux/machineos+2-1.efi");
        free(p);

        n = make_var("\\EFI\\Linux\\machineos+2-1.efi", buf, false);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        n = make_var("\\EFI\\..\\x.efi", buf, true);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        n = make_var("EFI\\x.efi", buf, true);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        n = make_var("\\EFI\\\\x.efi", buf, true);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        n = make_var("\\EFI/x.efi", buf, true);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        n = make_var("\\", buf, true);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        n = make_var("\\EFI\\x.efi", buf, true);
        buf[5] = 0x01; /* a character outside ASCII */
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, n, &p), -EBADMSG);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, 5, &p), -EBADMSG);
        ASSERT_ERRNO(boot_count_parse_loader_path(buf, 3, &p), -EBADMSG);
}

TEST(reads_and_blesses) {
        _cleanup_free_ char *vars = path_join(base, "efivars"), *esp = path_join(base, "esp"),
                            *var = NULL, *path = NULL, *blessed = NULL, *data = NULL;
        uint8_t buf[256];
        size_t n;

        ASSERT_OK(mkdir(vars, 0755));
        ASSERT_ERRNO(boot_count_read_loader_path(vars, &path), -ENOENT);
        var = path_join(vars, BOOT_COUNT_LOADER_VARIABLE);
        n = make_var("\\EFI\\Linux\\machineos+2-1.efi", buf, true);
        ASSERT_OK(write_file_atomic(var, buf, n, 0644, 0));
        ASSERT_OK(boot_count_read_loader_path(vars, &path));
        ASSERT_STREQ(path, "/EFI/Linux/machineos+2-1.efi");

        ASSERT_OK(mkdir(esp, 0755));
        ASSERT_OK(mkdir(at(esp, "/EFI"), 0755));
        ASSERT_OK(mkdir(at(esp, "/EFI/Linux"), 0755));
        ASSERT_ERRNO(boot_count_bless(esp, path, &blessed), -ENOENT);
        ASSERT_OK(write_file_atomic(at(esp, "/EFI/Linux/machineos+2-1.efi"), "uki", 3, 0644, 0));
        ASSERT_EQ(boot_count_bless(esp, path, &blessed), 1);
        ASSERT_STREQ(blessed, "/EFI/Linux/machineos.efi");
        ASSERT_OK(read_full_file(at(esp, "/EFI/Linux/machineos.efi"), 16, &data, &n));
        ASSERT_EQ(n, 3);
        ASSERT_TRUE(access(at(esp, "/EFI/Linux/machineos+2-1.efi"), F_OK) < 0);
        /* Blessed already: nothing to do. */
        ASSERT_EQ(boot_count_bless(esp, "/EFI/Linux/machineos.efi", NULL), 0);
        /* The good name taken by another file: refused, nothing renamed. */
        ASSERT_OK(write_file_atomic(at(esp, "/EFI/Linux/machineos+1-2.efi"), "new", 3, 0644, 0));
        ASSERT_ERRNO(boot_count_bless(esp, "/EFI/Linux/machineos+1-2.efi", NULL), -EEXIST);
        ASSERT_OK(access(at(esp, "/EFI/Linux/machineos+1-2.efi"), F_OK));
        ASSERT_ERRNO(boot_count_bless(esp, "/EFI/../x+1.efi", NULL), -EINVAL);
        ASSERT_ERRNO(boot_count_bless(esp, "EFI/x+1.efi", NULL), -EINVAL);
}

int main(void) {
        if (!mkdtemp(base))
                tap_skip_all("cannot create a temporary directory");
        RUN(names);
        RUN(loader_variable);
        RUN(reads_and_blesses);
        (void) rm_rf(base);
        return tap_done();
}
