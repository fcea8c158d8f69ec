/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "time-util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-util.h"

int rfc3339_format(time_t t, char ret[RFC3339_MAX]) {
        struct tm tm;

        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
                return -ERANGE;
        if (strftime(ret, RFC3339_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) != RFC3339_MAX - 1)
                return -ERANGE;
        return 0;
}

static bool digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static int num(const char *s, size_t n) {
        int v = 0;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (s[i] - '0');
        return v;
}

int rfc3339_parse(const char *s, time_t *ret) {
        char again[RFC3339_MAX];
        struct tm tm = { 0 };
        time_t t;

        /* 0123456789012345678 9
         * YYYY-MM-DDTHH:MM:SS Z */
        if (!s || strlen(s) != RFC3339_MAX - 1 || !digits(s, 4) || s[4] != '-' ||
            !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2) || s[10] != 'T' ||
            !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
            !digits(s + 17, 2) || s[19] != 'Z')
                return -EINVAL;
        tm.tm_year = num(s, 4) - 1900;
        tm.tm_mon = num(s + 5, 2) - 1;
        tm.tm_mday = num(s + 8, 2);
        tm.tm_hour = num(s + 11, 2);
        tm.tm_min = num(s + 14, 2);
        tm.tm_sec = num(s + 17, 2);
        t = timegm(&tm);
        /* timegm() normalises out-of-range fields (Feb 30 becomes Mar 2): formatting the result
         * again and comparing refuses every such date. */
        if (rfc3339_format(t, again) < 0 || strcmp(again, s) != 0)
                return -EINVAL;
        *ret = t;
        return 0;
}

int source_date_epoch(time_t *ret) {
        const char *e = secure_getenv("SOURCE_DATE_EPOCH");
        uint64_t v;

        if (!e)
                return -ENOENT;
        if (safe_atou64(e, &v) < 0 || v > (uint64_t) 253402300799) /* 9999-12-31T23:59:59Z */
                return -EINVAL;
        *ret = (time_t) v;
        return 0;
}
