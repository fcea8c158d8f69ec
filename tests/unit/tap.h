/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small TAP harness (TAP version 13, read by `meson test --protocol tap`).
 *
 *   TEST(name) { ASSERT_EQ(f(), 0); ... }
 *   int main(void) { RUN(name); ...; return tap_done(); }
 *
 * Each TEST prints "ok N - name" or "not ok N - name" with the failed assertion as a
 * diagnostic. A test that cannot run here calls tap_skip_all(reason) (exit 77, reported as
 * skipped) or SKIP_TEST(reason) for a single test ("ok N - name # SKIP reason"). */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned tap_count, tap_failures;
static bool tap_current_failed;
static const char *tap_current_skip;

#define TEST(name) static void test_##name(void)
#define RUN(name) tap_run(#name, test_##name)

static inline void tap_run(const char *name, void (*fn)(void)) {
        tap_current_failed = false;
        tap_current_skip = NULL;
        fn();
        tap_count++;
        if (tap_current_skip)
                printf("ok %u - %s # SKIP %s\n", tap_count, name, tap_current_skip);
        else if (tap_current_failed) {
                printf("not ok %u - %s\n", tap_count, name);
                tap_failures++;
        } else
                printf("ok %u - %s\n", tap_count, name);
        fflush(stdout);
}

static inline int tap_done(void) {
        printf("1..%u\n", tap_count);
        return tap_failures > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline void tap_skip_all(const char *reason) {
        printf("1..0 # SKIP %s\n", reason);
        exit(77);
}

#define tap_fail(...)                                                                              \
        do {                                                                                       \
                printf("# %s:%d: ", __FILE__, __LINE__);                                           \
                printf(__VA_ARGS__);                                                               \
                printf("\n");                                                                      \
                tap_current_failed = true;                                                         \
        } while (0)

#define SKIP_TEST(reason)                                                                          \
        do {                                                                                       \
                tap_current_skip = (reason);                                                       \
                return;                                                                            \
        } while (0)

/* Assertions end the current test on failure. */
#define ASSERT_TRUE(x)                                                                             \
        do {                                                                                       \
                if (!(x)) {                                                                        \
                        tap_fail("assertion failed: %s", #x);                                      \
                        return;                                                                    \
                }                                                                                  \
        } while (0)
#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))

#define ASSERT_EQ(a, b)                                                                            \
        do {                                                                                       \
                long long _tap_a = (long long) (a), _tap_b = (long long) (b);                      \
                if (_tap_a != _tap_b) {                                                            \
                        tap_fail("%s == %s: %lld != %lld", #a, #b, _tap_a, _tap_b);                \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

/* r is a -errno result: prints the error names on mismatch. */
#define ASSERT_ERRNO(r, expected)                                                                  \
        do {                                                                                       \
                int _tap_r = (int) (r), _tap_e = (int) (expected);                                 \
                if (_tap_r != _tap_e) {                                                            \
                        tap_fail("%s: got %d (%s), expected %d (%s)", #r, _tap_r,                  \
                                 _tap_r < 0 ? strerror(-_tap_r) : "success", _tap_e,               \
                                 _tap_e < 0 ? strerror(-_tap_e) : "success");                      \
                        return;                                                                    \
                }                                                                                  \
        } while (0)
#define ASSERT_OK(r)                                                                               \
        do {                                                                                       \
                int _tap_r = (int) (r);                                                            \
                if (_tap_r < 0) {                                                                  \
                        tap_fail("%s failed: %s", #r, strerror(-_tap_r));                          \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                         \
        do {                                                                                       \
                const char *_tap_a = (a), *_tap_b = (b);                                           \
                if (!_tap_a || !_tap_b || strcmp(_tap_a, _tap_b) != 0) {                           \
                        tap_fail("%s == %s: \"%s\" != \"%s\"", #a, #b, _tap_a ? _tap_a : "(null)", \
                                 _tap_b ? _tap_b : "(null)");                                      \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_NULL(p) ASSERT_TRUE((p) == NULL)
#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)
