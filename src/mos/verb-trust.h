/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Verbs of the trust-root nouns: keyset, product, device (and manifest, verb-manifest.c). */

int verb_keyset_create(int argc, char *argv[]);
int verb_keyset_show(int argc, char *argv[]);
int verb_product_add(int argc, char *argv[]);
int verb_device_add(int argc, char *argv[]);
int verb_manifest_build(int argc, char *argv[]);
int verb_manifest_sign(int argc, char *argv[]);
int verb_manifest_verify(int argc, char *argv[]);
int verb_manifest_show(int argc, char *argv[]);
