/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "service-log.h"
#include "string-util.h"
#include "tap.h"
#include "test-util.h"

static char tmpdir[] = "/tmp/test-service-log.XXXXXX";
static int dir_fd = -1;

static char *slurp(const char *name) {
        char *data = NULL;
        if (read_full_file_at(dir_fd, name, 1 << 20, &data, NULL) < 0)
                return NULL;
        return data;
}

static off_t size_of(const char *name) {
        struct stat st;
        return fstatat(dir_fd, name, &st, 0) < 0 ? -1 : st.st_size;
}

TEST(appends_and_notes_on_own_line) {
        _cleanup_(service_log_freep) ServiceLog *l = NULL;
        _cleanup_free_ char *text = NULL;
        struct stat st;

        ASSERT_OK(service_log_open(dir_fd, "web", 1024, &l));
        ASSERT_OK(service_log_write(l, "hello\n", 6));
        ASSERT_OK(service_log_write(l, "partial", 7));
        ASSERT_OK(service_log_note(l, "exited with status %d", 3));
        l = service_log_free(l);
        /* Reopening appends. */
        ASSERT_OK(service_log_open(dir_fd, "web", 1024, &l));
        ASSERT_OK(service_log_write(l, "again\n", 6));
        text = slurp("web.log");
        ASSERT_STREQ(text, "hello\npartial\n-- mosd: exited with status 3 --\nagain\n");
        ASSERT_OK(fstatat(dir_fd, "web.log", &st, 0));
        ASSERT_EQ(st.st_mode & 0777, 0640);
}

TEST(rotates_once_at_the_cap) {
        _cleanup_(service_log_freep) ServiceLog *l = NULL;
        _cleanup_free_ char *cur = NULL, *prev = NULL;

        ASSERT_OK(service_log_open(dir_fd, "rot", 10, &l));
        ASSERT_OK(service_log_write(l, "0123456", 7));
        ASSERT_OK(service_log_write(l, "789ab", 5)); /* 10 bytes fill it, 2 go to a new file */
        ASSERT_EQ(size_of("rot.log.1"), 10);
        ASSERT_EQ(size_of("rot.log"), 2);
        ASSERT_OK(service_log_write(l, "cdefghijklmnopqrstuvwxyz", 24));
        /* Never more than two files of at most 10 bytes; the newest bytes kept. */
        cur = slurp("rot.log");
        prev = slurp("rot.log.1");
        ASSERT_STREQ(prev, "klmnopqrst");
        ASSERT_STREQ(cur, "uvwxyz");
        ASSERT_TRUE(faccessat(dir_fd, "rot.log.2", F_OK, 0) < 0);
}

TEST(existing_log_counts_towards_cap) {
        _cleanup_(service_log_freep) ServiceLog *l = NULL;

        ASSERT_OK(write_file_atomic_at(dir_fd, "old.log", "12345678", 8, 0640, 0));
        ASSERT_OK(service_log_open(dir_fd, "old", 10, &l));
        ASSERT_OK(service_log_write(l, "abc", 3));
        ASSERT_EQ(size_of("old.log.1"), 10);
        ASSERT_EQ(size_of("old.log"), 1);
}

TEST(refuses_bad_arguments) {
        ServiceLog *l;
        ASSERT_ERRNO(service_log_open(dir_fd, "x", 0, &l), -EINVAL);
        ASSERT_ERRNO(service_log_open(dir_fd, "a/b", 10, &l), -EINVAL);
        ASSERT_ERRNO(service_log_open(dir_fd, "", 10, &l), -EINVAL);
}

int main(void) {
        if (!mkdtemp(tmpdir))
                tap_skip_all("cannot create a temporary directory");
        dir_fd = open(tmpdir, O_DIRECTORY | O_CLOEXEC);
        RUN(appends_and_notes_on_own_line);
        RUN(rotates_once_at_the_cap);
        RUN(existing_log_counts_towards_cap);
        RUN(refuses_bad_arguments);
        safe_close(dir_fd);
        (void) rm_rf(tmpdir);
        return tap_done();
}
