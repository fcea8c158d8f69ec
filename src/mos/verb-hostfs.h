/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_hostfs_build(int argc, char *argv[]);
