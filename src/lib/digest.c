/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <string.h>

#include "digest.h"
#include "string-util.h"

static bool char_is_algorithm_component(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool char_is_encoded(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '=' || c == '_' || c == '-';
}

/* OCI image-spec descriptor.md "Digests": the generic grammar. Returns the position of the
 * ':' or NULL. */
static const char *digest_split(const char *s) {
        const char *p = s;
        bool want_component = true;

        for (;; p++) {
                if (char_is_algorithm_component(*p))
                        want_component = false;
                else if (strchr("+._-", *p) && *p != '\0') {
                        if (want_component)
                                return NULL; /* empty component */
                        want_component = true;
                } else if (*p == ':') {
                        if (want_component)
                                return NULL;
                        break;
                } else
                        return NULL;
        }
        if (p[1] == '\0')
                return NULL;
        for (const char *e = p + 1; *e; e++)
                if (!char_is_encoded(*e))
                        return NULL;
        return p;
}

static int digest_check(const char *s) {
        const char *colon = digest_split(s);

        if (!colon)
                return -EBADMSG;
        if ((size_t) (colon - s) != strlen("sha256") || strncmp(s, "sha256", 6) != 0)
                return -EOPNOTSUPP;
        /* Registered algorithm sha256: encoded ::= [a-f0-9]{64} */
        if (strlen(colon + 1) != 2 * SHA256_DIGEST_SIZE ||
            !string_is_lower_hex(colon + 1, 2 * SHA256_DIGEST_SIZE))
                return -EBADMSG;
        return 0;
}

bool digest_string_is_valid(const char *s) {
        int r;

        if (!s)
                return false;
        r = digest_check(s);
        return r == 0 || r == -EOPNOTSUPP;
}

int digest_parse(const char *s, Digest *ret) {
        Digest d;
        int r;

        if (!s)
                return -EBADMSG;
        r = digest_check(s);
        if (r < 0)
                return r;
        if (unhexmem_fixed(s + strlen(DIGEST_SHA256_PREFIX), d.sha256, sizeof d.sha256) < 0)
                return -EBADMSG;
        *ret = d;
        return 0;
}

char *digest_format_hex(const Digest *d, char buf[static 2 * SHA256_DIGEST_SIZE + 1]) {
        static const char hex[] = "0123456789abcdef";

        for (size_t i = 0; i < sizeof d->sha256; i++) {
                buf[2 * i] = hex[d->sha256[i] >> 4];
                buf[2 * i + 1] = hex[d->sha256[i] & 0xf];
        }
        buf[2 * sizeof d->sha256] = '\0';
        return buf;
}

char *digest_format(const Digest *d, char buf[static DIGEST_STRING_MAX]) {
        memcpy(buf, DIGEST_SHA256_PREFIX, strlen(DIGEST_SHA256_PREFIX));
        digest_format_hex(d, buf + strlen(DIGEST_SHA256_PREFIX));
        return buf;
}

char *digest_to_string(const Digest *d) {
        char *s = malloc(DIGEST_STRING_MAX);

        return s ? digest_format(d, s) : NULL;
}

int digest_compute(const void *data, size_t size, Digest *ret) {
        Digest d;
        int r;

        r = crypto_sha256(data, size, d.sha256);
        if (r < 0)
                return r;
        *ret = d;
        return 0;
}
