/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Corpus replay: runs the fuzz target over every file of the directories (or files) given on
 * the command line. Used in every build so that each input that ever crashed a parser keeps
 * being tried, under the sanitizers in the sanitizer build. */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "fuzz.h"
#include "log.h"
#include "path-util.h"

#define FUZZ_MAX_INPUT (16u * 1024 * 1024)

static int run_file(const char *path, unsigned *count) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(path, FUZZ_MAX_INPUT, &buf, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read corpus file '%s': %m", path);
        (void) LLVMFuzzerTestOneInput((const uint8_t *) buf, n);
        (*count)++;
        return 0;
}

static int run_path(const char *path, unsigned *count) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return log_error_errno(errno, "Failed to stat corpus '%s': %m", path);
        if (!S_ISDIR(st.st_mode))
                return run_file(path, count);

        d = opendir(path);
        if (!d)
                return log_error_errno(errno, "Failed to open corpus '%s': %m", path);
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                if (de->d_name[0] == '.')
                        continue;
                p = path_join(path, de->d_name);
                if (!p)
                        return log_oom();
                r = run_path(p, count);
                if (r < 0)
                        return r;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        unsigned count = 0;

        log_set_program_name("fuzz");
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &count) < 0)
                        return EXIT_FAILURE;
        if (count == 0) {
                log_error("No corpus inputs found.");
                return EXIT_FAILURE;
        }
        printf("%u inputs replayed\n", count);
        return EXIT_SUCCESS;
}
