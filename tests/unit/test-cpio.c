/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "cpio.h"
#include "macro.h"
#include "tap.h"

typedef struct Seen {
        int n;
        char paths[8][32];
        mode_t modes[8];
        size_t sizes[8];
} Seen;

static int collect(const CpioEntry *e, void *userdata) {
        Seen *s = userdata;
        if (s->n >= 8)
                return -E2BIG;
        snprintf(s->paths[s->n], sizeof s->paths[0], "%s", e->path);
        s->modes[s->n] = e->mode;
        s->sizes[s->n] = e->size;
        s->n++;
        return 0;
}

TEST(roundtrip) {
        CpioWriter w = { .mtime = 42 };
        _cleanup_free_ uint8_t *a = NULL;
        Seen seen = { 0 };
        size_t n;

        ASSERT_OK(cpio_add_directory(&w, "dev", 0755));
        ASSERT_OK(cpio_add(&w, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0));
        ASSERT_OK(cpio_add_file(&w, "init", 0755, "abcde", 5));
        ASSERT_OK(cpio_add_symlink(&w, "lib64", "/lib"));
        ASSERT_ERRNO(cpio_add_file(&w, "../etc", 0644, "x", 1), -EINVAL);
        ASSERT_ERRNO(cpio_add_file(&w, "/abs", 0644, "x", 1), -EINVAL);
        ASSERT_ERRNO(cpio_add(&w, "d", S_IFDIR | 0755, 0, 0, "x", 1), -EINVAL);
        ASSERT_OK(cpio_finish(&w, &a, &n));
        ASSERT_EQ(n % 4, 0);
        ASSERT_TRUE(memcmp(a, "070701", 6) == 0);
        ASSERT_OK(cpio_parse(a, n, collect, &seen));
        ASSERT_EQ(seen.n, 4);
        ASSERT_STREQ(seen.paths[1], "dev/console");
        ASSERT_TRUE(S_ISCHR(seen.modes[1]));
        ASSERT_STREQ(seen.paths[2], "init");
        ASSERT_EQ(seen.sizes[2], 5);
        ASSERT_TRUE(S_ISLNK(seen.modes[3]));
        /* No trailer, bad magic, a size past the end. */
        ASSERT_ERRNO(cpio_parse(a, n - 124, NULL, NULL), -EBADMSG);
        a[0] = '1';
        ASSERT_ERRNO(cpio_parse(a, n, NULL, NULL), -EBADMSG);
        a[0] = '0';
        memcpy(a + 54, "ffffffff", 8);
        ASSERT_ERRNO(cpio_parse(a, n, NULL, NULL), -EBADMSG);
}

int main(void) {
        RUN(roundtrip);
        return tap_done();
}
