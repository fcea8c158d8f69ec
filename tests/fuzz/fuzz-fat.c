/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reading files back from a FAT32 image (what `mos` does with ESPs and stores it did not
 * write itself): boot sector, directory entries, long names, cluster chains. */

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fat.h"
#include "fd-util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_close_ int fd = memfd_create("fuzz-fat", MFD_CLOEXEC);
        _cleanup_free_ uint8_t *d = NULL;
        size_t n;

        if (fd < 0 || write(fd, data, size) != (ssize_t) size)
                return 0;
        (void) fat32_read_file(fd, 0, "EFI/BOOT/BOOTX64.EFI", &d, &n);
        return 0;
}
