/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_initramfs_build(int argc, char *argv[]);
