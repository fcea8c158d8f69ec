/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos factory get/put: records of the factory exchange area (factory-exchange.h) on a disk
 * image or the device's disk. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "factory-exchange.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "string-util.h"
#include "verb-factory.h"
#include "verb-util.h"
#include "verbs.h"

static int open_area(const char *image, int flags, int *ret_fd, uint64_t *ret_offset) {
        _cleanup_close_ int fd = open(image, flags | O_CLOEXEC);
        int r;

        if (fd < 0)
                return log_error_errno(errno, "Failed to open disk '%s': %m", image);
        r = factory_image_area_offset(fd, ret_offset);
        if (r == -ENOENT)
                return log_error_errno(r, "Disk '%s' has no partition named mos-data.", image);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "Disk '%s' has no valid GPT (or its mos-data partition "
                                       "is smaller than the 1 MiB exchange area).",
                                       image);
        if (r < 0)
                return log_error_errno(r, "Failed to read the partition table of '%s': %m", image);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* 0 and *ret, or the usage error's exit code (2). */
static int parse_record(char *argv[], const char *name, FactoryRecord *ret) {
        int t = factory_record_from_string(name);

        if (t < 0)
                return verb_usage_error(argv[0],
                                        "unknown record '%s': expected identity, certificate or "
                                        "sealed-data-volume",
                                        name);
        *ret = t;
        return 0;
}

int verb_factory_get(int argc, char *argv[]) {
        static const struct option options[] = {
                { "out", required_argument, NULL, 'o' },
                {},
        };
        _cleanup_free_ uint8_t *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *out = NULL, *image, *name;
        uint64_t offset;
        size_t size;
        FactoryRecord t = FACTORY_RECORD_IDENTITY;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case 'o':
                        out = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 2, 2, "IMAGE RECORD");
        if (r > 0)
                return r;
        image = argv[optind];
        name = argv[optind + 1];
        r = parse_record(argv, name, &t);
        if (r > 0)
                return r;
        if (!out && t != FACTORY_RECORD_IDENTITY && isatty(STDOUT_FILENO))
                return verb_usage_error(argv[0], "record '%s' is binary: give --out FILE", name);

        r = open_area(image, O_RDONLY, &fd, &offset);
        if (r < 0)
                return r;
        r = factory_record_read(fd, offset, t, &data, &size);
        if (r == -ENOENT)
                return log_error_errno(r,
                                       "Disk '%s' holds no %s record in its factory exchange "
                                       "area.",
                                       image, name);
        if (r == -EBADMSG)
                return log_error_errno(r,
                                       "The %s record in the factory exchange area of '%s' is "
                                       "corrupt (magic, size or checksum).",
                                       name, image);
        if (r < 0)
                return log_error_errno(r, "Failed to read the %s record of '%s': %m", name, image);
        if (!out)
                return loop_write(STDOUT_FILENO, data, size) < 0
                               ? log_error_errno(errno, "Failed to write to stdout: %m")
                               : 0;
        r = write_file_atomic(out, data, size, 0644, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", out);
        return 0;
}

int verb_factory_put(int argc, char *argv[]) {
        static const struct option options[] = { {} };
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *image, *name, *file;
        uint64_t offset;
        size_t size;
        FactoryRecord t = FACTORY_RECORD_IDENTITY;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                return verb_option_error(argv, c, options);
        r = verb_check_args(argv, argc, 3, 3, "IMAGE RECORD FILE");
        if (r > 0)
                return r;
        image = argv[optind];
        name = argv[optind + 1];
        file = argv[optind + 2];
        r = parse_record(argv, name, &t);
        if (r > 0)
                return r;

        r = read_full_file(file, FACTORY_PAYLOAD_MAX, &data, &size);
        if (r == -EFBIG)
                return log_error_errno(r, "File '%s' is larger than a record (%u bytes).", file,
                                       FACTORY_PAYLOAD_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", file);
        if (size == 0)
                return log_error_errno(EINVAL, "File '%s' is empty.", file);
        r = open_area(image, O_RDWR, &fd, &offset);
        if (r < 0)
                return r;
        r = factory_record_write(fd, offset, t, data, size);
        if (r < 0)
                return log_error_errno(r, "Failed to write the %s record into '%s': %m", name,
                                       image);
        return 0;
}
