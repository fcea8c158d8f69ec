/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The kernel command line (/proc/cmdline), parsed the way the kernel splits it
 * (lib/cmdline.c next_arg(), Documentation/admin-guide/kernel-parameters.rst): words separated
 * by white space; double quotes group white space into a word and are removed
 * (`key="a b"` and `"key=a b"` are both key -> "a b"). mos-init reads its mode and options
 * from it: under Secure Boot the command line is the signed .cmdline section of the UKI
 * (systemd-stub ignores any other), so it is as trusted as the initramfs. */

#include <stddef.h>

#define PROC_CMDLINE_MAX 4096u /* COMMAND_LINE_SIZE on x86 is 2048; leave room */

/* Looks up key. Returns 1 and *ret_value (may be NULL) = the value of the LAST occurrence
 * ("" for a bare `key` or `key=`), 0 when the key is absent, -EBADMSG when the text has an
 * unterminated quote or a NUL byte, -EFBIG above PROC_CMDLINE_MAX. */
int proc_cmdline_get(const char *cmdline, size_t size, const char *key, char **ret_value);

/* Reads /proc/cmdline (path may name another file, for tests). */
int proc_cmdline_read(const char *path, char **ret, size_t *ret_size);
