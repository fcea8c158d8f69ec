/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "uuid-util.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "string-util.h"

static bool is_dash_position(size_t i) {
        return i == 8 || i == 13 || i == 18 || i == 23;
}

int uuid_from_string(const char *s, uint8_t ret[UUID_SIZE]) {
        char hex[2 * UUID_SIZE + 1];
        size_t j = 0;

        if (!s || strlen(s) != UUID_STRING_MAX - 1)
                return -EINVAL;
        for (size_t i = 0; i < UUID_STRING_MAX - 1; i++) {
                if (is_dash_position(i) != (s[i] == '-'))
                        return -EINVAL;
                if (!is_dash_position(i))
                        hex[j++] = s[i];
        }
        hex[j] = '\0';
        /* unhexmem_fixed() refuses anything but hex digits (either case). */
        return unhexmem_fixed(hex, ret, UUID_SIZE) < 0 ? -EINVAL : 0;
}

bool uuid_string_is_canonical(const char *s) {
        uint8_t u[UUID_SIZE];
        char buf[UUID_STRING_MAX];

        if (uuid_from_string(s, u) < 0)
                return false;
        return strcmp(uuid_to_string(u, buf), s) == 0;
}

char *uuid_to_string(const uint8_t u[UUID_SIZE], char ret[UUID_STRING_MAX]) {
        static const char hex[] = "0123456789abcdef";
        size_t j = 0;

        for (size_t i = 0; i < UUID_SIZE; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        ret[j++] = '-';
                ret[j++] = hex[u[i] >> 4];
                ret[j++] = hex[u[i] & 15];
        }
        ret[j] = '\0';
        return ret;
}

int uuid_generate_random(uint8_t ret[UUID_SIZE]) {
        uint8_t u[UUID_SIZE];
        size_t done = 0;

        while (done < sizeof u) {
                ssize_t n = getrandom(u + done, sizeof u - done, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t) n;
        }
        /* RFC 9562 section 5.4: version 4 in the high nibble of byte 6, variant 10xx in the
         * high bits of byte 8. */
        u[6] = (uint8_t) ((u[6] & 0x0f) | 0x40);
        u[8] = (uint8_t) ((u[8] & 0x3f) | 0x80);
        memcpy(ret, u, UUID_SIZE);
        return 0;
}

bool uuid_is_null(const uint8_t u[UUID_SIZE]) {
        for (size_t i = 0; i < UUID_SIZE; i++)
                if (u[i])
                        return false;
        return true;
}

void uuid_to_efi_guid(const uint8_t u[UUID_SIZE], uint8_t ret[UUID_SIZE]) {
        uint8_t g[UUID_SIZE];

        /* Data1 (4 bytes), Data2 and Data3 (2 bytes each) are stored little-endian. */
        g[0] = u[3];
        g[1] = u[2];
        g[2] = u[1];
        g[3] = u[0];
        g[4] = u[5];
        g[5] = u[4];
        g[6] = u[7];
        g[7] = u[6];
        memcpy(g + 8, u + 8, 8);
        memcpy(ret, g, UUID_SIZE);
}

void uuid_from_efi_guid(const uint8_t guid[UUID_SIZE], uint8_t ret[UUID_SIZE]) {
        /* The byte swap is its own inverse. */
        uuid_to_efi_guid(guid, ret);
}
