/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "log.h"
#include "tap.h"

static char *captured;
static size_t captured_size;
static FILE *capture;

static void capture_start(void) {
        capture = open_memstream(&captured, &captured_size);
        log_set_stream(capture);
}

static void capture_end(void) {
        log_set_stream(NULL);
        fclose(capture);
}

TEST(levels_parse) {
        ASSERT_EQ(log_level_from_string("debug"), LOG_DEBUG);
        ASSERT_EQ(log_level_from_string("ERROR"), LOG_ERR);
        ASSERT_EQ(log_level_from_string("warn"), LOG_WARNING);
        ASSERT_EQ(log_level_from_string("3"), LOG_ERR);
        ASSERT_ERRNO(log_level_from_string("8"), -EINVAL);
        ASSERT_ERRNO(log_level_from_string("loud"), -EINVAL);
        ASSERT_STREQ(log_level_to_string(LOG_NOTICE), "notice");
}

TEST(errno_returned_and_formatted) {
        int r;

        log_set_max_level(LOG_INFO);
        capture_start();
        r = log_error_errno(-ENOENT, "Failed to open '%s': %m", "x.json");
        capture_end();
        ASSERT_ERRNO(r, -ENOENT);
        ASSERT_STREQ(captured, "mos: Failed to open 'x.json': No such file or directory\n");
        free(captured);
}

TEST(below_level_is_silent_but_returns) {
        int r;

        log_set_max_level(LOG_ERR);
        capture_start();
        log_info("hidden");
        r = log_debug_errno(EKEYREJECTED, "hidden %m");
        capture_end();
        ASSERT_ERRNO(r, -EKEYREJECTED);
        ASSERT_EQ(captured_size, 0);
        free(captured);
        log_set_max_level(LOG_INFO);
}

TEST(environment) {
        setenv("MOS_LOG_LEVEL", "debug", 1);
        ASSERT_OK(log_parse_environment());
        ASSERT_EQ(log_get_max_level(), LOG_DEBUG);
        setenv("MOS_LOG_LEVEL", "bogus", 1);
        ASSERT_ERRNO(log_parse_environment(), -EINVAL);
        ASSERT_EQ(log_get_max_level(), LOG_DEBUG);
        unsetenv("MOS_LOG_LEVEL");
        log_set_max_level(LOG_INFO);
}

int main(void) {
        RUN(levels_parse);
        RUN(errno_returned_and_formatted);
        RUN(below_level_is_silent_but_returns);
        RUN(environment);
        return tap_done();
}
