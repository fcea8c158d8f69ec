/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int verb_image_build(int argc, char *argv[]);
int verb_image_verify(int argc, char *argv[]);
int verb_image_inspect(int argc, char *argv[]);
int verb_image_list(int argc, char *argv[]);
int verb_image_rm(int argc, char *argv[]);
int verb_image_gc(int argc, char *argv[]);

/* --threads N for the image and verity verbs: 1..64, else a usage error (exit 2). */
int verb_parse_threads(const char *verb, const char *arg, unsigned *ret);
