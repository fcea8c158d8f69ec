/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The EFI signature list parser (efi-siglist.h), which the PCR 7 prediction, the firmware vars
 * writer and `mos firmware vars --list` all use.
 *
 * 1. efi_siglist_parse() on the whole input: every signature, and its raw EFI_SIGNATURE_DATA,
 *    lies inside the input, and the data is the entry without its 16-byte owner GUID; looking
 *    up each X.509 entry's certificate finds an entry with the same bytes.
 * 2. efi_siglist_find_x509() as the PCR 7 prediction calls it (the former fuzz-pcr7 target,
 *    whose seeds are the find-* files of the corpus): the first input byte chooses how long the
 *    certificate to look for is, taken from the end of the input; the list is the rest. */

#include <stdlib.h>
#include <string.h>

#include "efi-siglist.h"
#include "fuzz.h"
#include "uuid-util.h"

static void parse_whole(const uint8_t *data, size_t size) {
        _cleanup_free_ EfiSignature *s = NULL;
        uint8_t x509[16];
        size_t n;

        if (efi_siglist_parse(data, size, &s, &n) < 0)
                return;
        if (uuid_from_string(EFI_CERT_X509_GUID, x509) < 0)
                abort();
        for (size_t i = 0; i < n; i++) {
                const uint8_t *e;
                size_t es;

                if (s[i].data < data || s[i].data + s[i].size > data + size ||
                    s[i].entry + 16 != s[i].data || s[i].entry_size != s[i].size + 16)
                        abort();
                if (memcmp(s[i].type, x509, 16) != 0)
                        continue;
                if (efi_siglist_find_x509(data, size, s[i].data, s[i].size, &e, &es) < 0 ||
                    e > s[i].entry || es != s[i].entry_size ||
                    memcmp(e + 16, s[i].data, s[i].size) != 0)
                        abort();
        }
}

static void find_suffix(const uint8_t *data, size_t size) {
        const uint8_t *entry;
        size_t n, entry_size;

        if (size < 1)
                return;
        n = data[0] % 64;
        if (n > size - 1)
                n = size - 1;
        if (efi_siglist_find_x509(data + 1, size - 1, data + size - n, n, &entry, &entry_size) < 0)
                return;
        if (entry < data + 1 || entry + entry_size > data + size || entry_size != n + 16 ||
            memcmp(entry + 16, data + size - n, n) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        parse_whole(data, size);
        find_suffix(data, size);
        return 0;
}
