/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_verity_format(int argc, char *argv[]);
int verb_verity_verify(int argc, char *argv[]);
