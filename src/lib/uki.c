/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "uki.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "path-util.h"
#include "string-util.h"

#define INITRD_MAX (512u * 1024 * 1024)
#define KERNEL_MAX (256u * 1024 * 1024)

static const char default_os_release[] = "NAME=\"MachineOS\"\n"
                                         "ID=machineos\n"
                                         "VERSION_ID=" MOS_VERSION "\n"
                                         "PRETTY_NAME=\"MachineOS " MOS_VERSION "\"\n";

static bool cmdline_is_valid(const char *s) {
        size_t n = strlen(s);
        return n <= UKI_CMDLINE_MAX && string_is_printable_ascii(s, n);
}

int uki_build(const UkiParams *p, const CryptoSigner *signer, PeImage **ret) {
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        _cleanup_free_ char *kernel = NULL, *initrd = NULL;
        size_t kernel_n, initrd_n = 0;
        const char *osrel = p->os_release ?: default_os_release;
        int r;

        if (!p->kernel || (p->cmdline && !cmdline_is_valid(p->cmdline)))
                return -EINVAL;
        r = pe_image_load(p->stub ?: UKI_STUB_DEFAULT, &img);
        if (r < 0)
                return r;
        r = read_full_file(p->kernel, KERNEL_MAX, &kernel, &kernel_n);
        if (r < 0)
                return r;
        /* An x86 bzImage: the Linux boot protocol header "HdrS" at 0x202 (Documentation/
         * arch/x86/boot.rst), which systemd-stub's handover code requires. */
        if (kernel_n < 0x206 || memcmp(kernel + 0x202, "HdrS", 4) != 0)
                return -EBADMSG;
        if (p->initrd) {
                r = read_full_file(p->initrd, INITRD_MAX, &initrd, &initrd_n);
                if (r < 0)
                        return r;
        }

        r = pe_image_add_section(img, ".osrel", osrel, strlen(osrel), PE_SECTION_ALIGN_UKI);
        if (r >= 0 && !isempty(p->cmdline))
                r = pe_image_add_section(img, ".cmdline", p->cmdline, strlen(p->cmdline),
                                         PE_SECTION_ALIGN_UKI);
        if (r >= 0)
                r = pe_image_add_section(img, ".linux", kernel, kernel_n, PE_SECTION_ALIGN_UKI);
        if (r >= 0 && initrd_n > 0)
                r = pe_image_add_section(img, ".initrd", initrd, initrd_n, PE_SECTION_ALIGN_UKI);
        if (r < 0)
                return r;
        if (signer) {
                r = pe_image_sign(img, signer);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(img);
        return 0;
}

static int keyset_pair(const char *keyset_dir, const char *name, char **ret_key, char **ret_crt) {
        _cleanup_free_ char *k = strjoin(name, ".key"), *c = strjoin(name, ".crt");

        if (!k || !c)
                return -ENOMEM;
        *ret_key = path_join(keyset_dir, k);
        *ret_crt = path_join(keyset_dir, c);
        if (!*ret_key || !*ret_crt) {
                free(*ret_key);
                free(*ret_crt);
                return -ENOMEM;
        }
        return 0;
}

int uki_load_signer(const char *keyset_dir, bool provision, CryptoSigner **ret) {
        _cleanup_free_ char *key = NULL, *crt = NULL;
        int r;

        r = keyset_pair(keyset_dir, provision ? "uefi-db-provision" : "uefi-db", &key, &crt);
        if (r < 0)
                return r;
        r = crypto_signer_load(key, crt, ret);
        return r == -ENOENT ? -ENOKEY : r;
}

int uki_sign_binary(const char *path, const CryptoSigner *signer, PeImage **ret) {
        _cleanup_(pe_image_freep) PeImage *img = NULL;
        int r;

        r = pe_image_load(path, &img);
        if (r < 0)
                return r;
        r = pe_image_sign(img, signer);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(img);
        return 0;
}

int uki_verify(PeImage *img, const char *keyset_dir) {
        static const char *const certs[] = { "uefi-db.crt", "uefi-db-provision.crt" };
        int r = -ENOKEY;

        for (size_t i = 0; i < ELEMENTSOF(certs); i++) {
                _cleanup_free_ char *p = path_join(keyset_dir, certs[i]);
                _cleanup_(crypto_cert_freep) CryptoCert *c = NULL;
                _cleanup_free_ uint8_t *der = NULL;
                size_t n;

                if (!p)
                        return -ENOMEM;
                if (crypto_cert_load(p, &c) < 0 || crypto_cert_to_der(c, &der, &n) < 0)
                        continue;
                r = pe_image_verify(img, der, n);
                if (r >= 0 || r == -ENOENT)
                        return r;
        }
        return r;
}
