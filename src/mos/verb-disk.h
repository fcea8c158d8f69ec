/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_disk_create(int argc, char *argv[]);
