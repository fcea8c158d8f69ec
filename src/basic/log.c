/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse-util.h"

static const char *program_name = "mos";
static int max_level = LOG_INFO;
static FILE *log_stream = NULL;

static const char *const level_names[] = {
        [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",     [LOG_CRIT] = "crit",
        [LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

void log_set_program_name(const char *name) {
        program_name = name;
}

const char *log_get_program_name(void) {
        return program_name;
}

void log_set_max_level(int level) {
        if (level >= LOG_EMERG && level <= LOG_DEBUG)
                max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_stream(FILE *f) {
        log_stream = f;
}

int log_level_from_string(const char *s) {
        unsigned u;

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "err") == 0)
                return LOG_ERR;
        if (strcasecmp(s, "warn") == 0)
                return LOG_WARNING;
        if (safe_atou(s, &u) >= 0 && u <= LOG_DEBUG)
                return (int) u;
        return -EINVAL;
}

const char *log_level_to_string(int level) {
        if (level < 0 || (size_t) level >= ELEMENTSOF(level_names))
                return NULL;
        return level_names[level];
}

int log_parse_environment(void) {
        const char *e = secure_getenv("MOS_LOG_LEVEL");
        int l;

        if (!e || !*e)
                return 0;
        l = log_level_from_string(e);
        if (l < 0)
                return l;
        log_set_max_level(l);
        return 0;
}

int log_internalv(int level, int error, const char *file, int line, const char *func,
                  const char *format, va_list ap) {
        FILE *f = log_stream ?: stderr;
        char buf[2048];

        if (error < 0)
                error = -error;
        if (level > max_level)
                return -error;

        /* glibc's %m prints strerror(errno): make it print the error we were given. */
        errno = error;
        (void) vsnprintf(buf, sizeof buf, format, ap);

        if (max_level >= LOG_DEBUG)
                fprintf(f, "%s: [%s:%d %s] %s\n", program_name, file, line, func, buf);
        else
                fprintf(f, "%s: %s\n", program_name, buf);
        fflush(f);
        return -error;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = log_internalv(level, error, file, line, func, format, ap);
        va_end(ap);
        return r;
}
