/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "oci-image.h"
#include "string-util.h"
#include "tap.h"

#define D1 "sha256:6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define D2 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static const char manifest[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1
        "\",\"size\":7023},"
        "\"layers\":[{\"mediaType\":\"application/"
        "vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D2 "\","
        "\"size\":32654,\"annotations\":{\"a\":\"b\"},\"unknown\":1},"
        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1
        "\",\"size\":0}],"
        "\"annotations\":{\"com.example.key1\":\"value1\"},\"extra\":[1,2]}";

TEST(manifest_parse) {
        _cleanup_(oci_manifest_freep) OciManifest *m = NULL;
        _cleanup_free_ char *e = NULL, *out = NULL;
        char d[DIGEST_STRING_MAX];
        size_t n;

        ASSERT_OK(oci_manifest_parse(manifest, strlen(manifest), &m, &e));
        ASSERT_STREQ(m->config.media_type, OCI_MEDIA_TYPE_CONFIG);
        ASSERT_EQ(m->config.size, 7023);
        ASSERT_EQ(m->n_layers, 2);
        ASSERT_STREQ(digest_format(&m->layers[0].digest, d), D2);
        ASSERT_STREQ(json_string_value(json_object_get(m->layers[0].annotations, "a")), "b");
        ASSERT_OK(oci_manifest_format(m, &out, &n));
        ASSERT_STREQ(
                out,
                "{\"annotations\":{\"com.example.key1\":\"value1\"},\"config\":{\"digest\":\"" D1
                "\",\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":7023},"
                "\"layers\":[{\"annotations\":{\"a\":\"b\"},\"digest\":\"" D2
                "\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":32654},"
                "{\"digest\":\"" D1
                "\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"size\":0}],"
                "\"mediaType\":\"application/"
                "vnd.oci.image.manifest.v1+json\",\"schemaVersion\":2}");
}

static void refuse_manifest(const char *doc, const char *message) {
        _cleanup_(oci_manifest_freep) OciManifest *m = NULL;
        _cleanup_free_ char *e = NULL;
        int r = oci_manifest_parse(doc, strlen(doc), &m, &e);

        if (r != -EBADMSG || !e || !strstr(e, message))
                tap_fail("%s: got %d '%s', expected '%s'", doc, r, e ?: "", message);
}

#define CFG                                                                                        \
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1  \
        "\",\"size\":1}"

TEST(manifest_refusals) {
        refuse_manifest("{}", "field 'schemaVersion': missing");
        refuse_manifest("{\"schemaVersion\":1," CFG ",\"layers\":[]}",
                        "field 'schemaVersion': must be 2");
        refuse_manifest("{\"schemaVersion\":2,\"layers\":[]}", "field 'config': missing");
        refuse_manifest("{\"schemaVersion\":2," CFG "}", "field 'layers': missing");
        refuse_manifest("{\"schemaVersion\":2," CFG ",\"layers\":{}}",
                        "field 'layers': expected an array");
        refuse_manifest("{\"schemaVersion\":2," CFG
                        ",\"layers\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1}]}",
                        "field 'layers[0].mediaType': 'x' is not a media type");
        refuse_manifest(
                "{\"schemaVersion\":2," CFG
                ",\"layers\":[{\"mediaType\":\"a/b\",\"digest\":\"sha256:abc\",\"size\":1}]}",
                "field 'layers[0].digest': 'sha256:abc' is not a valid digest");
        refuse_manifest(
                "{\"schemaVersion\":2," CFG
                ",\"layers\":[{\"mediaType\":\"a/b\",\"digest\":\"sha512:abc\",\"size\":1}]}",
                "unsupported digest algorithm");
        refuse_manifest("{\"schemaVersion\":2," CFG
                        ",\"layers\":[{\"mediaType\":\"a/b\",\"digest\":\"" D1 "\",\"size\":-1}]}",
                        "field 'layers[0].size': expected a non-negative integer");
        refuse_manifest("{\"schemaVersion\":2," CFG
                        ",\"layers\":[{\"mediaType\":\"a/b\",\"digest\":\"" D1 "\"}]}",
                        "field 'layers[0].size': missing");
        refuse_manifest("{\"schemaVersion\":2," CFG ",\"layers\":[],\"annotations\":{\"a\":1}}",
                        "field 'annotations': value of 'a' is not a string");
        refuse_manifest("{\"schemaVersion\":2,\"mediaType\":\"application/"
                        "vnd.oci.image.index.v1+json\"," CFG ",\"layers\":[]}",
                        "not an image manifest");
        refuse_manifest("{\"schemaVersion\":2," CFG ",\"layers\":[],\"layers\":[]}", "duplicate");
        refuse_manifest("[]", "not a JSON object");
        refuse_manifest("{\"schemaVersion\":2", "line 1");
}

TEST(index_parse) {
        static const char doc[] =
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
                "vnd.oci.image.manifest.v1+json\","
                "\"digest\":\"" D1 "\",\"size\":7143,\"platform\":{\"architecture\":\"arm64\","
                "\"os\":\"linux\",\"variant\":\"v8\"}},"
                "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D2
                "\",\"size\":7682,"
                "\"annotations\":{\"org.opencontainers.image.ref.name\":\"app:1\"}}]}";
        _cleanup_(oci_index_freep) OciIndex *i = NULL, *j = NULL;
        _cleanup_free_ char *e = NULL, *out = NULL;
        size_t n;

        ASSERT_OK(oci_index_parse(doc, strlen(doc), &i, &e));
        ASSERT_EQ(i->n_manifests, 2);
        ASSERT_TRUE(i->manifests[0].has_platform);
        ASSERT_STREQ(i->manifests[0].platform.variant, "v8");
        ASSERT_FALSE(i->manifests[1].has_platform);
        ASSERT_OK(oci_index_format(i, &out, &n));
        ASSERT_OK(oci_index_parse(out, n, &j, &e));
        ASSERT_EQ(j->n_manifests, 2);
        ASSERT_STREQ(j->media_type, OCI_MEDIA_TYPE_INDEX);

        static const char bad[] =
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"a/b\",\"digest\":\"" D1
                "\",\"size\":1,\"platform\":{\"os\":\"linux\"}}]}";
        _cleanup_(oci_index_freep) OciIndex *k = NULL;
        _cleanup_free_ char *e2 = NULL;
        ASSERT_ERRNO(oci_index_parse(bad, strlen(bad), &k, &e2), -EBADMSG);
        ASSERT_STREQ(e2, "field 'manifests[0].platform.architecture': missing");
}

TEST(config_parse) {
        static const char doc[] =
                "{\"created\":\"2015-10-31T22:22:56.015925234Z\",\"architecture\":\"amd64\",\"os\":"
                "\"linux\","
                "\"config\":{\"User\":\"alice\",\"ExposedPorts\":{\"8080/"
                "tcp\":{}},\"Env\":[\"PATH=/bin\",\"A=b=c\"],"
                "\"Entrypoint\":[\"/bin/app\"],\"Cmd\":null,\"Volumes\":{\"/var/"
                "job-result-data\":{}},"
                "\"WorkingDir\":\"/home/"
                "alice\",\"Labels\":{\"x\":\"y\"},\"StopSignal\":\"SIGTERM\",\"Hostname\":\"h\"},"
                "\"rootfs\":{\"diff_ids\":[\"" D1 "\",\"" D2 "\"],\"type\":\"layers\"},"
                "\"history\":[{\"created\":\"2015\",\"created_by\":\"/bin/sh\"}]}";
        _cleanup_(oci_image_config_freep) OciImageConfig *c = NULL;
        _cleanup_free_ char *e = NULL, *out = NULL;
        size_t n;

        ASSERT_OK(oci_image_config_parse(doc, strlen(doc), &c, &e));
        ASSERT_STREQ(c->architecture, "amd64");
        ASSERT_EQ(c->n_diff_ids, 2);
        ASSERT_NULL(json_object_get(c->config, "Cmd"));
        ASSERT_NULL(json_object_get(c->config, "Hostname"));
        ASSERT_STREQ(json_string_value(json_object_get(c->config, "User")), "alice");
        free(c->created);
        c->created = NULL;
        ASSERT_OK(oci_image_config_format(c, &out, &n));
        ASSERT_STREQ(
                out,
                "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/bin/"
                "app\"],\"Env\":[\"PATH=/bin\",\"A=b=c\"],"
                "\"ExposedPorts\":{\"8080/"
                "tcp\":{}},\"Labels\":{\"x\":\"y\"},\"StopSignal\":\"SIGTERM\",\"User\":\"alice\","
                "\"Volumes\":{\"/var/job-result-data\":{}},\"WorkingDir\":\"/home/"
                "alice\"},\"os\":\"linux\","
                "\"rootfs\":{\"diff_ids\":[\"" D1 "\",\"" D2 "\"],\"type\":\"layers\"}}");

        static const char *bad[][2] = {
                { "{\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
                  "field 'architecture': missing" },
                { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"x\",\"diff_"
                  "ids\":[]}}",
                  "field 'rootfs.type' must be \"layers\"" },
                { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                  "\"diff_ids\":[\"x\"]}}",
                  "field 'rootfs.diff_ids[0]': not a sha256 digest" },
                { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"NOEQUALS\"]}"
                  ","
                  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
                  "field 'config.Env[0]' is not VAR=VALUE" },
                { "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":\"sh\"},"
                  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
                  "field 'config.Cmd' has the wrong type" },
        };
        for (size_t k = 0; k < ELEMENTSOF(bad); k++) {
                _cleanup_(oci_image_config_freep) OciImageConfig *x = NULL;
                _cleanup_free_ char *msg = NULL;
                int r = oci_image_config_parse(bad[k][0], strlen(bad[k][0]), &x, &msg);
                if (r != -EBADMSG || !msg || !strstr(msg, bad[k][1])) {
                        tap_fail("case %zu: %d '%s'", k, r, msg ?: "");
                        return;
                }
        }
}

TEST(names) {
        _cleanup_free_ char *n = NULL, *t = NULL;
        char *x = NULL, *y = NULL;

        ASSERT_TRUE(oci_media_type_is_valid("application/vnd.oci.image.manifest.v1+json"));
        ASSERT_FALSE(oci_media_type_is_valid("application/"));
        ASSERT_FALSE(oci_media_type_is_valid("application/json; charset=utf-8"));
        ASSERT_FALSE(oci_media_type_is_valid("/json"));
        ASSERT_TRUE(oci_name_is_valid("machineos/host-fs"));
        ASSERT_TRUE(oci_name_is_valid("a__b/c.d/e--f"));
        ASSERT_FALSE(oci_name_is_valid("Upper"));
        ASSERT_FALSE(oci_name_is_valid("a___b"));
        ASSERT_FALSE(oci_name_is_valid("a//b"));
        ASSERT_FALSE(oci_name_is_valid("-a"));
        ASSERT_TRUE(oci_tag_is_valid("v1.2_3-rc"));
        ASSERT_FALSE(oci_tag_is_valid(".hidden"));
        ASSERT_FALSE(oci_tag_is_valid("a:b"));
        ASSERT_OK(oci_reference_split("registry/app:1.0", &n, &t));
        ASSERT_STREQ(n, "registry/app");
        ASSERT_STREQ(t, "1.0");
        ASSERT_ERRNO(oci_reference_split("app", &x, &y), -EINVAL);
        ASSERT_ERRNO(oci_reference_split("app:", &x, &y), -EINVAL);
        ASSERT_ERRNO(oci_reference_split("App:1", &x, &y), -EINVAL);
        ASSERT_ERRNO(oci_reference_split("host:5000/app", &x, &y), -EINVAL);
}

TEST(verity_annotations) {
        OciDescriptor d = { .media_type = (char *) MOS_MEDIA_TYPE_LAYER };
        MosLayerVerity v = { .data_blocks = 300, .hash_offset = 300 * 4096, .salt_size = 32 }, w;
        _cleanup_free_ char *e = NULL, *e2 = NULL;

        memset(v.root_hash, 0xab, 32);
        memset(v.salt, 0x01, 32);
        d.annotations = json_object();
        ASSERT_OK(mos_layer_verity_to_annotations(&v, d.annotations));
        d.size = 300 * 4096 + 4096 + 4 * 4096;
        ASSERT_OK(mos_layer_verity_from_descriptor(&d, &w, &e));
        ASSERT_TRUE(memcmp(&v, &w, sizeof v) == 0);
        d.size--;
        ASSERT_ERRNO(mos_layer_verity_from_descriptor(&d, &w, &e), -EBADMSG);
        ASSERT_STREQ(e, "size is not hash-offset plus the size of the hash area");
        d.size++;
        json_object_set_new(d.annotations, MOS_ANNOTATION_VERITY_HASH_OFFSET, json_string("4096"));
        ASSERT_ERRNO(mos_layer_verity_from_descriptor(&d, &w, &e2), -EBADMSG);
        ASSERT_STREQ(e2, "annotation org.machineos.verity.hash-offset is not data-blocks * 4096");
        json_decref(d.annotations);
}

int main(void) {
        RUN(manifest_parse);
        RUN(manifest_refusals);
        RUN(index_parse);
        RUN(config_parse);
        RUN(names);
        RUN(verity_annotations);
        return tap_done();
}
