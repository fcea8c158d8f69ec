/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Running an appliance disk in qemu (docs/vm.md): OVMF with Secure Boot (q35, SMM, secure
 * pflash, OVMF_CODE_4M.secboot.fd), a private copy of the vars, swtpm with a private copy of
 * the TPM state, the disk on virtio, the serial console to stdout and a log, user networking
 * bound to 127.0.0.1 with only the forwarded ports. The result is decided from the console:
 * the appliance's success or refusal marker, the firmware's refusal, a kernel panic, qemu
 * exiting, or the timeout. qemu and swtpm are stopped by process id. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_FORWARDS_MAX 8

typedef enum VmOutcome {
        VM_SUCCESS,          /* the success marker */
        VM_REFUSED,          /* the appliance's refusal marker */
        VM_FIRMWARE_REFUSED, /* "Access Denied" / "Security Violation" */
        VM_PANIC,            /* "Kernel panic" */
        VM_EXITED,           /* qemu exited without a marker */
        VM_TIMEOUT,
        _VM_OUTCOME_MAX,
} VmOutcome;

const char *vm_outcome_to_string(VmOutcome o); /* "success", "refused", ... */

/* What a console line means (exposed for tests). Returns -1 for an ordinary line. */
int vm_classify_line(const char *line);
/* 1 when the line comes from the initramfs (the diagnostic init or mos-init). */
bool vm_line_is_initramfs(const char *line);

typedef struct VmForward {
        uint16_t host, guest;
} VmForward;

typedef struct VmParams {
        const char *image;
        const char *vars;      /* template vars image: copied */
        const char *tpm_state; /* template TPM state directory (may be empty or absent): copied */
        bool persist;          /* copy vars and TPM state back after the run */
        unsigned timeout_sec;
        VmForward forwards[VM_FORWARDS_MAX];
        size_t n_forwards;
        const char *log;       /* console log file, or NULL */
        bool echo;             /* console to stdout */
        bool keep_running;     /* after the success marker, wait for qemu to exit or timeout */
        bool snapshot;         /* do not write to the image */
        const char *accel;     /* "tcg", "kvm" or "auto" (kvm when /dev/kvm is usable) */
        const char *memory;    /* "512M" */
        const char *ovmf_code; /* NULL: OVMF_CODE_4M.secboot.fd */
        const char *monitor;   /* qemu's human monitor on this unix socket (NULL: none), e.g.
                                  for "sendkey ctrl-alt-delete": a clean reboot of the guest */
} VmParams;

typedef struct VmResult {
        VmOutcome outcome;
        char marker[256];       /* the line that decided, if any */
        double seconds;         /* from qemu start to the decision */
        double first_initramfs; /* seconds from qemu start to the first initramfs line, or < 0 */
        double first_output;    /* seconds to the first console output, or < 0 */
        bool kvm;
} VmResult;

/* -ENOENT when qemu, swtpm or the firmware is missing (callers skip), other -errno when the VM
 * could not be started. The outcome is in ret. */
int vm_run(const VmParams *p, VmResult *ret);

/* 1 when /dev/kvm exists, answers KVM_GET_API_VERSION and supports SMM. */
bool vm_kvm_usable(void);
