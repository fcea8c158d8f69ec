/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <unistd.h>

#include "elf-deps.h"
#include "fileio.h"
#include "string-util.h"
#include "strv.h"
#include "tap.h"

TEST(parse_self) {
        _cleanup_free_ char *buf = NULL;
        ElfDynamicInfo info;
        size_t n;

        ASSERT_OK(read_full_file("/proc/self/exe", 64 << 20, &buf, &n));
        ASSERT_OK(elf_parse_dynamic((const uint8_t *) buf, n, &info));
        ASSERT_TRUE(info.dynamic);
        ASSERT_NOT_NULL(info.interp);
        ASSERT_TRUE(strv_contains(info.needed, "libc.so.6"));
        elf_dynamic_info_done(&info);
        /* Truncations are refused, never read past the end. */
        for (size_t k = 0; k < 4096 && k < n; k += 61)
                if (elf_parse_dynamic((const uint8_t *) buf, k, &info) >= 0)
                        elf_dynamic_info_done(&info);
        ASSERT_ERRNO(elf_parse_dynamic((const uint8_t *) "\x7f"
                                                         "ELF",
                                       4, &info),
                     -EBADMSG);
        buf[18] = 3; /* e_machine: i386 */
        ASSERT_ERRNO(elf_parse_dynamic((const uint8_t *) buf, n, &info), -EBADMSG);
}

TEST(ldcache) {
        _cleanup_(ldcache_freep) LdCache *c = NULL, *e = NULL;

        ASSERT_OK(ldcache_load("/nonexistent/ld.so.cache", &e));
        ASSERT_EQ(ldcache_size(e), 0);
        if (access("/etc/ld.so.cache", R_OK) < 0)
                SKIP_TEST("no /etc/ld.so.cache");
        ASSERT_OK(ldcache_load("/etc/ld.so.cache", &c));
        ASSERT_TRUE(ldcache_size(c) > 0);
        ASSERT_NOT_NULL(ldcache_lookup(c, "libc.so.6"));
        ASSERT_NULL(ldcache_lookup(c, "libdoesnotexist.so.9"));
        ASSERT_ERRNO(ldcache_parse((const uint8_t *) "glibc-ld.so.cache1.0", 20, &e), -EBADMSG);
}

TEST(normalize) {
        static const char *const cases[][2] = {
                { "/a/b/../c", "/a/c" },    { "/..", "/" },
                { "/a/./b//c/", "/a/b/c" }, { "/", "/" },
                { "/a/../../b", "/b" },     { "/init/../lib/x.so", "/lib/x.so" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                _cleanup_free_ char *n = path_normalize_lexical(cases[i][0]);
                ASSERT_STREQ(n, cases[i][1]);
        }
        ASSERT_NULL(path_normalize_lexical("relative"));
}

TEST(closure_of_self) {
        _cleanup_(ldcache_freep) LdCache *c = NULL;
        _cleanup_free_ char *missing = NULL, *self = NULL;
        char *programs[2] = { NULL, NULL };
        char *dests[2] = { (char *) "/init", NULL };
        ElfFile *files = NULL;
        size_t n_files = 0;
        char buf[4096];
        ssize_t k;
        bool libc = false, loader = false, init = false;

        k = readlink("/proc/self/exe", buf, sizeof buf - 1);
        ASSERT_TRUE(k > 0);
        buf[k] = 0;
        self = strdup(buf);
        programs[0] = self;
        ASSERT_OK(ldcache_load("/etc/ld.so.cache", &c));
        ASSERT_OK(elf_resolve_closure(programs, dests, NULL, c, &files, &n_files, &missing));
        for (size_t i = 0; i < n_files; i++) {
                libc = libc || strstr(files[i].dest, "/libc.so.6");
                loader = loader || strstr(files[i].dest, "ld-linux-x86-64.so.2");
                init = init || (streq(files[i].dest, "/init") && streq(files[i].path, self));
        }
        elf_files_free(files, n_files);
        ASSERT_TRUE(libc);
        ASSERT_TRUE(loader);
        ASSERT_TRUE(init);
        /* A dlopen()ed soname that does not exist names itself. */
        {
                char *dl[] = { (char *) "libmos-test-nope.so.1", NULL };
                _cleanup_free_ char *m2 = NULL;
                ElfFile *f2 = NULL;
                size_t n2 = 0;
                ASSERT_ERRNO(elf_resolve_closure(programs, NULL, dl, c, &f2, &n2, &m2), -ENOENT);
                ASSERT_STREQ(m2, "libmos-test-nope.so.1");
        }
}

int main(void) {
        RUN(parse_self);
        RUN(ldcache);
        RUN(normalize);
        RUN(closure_of_self);
        return tap_done();
}
