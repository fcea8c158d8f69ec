/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_uki_build(int argc, char *argv[]);
int verb_uki_sign(int argc, char *argv[]);
int verb_uki_verify(int argc, char *argv[]);
