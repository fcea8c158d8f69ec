/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "disk.h"
#include "macro.h"
#include "tap.h"
#include "vm.h"

TEST(classify) {
        ASSERT_EQ(vm_classify_line("MOS-DIAG: [2.9] done"), VM_SUCCESS);
        ASSERT_EQ(vm_classify_line("mosd: ready"), VM_SUCCESS);
        ASSERT_EQ(vm_classify_line("mos-init: refused: manifest signature"), VM_REFUSED);
        ASSERT_EQ(vm_classify_line("BdsDxe: failed to load Boot0002 \"UEFI Misc Device\" from "
                                   "PciRoot(0x0)/Pci(0x2,0x0): Access Denied"),
                  VM_FIRMWARE_REFUSED);
        ASSERT_EQ(vm_classify_line("BdsDxe: failed to start Boot0003: Security Violation"),
                  VM_FIRMWARE_REFUSED);
        ASSERT_EQ(vm_classify_line("[    3.1] Kernel panic - not syncing: No working init"),
                  VM_PANIC);
        ASSERT_EQ(vm_classify_line("MOS-DIAG: [1.0] init=started"), -1);
        /* The appliance's own lines never count as firmware refusals. */
        ASSERT_EQ(vm_classify_line("MOS-DIAG: [1.0] note=Access Denied by test"), -1);
        ASSERT_TRUE(vm_line_is_initramfs("mos-init: mounting"));
        ASSERT_FALSE(vm_line_is_initramfs("[    0.0] Linux version"));
        ASSERT_STREQ(vm_outcome_to_string(VM_FIRMWARE_REFUSED), "firmware-refused");
}

TEST(disk_names) {
        _cleanup_free_ char *a = disk_uki_path("machineos-1.0", 3), *b = disk_uki_path("x", 0);
        uint8_t seed[32] = { 1 }, g1[16], g2[16], g3[16];

        ASSERT_STREQ(a, "EFI/Linux/machineos-1.0+3.efi");
        ASSERT_STREQ(b, "EFI/Linux/x.efi");
        disk_derive_guid(seed, "esp", g1);
        disk_derive_guid(seed, "esp", g2);
        disk_derive_guid(seed, "data", g3);
        ASSERT_TRUE(memcmp(g1, g2, 16) == 0);
        ASSERT_FALSE(memcmp(g1, g3, 16) == 0);
        ASSERT_EQ(g1[7] >> 4, 4);
        ASSERT_EQ(g1[8] >> 6, 2);
}

int main(void) {
        RUN(classify);
        RUN(disk_names);
        return tap_done();
}
