/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos hostfs build: the host root file system image (hostfs.h, docs/boot.md). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostfs.h"
#include "log.h"
#include "oci-layout.h"
#include "parse-util.h"
#include "string-util.h"
#include "strv.h"
#include "verb-hostfs.h"
#include "verb-util.h"
#include "verbs.h"

int verb_hostfs_build(int argc, char *argv[]) {
        enum {
                ARG_LAYOUT = 0x100,
                ARG_TAG,
                ARG_MOSD,
                ARG_CRUN,
                ARG_PROGRAM,
                ARG_DLOPEN,
                ARG_FILE,
                ARG_DEBUG_SHELL,
                ARG_NO_CRUN
        };
        static const struct option options[] = {
                { "layout", required_argument, NULL, ARG_LAYOUT },
                { "tag", required_argument, NULL, ARG_TAG },
                { "mosd", required_argument, NULL, ARG_MOSD },
                { "crun", required_argument, NULL, ARG_CRUN },
                { "no-crun", no_argument, NULL, ARG_NO_CRUN },
                { "program", required_argument, NULL, ARG_PROGRAM },
                { "dlopen", required_argument, NULL, ARG_DLOPEN },
                { "file", required_argument, NULL, ARG_FILE },
                { "debug-shell", no_argument, NULL, ARG_DEBUG_SHELL },
                {},
        };
        _cleanup_strv_free_ char **programs = NULL, **dlopen = NULL, **files = NULL;
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_free_ char *err = NULL;
        const char *layout = NULL, *tag = NULL, *mosd = NULL, *crun = HOSTFS_CRUN, *epoch;
        char dg[DIGEST_STRING_MAX];
        ImageBuildOptions o = {};
        HostfsParams p = {};
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_LAYOUT:
                        layout = optarg;
                        break;
                case ARG_TAG:
                        tag = optarg;
                        break;
                case ARG_MOSD:
                        mosd = optarg;
                        break;
                case ARG_CRUN:
                        crun = optarg;
                        break;
                case ARG_NO_CRUN:
                        crun = NULL;
                        break;
                case ARG_PROGRAM:
                case ARG_DLOPEN:
                case ARG_FILE:
                        if (strv_extend(c == ARG_PROGRAM  ? &programs
                                        : c == ARG_DLOPEN ? &dlopen
                                                          : &files,
                                        optarg) < 0)
                                return log_oom();
                        break;
                case ARG_DEBUG_SHELL:
                        p.debug_shell = true;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 0, 0, "");
        if (r > 0)
                return r;
        if (!layout || !tag || !mosd)
                return verb_usage_error(argv[0], "--layout, --tag and --mosd are required");
        epoch = secure_getenv("SOURCE_DATE_EPOCH");
        if (!isempty(epoch)) {
                if (safe_atou64(epoch, &o.epoch) < 0 || o.epoch > UINT32_MAX)
                        return verb_usage_error(argv[0], "invalid $SOURCE_DATE_EPOCH '%s'", epoch);
                o.have_epoch = true;
        }
        if (geteuid() != 0)
                log_warning("Not running as root: the files of the image keep uid %u, not 0.",
                            (unsigned) geteuid());

        r = oci_layout_open(layout, OCI_LAYOUT_CREATE, &l, &err);
        if (r < 0)
                return log_error_errno(r, "Failed to open layout '%s': %s", layout,
                                       err ?: strerror(-r));
        p.mosd = mosd;
        p.crun = crun;
        p.programs = programs;
        p.dlopen = dlopen;
        p.files = files;
        o.ref = tag;
        r = hostfs_build(l, &p, &o, NULL, &img, &err);
        if (r < 0)
                return log_error_errno(r, "Failed to build the hostfs image '%s': %s", tag,
                                       err ?: strerror(-r));
        printf("%s %s\n", img->ref, digest_format(&img->manifest_digest, dg));
        return 0;
}
