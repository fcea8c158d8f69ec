/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "string-util.h"
#include "tap.h"
#include "test-util.h"
#include "userns.h"

static char tmpdir[] = "/tmp/test-userns.XXXXXX";

TEST(lowest_free_slot_and_stable) {
        _cleanup_(userns_db_freep) UsernsDb *db = NULL;
        uint32_t a, b, again;
        int is_new;

        ASSERT_OK(userns_db_new(&db));
        ASSERT_OK(userns_db_get_base(db, "web", &a, &is_new));
        ASSERT_EQ(a, USERNS_FIRST_BASE);
        ASSERT_EQ(is_new, 1);
        ASSERT_OK(userns_db_get_base(db, "counter", &b, &is_new));
        ASSERT_EQ(b, USERNS_FIRST_BASE + USERNS_RANGE_SIZE);
        ASSERT_OK(userns_db_get_base(db, "web", &again, &is_new));
        ASSERT_EQ(again, a);
        ASSERT_EQ(is_new, 0);
}

TEST(record_survives_and_fills_holes) {
        _cleanup_free_ char *path = strjoin(tmpdir, "/userns.json"), *text = NULL;
        uint32_t base;
        struct stat st;

        ASSERT_OK(userns_allocate(path, "web", &base, NULL));
        ASSERT_EQ(base, USERNS_FIRST_BASE);
        ASSERT_OK(userns_allocate(path, "db", &base, NULL));
        ASSERT_EQ(base, USERNS_FIRST_BASE + USERNS_RANGE_SIZE);
        ASSERT_OK(userns_allocate(path, "web", &base, NULL));
        ASSERT_EQ(base, USERNS_FIRST_BASE);
        ASSERT_OK(read_full_file(path, 4096, &text, NULL));
        ASSERT_STREQ(text, "{\"groups\":{\"db\":1,\"web\":0},\"version\":1}");
        ASSERT_OK(stat(path, &st));
        ASSERT_EQ(st.st_mode & 0777, 0644);

        /* A record with slot 0 free: the next new group takes it. */
        {
                const char *rec = "{\"version\":1,\"groups\":{\"a\":1,\"b\":3}}";
                ASSERT_OK(write_file_atomic(path, rec, strlen(rec), 0644, 0));
        }
        ASSERT_OK(userns_allocate(path, "c", &base, NULL));
        ASSERT_EQ(base, USERNS_FIRST_BASE);
        ASSERT_OK(userns_allocate(path, "d", &base, NULL));
        ASSERT_EQ(base, USERNS_FIRST_BASE + 2 * USERNS_RANGE_SIZE);
}

TEST(full_table) {
        _cleanup_(userns_db_freep) UsernsDb *db = NULL;
        uint32_t base;
        char name[16];

        ASSERT_OK(userns_db_new(&db));
        for (unsigned i = 0; i < USERNS_MAX_SLOTS; i++) {
                snprintf(name, sizeof(name), "g%u", i);
                ASSERT_OK(userns_db_get_base(db, name, &base, NULL));
        }
        ASSERT_EQ(base, USERNS_FIRST_BASE + (USERNS_MAX_SLOTS - 1) * USERNS_RANGE_SIZE);
        ASSERT_ERRNO(userns_db_get_base(db, "one-more", &base, NULL), -ENOSPC);
}

#define EXPECT_BAD(text, substring)                                                                \
        do {                                                                                       \
                _cleanup_(userns_db_freep) UsernsDb *_db = NULL;                                   \
                _cleanup_free_ char *_err = NULL;                                                  \
                ASSERT_ERRNO(userns_db_parse(text, strlen(text), &_db, &_err), -EBADMSG);          \
                if (!_err || !strstr(_err, substring)) {                                           \
                        tap_fail("message '%s' lacks '%s'", _err ?: "(null)", substring);          \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

TEST(parse_refuses_bad_records) {
        EXPECT_BAD("{\"version\":2,\"groups\":{}}", "unsupported version");
        EXPECT_BAD("{\"groups\":{}}", "'version': missing");
        EXPECT_BAD("{\"version\":1,\"groups\":{},\"x\":1}", "'x': unknown field");
        EXPECT_BAD("{\"version\":1,\"groups\":{\"a\":0,\"b\":0}}", "slot 0 is given to two");
        EXPECT_BAD("{\"version\":1,\"groups\":{\"a\":1024}}", "out of range");
        EXPECT_BAD("{\"version\":1,\"groups\":{\"a\":-1}}", "out of range");
        EXPECT_BAD("{\"version\":1,\"groups\":{\"a\":\"0\"}}", "not an integer");
        EXPECT_BAD("{\"version\":1,\"groups\":{\"../a\":0}}", "invalid group name");
        EXPECT_BAD("{\"version\":1,\"groups\":[]}", "expected an object");
        EXPECT_BAD("{\"version\":1,", "line 1");
}

TEST(names) {
        uint32_t base;
        _cleanup_(userns_db_freep) UsernsDb *db = NULL;

        ASSERT_TRUE(userns_group_name_is_valid("web"));
        ASSERT_TRUE(userns_group_name_is_valid("a.b-c_d9"));
        ASSERT_FALSE(userns_group_name_is_valid(""));
        ASSERT_FALSE(userns_group_name_is_valid(".hidden"));
        ASSERT_FALSE(userns_group_name_is_valid("-x"));
        ASSERT_FALSE(userns_group_name_is_valid("a/b"));
        ASSERT_FALSE(userns_group_name_is_valid("a b"));
        ASSERT_FALSE(userns_group_name_is_valid(
                "0123456789012345678901234567890123456789012345678901234567890123456789"));
        ASSERT_OK(userns_db_new(&db));
        ASSERT_ERRNO(userns_db_get_base(db, "a/b", &base, NULL), -EINVAL);
}

int main(void) {
        if (!mkdtemp(tmpdir))
                tap_skip_all("cannot create a temporary directory");
        RUN(lowest_free_slot_and_stable);
        RUN(record_survives_and_fills_holes);
        RUN(full_table);
        RUN(parse_refuses_bad_records);
        RUN(names);
        (void) rm_rf(tmpdir);
        return tap_done();
}
