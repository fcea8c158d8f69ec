/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos image build|verify|inspect|list|rm|gc: thin wrappers around src/lib/image*.c and
 * oci-layout.c. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "exit-code.h"
#include "image.h"
#include "json.h"
#include "log.h"
#include "oci-layout.h"
#include "parse-util.h"
#include "progress.h"
#include "squashfs.h"
#include "string-util.h"
#include "verb-image.h"
#include "verb-util.h"
#include "verbs.h"

enum {
        ARG_LAYOUT = 0x100,
        ARG_TAG,
        ARG_THREADS,
        ARG_LEVEL,
        ARG_JSON,
};

typedef struct Args {
        const char *layout;
        const char *tag;
        unsigned threads;
        unsigned level;
        bool json;
        int n_positional;
        char **positional;
} Args;

/* Parses the options a verb accepts (allowed: a mask of ARG_* bits) and the positional
 * arguments; returns 0 or the usage exit code. */
#define WANT(x) (1u << ((x) -ARG_LAYOUT))

static int parse_args(int argc, char *argv[], unsigned allowed, int n_positional,
                      const char *positional_name, Args *a) {
        static const struct option options[] = {
                { "layout", required_argument, NULL, ARG_LAYOUT },
                { "tag", required_argument, NULL, ARG_TAG },
                { "threads", required_argument, NULL, ARG_THREADS },
                { "compression-level", required_argument, NULL, ARG_LEVEL },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        int c, r;

        *a = (Args){};
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0) {
                if (c >= ARG_LAYOUT && c <= ARG_JSON && !(allowed & WANT(c)))
                        return verb_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
                switch (c) {
                case ARG_LAYOUT:
                        a->layout = optarg;
                        break;
                case ARG_TAG:
                        a->tag = optarg;
                        break;
                case ARG_THREADS:
                        r = verb_parse_threads(argv[0], optarg, &a->threads);
                        if (r != 0)
                                return r;
                        break;
                case ARG_LEVEL:
                        if (safe_atou(optarg, &a->level) < 0 || a->level == 0 ||
                            a->level > SQUASHFS_ZSTD_LEVEL_MAX)
                                return verb_usage_error(
                                        argv[0], "invalid --compression-level '%s', expected 1..%u",
                                        optarg, SQUASHFS_ZSTD_LEVEL_MAX);
                        break;
                case ARG_JSON:
                        a->json = true;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        }
        if ((allowed & WANT(ARG_LAYOUT)) && !a->layout)
                return verb_usage_error(argv[0], "missing --layout DIR");
        if ((allowed & WANT(ARG_TAG)) && !a->tag)
                return verb_usage_error(argv[0], "missing --tag NAME:TAG");
        if (argc - optind < n_positional)
                return verb_usage_error(argv[0], "missing %s", positional_name);
        if (argc - optind > n_positional)
                return verb_usage_error(argv[0], "unexpected argument '%s'",
                                        argv[optind + n_positional]);
        a->n_positional = argc - optind;
        a->positional = argv + optind;
        return 0;
}

int verb_parse_threads(const char *verb, const char *arg, unsigned *ret) {
        if (safe_atou(arg, ret) < 0 || *ret == 0 || *ret > 64)
                return verb_usage_error(verb, "invalid --threads '%s', expected 1..64", arg);
        return 0;
}

static int check_ref(const char *verb, const char *ref) {
        _cleanup_free_ char *name = NULL, *tag = NULL;

        if (oci_reference_split(ref, &name, &tag) < 0)
                return verb_usage_error(
                        verb,
                        "invalid image name '%s', expected NAME:TAG (NAME lower-case [a-z0-9._-/], "
                        "TAG [A-Za-z0-9_.-], at most 128 characters)",
                        ref);
        return 0;
}

static int open_layout(const char *path, OciLayoutFlags flags, OciLayout **ret) {
        _cleanup_free_ char *err = NULL;
        int r = oci_layout_open(path, flags, ret, &err);

        if (r == -ENOENT && !err)
                return log_error_errno(r, "Failed to open layout '%s': no such directory", path);
        if (r < 0)
                return log_error_errno(r, "Failed to open layout '%s': %s", path,
                                       err ?: strerror(-r));
        return 0;
}

/* For verbs that take --layout DIR and one NAME:TAG: the arguments, checked, and the layout. */
static int open_image_args(int argc, char *argv[], unsigned allowed, Args *a, OciLayout **ret) {
        int r;

        r = parse_args(argc, argv, allowed | WANT(ARG_LAYOUT), 1, "NAME:TAG", a);
        if (r != 0)
                return r;
        r = check_ref(argv[0], a->positional[0]);
        if (r != 0)
                return r;
        return open_layout(a->layout, 0, ret);
}

static int parse_epoch(const char *verb, bool *ret_have, uint64_t *ret) {
        const char *e = secure_getenv("SOURCE_DATE_EPOCH");

        *ret_have = false;
        if (isempty(e))
                return 0;
        if (safe_atou64(e, ret) < 0 || *ret > UINT32_MAX) {
                log_error("Invalid $SOURCE_DATE_EPOCH '%s', expected seconds since 1970 (at most "
                          "%u). See '%s --help'.",
                          e, UINT32_MAX, verb);
                return MOS_EXIT_USAGE;
        }
        *ret_have = true;
        return 0;
}

int verb_image_build(int argc, char *argv[]) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_free_ char *err = NULL;
        char dg[DIGEST_STRING_MAX];
        ImageBuildOptions o = {};
        Progress p;
        Args a;
        int r;

        r = parse_args(argc, argv,
                       WANT(ARG_LAYOUT) | WANT(ARG_TAG) | WANT(ARG_THREADS) | WANT(ARG_LEVEL), 1,
                       "SOURCE", &a);
        if (r != 0)
                return r;
        r = check_ref(argv[0], a.tag);
        if (r != 0)
                return r;
        r = parse_epoch(argv[0], &o.have_epoch, &o.epoch);
        if (r != 0)
                return r;
        r = open_layout(a.layout, OCI_LAYOUT_CREATE, &l);
        if (r < 0)
                return r;

        progress_init(&p);
        o.source = a.positional[0];
        o.ref = a.tag;
        o.threads = a.threads;
        o.compression_level = a.level;
        o.progress = progress_update;
        o.userdata = &p;
        r = image_build(l, &o, &img, &err);
        progress_done(&p);
        if (r < 0)
                return log_error_errno(r, "Failed to build image '%s' from '%s': %s", a.tag,
                                       o.source, err ?: strerror(-r));
        printf("%s %s\n", img->ref, digest_format(&img->manifest_digest, dg));
        return 0;
}

int verb_image_verify(int argc, char *argv[]) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_free_ char *err = NULL;
        char dg[DIGEST_STRING_MAX];
        uint64_t blocks = 0;
        Progress p;
        Args a;
        int r;

        r = open_image_args(argc, argv, WANT(ARG_THREADS), &a, &l);
        if (r != 0)
                return r;
        progress_init(&p);
        r = image_verify(l, a.positional[0],
                         &(ImageVerifyOptions){ .threads = a.threads,
                                                .progress = progress_update,
                                                .userdata = &p },
                         &img, &err);
        progress_done(&p);
        if (r < 0)
                return log_error_errno(r, "Failed to verify image '%s': %s", a.positional[0],
                                       err ?: strerror(-r));
        for (size_t i = 0; i < img->n_layers; i++) {
                printf("layer %zu %s ok (%llu data blocks)\n", i + 1,
                       digest_format(&img->layers[i].digest, dg),
                       (unsigned long long) img->layers[i].verity.data_blocks);
                blocks += img->layers[i].verity.data_blocks;
        }
        printf("%s %s verified: %zu layers, %llu data blocks\n", img->ref,
               digest_format(&img->manifest_digest, dg), img->n_layers,
               (unsigned long long) blocks);
        return 0;
}

static json_t *image_to_json(const Image *img) {
        _cleanup_json_ json_t *o = json_object(), *layers = json_array();
        char dg[DIGEST_STRING_MAX];
        int r = 0;

        if (!o || !layers)
                return NULL;
        r |= json_object_set_new(o, "name", json_string(img->ref));
        r |= json_object_set_new(o, "manifest",
                                 json_pack("{s:s,s:I}", "digest",
                                           digest_format(&img->manifest_digest, dg), "size",
                                           (json_int_t) img->manifest_size));
        r |= json_object_set_new(o, "config",
                                 json_pack("{s:s,s:I,s:s,s:s,s:O}", "digest",
                                           digest_format(&img->config_digest, dg), "size",
                                           (json_int_t) img->config_size, "architecture",
                                           img->config->architecture, "os", img->config->os,
                                           "config", img->config->config ?: json_object()));
        if (img->config->created)
                r |= json_object_set_new(json_object_get(o, "config"), "created",
                                         json_string(img->config->created));
        for (size_t i = 0; i < img->n_layers; i++) {
                const ImageLayer *l = &img->layers[i];
                _cleanup_free_ char *root = hexmem(l->verity.root_hash, 32),
                                    *salt = hexmem(l->verity.salt, l->verity.salt_size);
                if (!root || !salt)
                        return NULL;
                r |= json_array_append_new(
                        layers,
                        json_pack("{s:s,s:s,s:I,s:{s:s,s:s,s:I,s:I}}", "mediaType",
                                  MOS_MEDIA_TYPE_LAYER, "digest", digest_format(&l->digest, dg),
                                  "size", (json_int_t) l->size, "verity", "rootHash", root, "salt",
                                  salt, "dataBlocks", (json_int_t) l->verity.data_blocks,
                                  "hashOffset", (json_int_t) l->verity.hash_offset));
        }
        r |= json_object_set(o, "layers", layers);
        return r == 0 ? TAKE_PTR(o) : NULL;
}

static void print_json_field(const char *label, json_t *config, const char *key) {
        json_t *v = config ? json_object_get(config, key) : NULL;
        _cleanup_free_ char *s = NULL;

        if (!v)
                return;
        s = json_is_string(v) ? strdup(json_string_value(v))
                              : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%-12s %s\n", label, strempty(s));
}

int verb_image_inspect(int argc, char *argv[]) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_free_ char *err = NULL;
        char dg[DIGEST_STRING_MAX];
        Args a;
        int r;

        r = open_image_args(argc, argv, WANT(ARG_JSON), &a, &l);
        if (r != 0)
                return r;
        r = image_resolve(l, a.positional[0], &img, &err);
        if (r < 0)
                return log_error_errno(r, "Failed to inspect image '%s': %s", a.positional[0],
                                       err ?: strerror(-r));

        if (a.json) {
                _cleanup_json_ json_t *j = image_to_json(img);
                _cleanup_free_ char *s = NULL;
                if (!j || json_dump_canonical(j, &s, NULL) < 0)
                        return log_oom();
                puts(s);
                return 0;
        }
        printf("%-12s %s\n", "Name:", img->ref);
        printf("%-12s %s (%llu bytes)\n", "Manifest:", digest_format(&img->manifest_digest, dg),
               (unsigned long long) img->manifest_size);
        printf("%-12s %s (%llu bytes)\n", "Config:", digest_format(&img->config_digest, dg),
               (unsigned long long) img->config_size);
        printf("%-12s %s/%s%s%s\n", "Platform:", img->config->os, img->config->architecture,
               img->config->variant ? "/" : "", strempty(img->config->variant));
        if (img->config->created)
                printf("%-12s %s\n", "Created:", img->config->created);
        print_json_field("Entrypoint:", img->config->config, "Entrypoint");
        print_json_field("Cmd:", img->config->config, "Cmd");
        print_json_field("Env:", img->config->config, "Env");
        print_json_field("WorkingDir:", img->config->config, "WorkingDir");
        print_json_field("User:", img->config->config, "User");
        print_json_field("Labels:", img->config->config, "Labels");
        print_json_field("Ports:", img->config->config, "ExposedPorts");
        print_json_field("Volumes:", img->config->config, "Volumes");
        print_json_field("StopSignal:", img->config->config, "StopSignal");
        printf("Layers:\n");
        for (size_t i = 0; i < img->n_layers; i++) {
                const ImageLayer *y = &img->layers[i];
                _cleanup_free_ char *root = hexmem(y->verity.root_hash, 32),
                                    *salt = hexmem(y->verity.salt, y->verity.salt_size);
                printf("  %zu %s %llu bytes\n", i + 1, digest_format(&y->digest, dg),
                       (unsigned long long) y->size);
                printf("    root-hash %s\n    salt %s\n    data-blocks %llu hash-offset %llu\n",
                       strempty(root), strempty(salt), (unsigned long long) y->verity.data_blocks,
                       (unsigned long long) y->verity.hash_offset);
        }
        return 0;
}

static const char *ref_name(const OciDescriptor *d) {
        json_t *v =
                d->annotations ? json_object_get(d->annotations, OCI_ANNOTATION_REF_NAME) : NULL;
        return v ? json_string_value(v) : NULL;
}

int verb_image_list(int argc, char *argv[]) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_(oci_index_freep) OciIndex *index = NULL;
        _cleanup_json_ json_t *images = NULL;
        _cleanup_free_ char *err = NULL;
        char dg[DIGEST_STRING_MAX];
        Args a;
        int r;

        r = parse_args(argc, argv, WANT(ARG_LAYOUT) | WANT(ARG_JSON), 0, NULL, &a);
        if (r != 0)
                return r;
        r = open_layout(a.layout, 0, &l);
        if (r < 0)
                return r;
        r = oci_layout_read_index(l, &index, &err);
        if (r < 0)
                return log_error_errno(r, "Failed to list images in '%s': %s", a.layout,
                                       err ?: strerror(-r));
        images = json_array();
        if (!images)
                return log_oom();
        for (size_t i = 0; i < index->n_manifests; i++) {
                const OciDescriptor *d = &index->manifests[i];
                const char *name = ref_name(d);
                if (a.json) {
                        if (json_array_append_new(images,
                                                  json_pack("{s:s?,s:s,s:s,s:I}", "name", name,
                                                            "mediaType", d->media_type, "digest",
                                                            digest_format(&d->digest, dg), "size",
                                                            (json_int_t) d->size)) < 0)
                                return log_oom();
                } else
                        printf("%s %s %llu\n", name ?: "-", digest_format(&d->digest, dg),
                               (unsigned long long) d->size);
        }
        if (a.json) {
                _cleanup_json_ json_t *o = json_pack("{s:O}", "images", images);
                _cleanup_free_ char *s = NULL;
                if (!o || json_dump_canonical(o, &s, NULL) < 0)
                        return log_oom();
                puts(s);
        }
        return 0;
}

int verb_image_rm(int argc, char *argv[]) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_free_ char *err = NULL;
        Args a;
        int r;

        r = open_image_args(argc, argv, 0, &a, &l);
        if (r != 0)
                return r;
        r = oci_layout_untag(l, a.positional[0], &err);
        if (r < 0)
                return log_error_errno(r, "Failed to remove image '%s': %s", a.positional[0],
                                       err ?: strerror(-r));
        printf("Removed %s; its blobs go with the next 'mos image gc'.\n", a.positional[0]);
        return 0;
}

int verb_image_gc(int argc, char *argv[]) {
        _cleanup_(oci_layout_freep) OciLayout *l = NULL;
        _cleanup_free_ char *err = NULL;
        uint64_t removed = 0, bytes = 0;
        Args a;
        int r;

        r = parse_args(argc, argv, WANT(ARG_LAYOUT), 0, NULL, &a);
        if (r != 0)
                return r;
        r = open_layout(a.layout, OCI_LAYOUT_EXCLUSIVE, &l);
        if (r < 0)
                return r;
        r = oci_layout_gc(l, &removed, &bytes, &err);
        if (r < 0)
                return log_error_errno(r, "Failed to collect garbage in '%s': %s", a.layout,
                                       err ?: strerror(-r));
        printf("Removed %llu unreferenced blobs (%llu bytes).\n", (unsigned long long) removed,
               (unsigned long long) bytes);
        return 0;
}
