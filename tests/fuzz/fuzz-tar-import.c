/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The tar importer: any input (tar, gzip or zstd) through libarchive into an FsTree with the
 * OCI whiteout rules, file contents to a sink that counts them. */

#include <sys/mman.h>
#include <unistd.h>

#include "fd-util.h"
#include "fuzz.h"
#include "tar-import.h"

static int begin(void *u, FsNode *n) {
        return 0;
}
static int write_(void *u, const void *d, size_t n) {
        *(size_t *) u += n;
        return 0;
}
static int end(void *u) {
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_close_ int fd = memfd_create("fuzz", MFD_CLOEXEC);
        _cleanup_(fs_tree_freep) FsTree *tree = NULL;
        _cleanup_(tar_reader_freep) TarReader *r = NULL;
        size_t total = 0;
        FsDataSink sink = { begin, write_, end, &total };
        Digest d;

        if (fd < 0 || loop_write(fd, data, size) < 0)
                return 0;
        if (fs_tree_new(&(FsTreeOptions){ .flags = FS_TREE_OCI_WHITEOUTS,
                                          .clamp_mtime = true,
                                          .epoch = 1 },
                        &tree) < 0)
                return 0;
        if (tar_reader_new(&(TarInput){ .fd = fd, .size = UINT64_MAX, .digest = true }, &r) < 0)
                return 0;
        if (tar_reader_import(r, tree, &sink, &(TarImportOptions){ .member_size_max = 1 << 20 }) >=
            0) {
                (void) fs_tree_finalize(tree);
                (void) tar_reader_input_digest(r, &d, NULL);
        }
        return 0;
}
