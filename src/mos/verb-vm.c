/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos vm run: boot an appliance disk under OVMF Secure Boot with swtpm. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "exit-code.h"
#include "json.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "verb-vm.h"
#include "verb-util.h"
#include "verbs.h"
#include "vm.h"

static int parse_forward(const char *s, VmForward *ret) {
        const char *colon = strchr(s, ':');
        _cleanup_free_ char *h = NULL;
        unsigned host, guest;

        if (!colon)
                return -EINVAL;
        h = strndup(s, (size_t) (colon - s));
        if (!h || safe_atou(h, &host) < 0 || safe_atou(colon + 1, &guest) < 0 || host == 0 ||
            host > 65535 || guest == 0 || guest > 65535)
                return -EINVAL;
        *ret = (VmForward){ (uint16_t) host, (uint16_t) guest };
        return 0;
}

int verb_vm_run(int argc, char *argv[]) {
        enum {
                ARG_VARS = 0x100,
                ARG_TPM_STATE,
                ARG_TIMEOUT,
                ARG_FORWARD,
                ARG_LOG,
                ARG_QUIET,
                ARG_KEEP_RUNNING,
                ARG_SNAPSHOT,
                ARG_ACCEL,
                ARG_MEMORY,
                ARG_PERSIST,
                ARG_JSON,
                ARG_MONITOR,
        };
        static const struct option options[] = {
                { "vars", required_argument, NULL, ARG_VARS },
                { "tpm-state", required_argument, NULL, ARG_TPM_STATE },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "forward", required_argument, NULL, ARG_FORWARD },
                { "log", required_argument, NULL, ARG_LOG },
                { "quiet", no_argument, NULL, ARG_QUIET },
                { "keep-running", no_argument, NULL, ARG_KEEP_RUNNING },
                { "snapshot", no_argument, NULL, ARG_SNAPSHOT },
                { "accel", required_argument, NULL, ARG_ACCEL },
                { "memory", required_argument, NULL, ARG_MEMORY },
                { "persist", no_argument, NULL, ARG_PERSIST },
                { "json", no_argument, NULL, ARG_JSON },
                { "monitor", required_argument, NULL, ARG_MONITOR },
                {},
        };
        VmParams p = { .timeout_sec = 120, .echo = true, .memory = "512M" };
        bool json = false;
        VmResult res;
        unsigned t;
        int c, r;

        p.accel = secure_getenv("MOS_VM_ACCEL") ?: "auto";
        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":", options, NULL)) >= 0)
                switch (c) {
                case ARG_VARS:
                        p.vars = optarg;
                        break;
                case ARG_TPM_STATE:
                        p.tpm_state = optarg;
                        break;
                case ARG_TIMEOUT:
                        if (safe_atou(optarg, &t) < 0 || t == 0 || t > 86400)
                                return verb_usage_error(
                                        argv[0], "--timeout must be 1..86400 seconds, got '%s'",
                                        optarg);
                        p.timeout_sec = t;
                        break;
                case ARG_FORWARD:
                        if (p.n_forwards >= VM_FORWARDS_MAX)
                                return verb_usage_error(argv[0], "at most %d --forward options",
                                                        VM_FORWARDS_MAX);
                        if (parse_forward(optarg, &p.forwards[p.n_forwards++]) < 0)
                                return verb_usage_error(
                                        argv[0], "--forward expects HOSTPORT:GUESTPORT, got '%s'",
                                        optarg);
                        break;
                case ARG_LOG:
                        p.log = optarg;
                        break;
                case ARG_QUIET:
                        p.echo = false;
                        break;
                case ARG_KEEP_RUNNING:
                        p.keep_running = true;
                        break;
                case ARG_SNAPSHOT:
                        p.snapshot = true;
                        break;
                case ARG_ACCEL:
                        if (!STR_IN_SET(optarg, "auto", "tcg", "kvm"))
                                return verb_usage_error(
                                        argv[0], "--accel must be auto, tcg or kvm, got '%s'",
                                        optarg);
                        p.accel = optarg;
                        break;
                case ARG_MEMORY:
                        p.memory = optarg;
                        break;
                case ARG_PERSIST:
                        p.persist = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_MONITOR:
                        /* sockaddr_un.sun_path holds 108 bytes; qemu would fail later. */
                        if (optarg[0] == 0 || strlen(optarg) >= 108 || strchr(optarg, ','))
                                return verb_usage_error(argv[0],
                                                        "--monitor expects a socket path of at "
                                                        "most 107 bytes without ',', got '%s'",
                                                        optarg);
                        p.monitor = optarg;
                        break;
                default:
                        return verb_option_error(argv, c, options);
                }
        r = verb_check_args(argv, argc, 1, 1, "IMAGE");
        if (r != 0)
                return r;
        p.image = argv[optind];
        if (!p.vars || !p.tpm_state)
                return verb_usage_error(argv[0], "--vars and --tpm-state are required");
        if (!STR_IN_SET(p.accel, "auto", "tcg", "kvm"))
                return log_error_errno(
                        EINVAL, "Invalid $MOS_VM_ACCEL '%s', expected auto, tcg or kvm.", p.accel);
        if (json)
                p.echo = false; /* stdout carries the JSON document */

        r = vm_run(&p, &res);
        if (r == -ENOENT)
                return log_error_errno(r,
                                       "Failed to start the VM: qemu-system-x86_64, swtpm, OVMF or "
                                       "the image '%s' is missing",
                                       p.image);
        if (r == -EINTR)
                return log_error_errno(r, "VM interrupted; qemu and swtpm stopped.");
        if (r < 0)
                return log_error_errno(r, "Failed to run the VM for '%s': %m", p.image);

        if (json) {
                /* Times in milliseconds: canonical JSON has integers only. */
                r = verb_print_json(json_pack(
                        "{s:s,s:s,s:I,s:I,s:I,s:s}", "outcome", vm_outcome_to_string(res.outcome),
                        "marker", res.marker, "milliseconds", (json_int_t) (res.seconds * 1000),
                        "first-initramfs-line-ms",
                        (json_int_t) (res.first_initramfs < 0 ? -1 : res.first_initramfs * 1000),
                        "first-output-ms",
                        (json_int_t) (res.first_output < 0 ? -1 : res.first_output * 1000), "accel",
                        res.kvm ? "kvm" : "tcg"));
                if (r < 0)
                        return r;
        }
        switch (res.outcome) {
        case VM_SUCCESS:
                log_info("VM %s: success marker after %.1f s (first initramfs line at %.1f s, %s): "
                         "%s",
                         p.image, res.seconds, res.first_initramfs, res.kvm ? "kvm" : "tcg",
                         res.marker);
                return MOS_EXIT_SUCCESS;
        case VM_REFUSED:
                log_error("VM %s: the appliance refused to boot after %.1f s: %s", p.image,
                          res.seconds, res.marker);
                return MOS_EXIT_REFUSED;
        case VM_FIRMWARE_REFUSED:
                log_error(
                        "VM %s: the firmware refused the boot image after %.1f s (Secure Boot): %s",
                        p.image, res.seconds, res.marker);
                return MOS_EXIT_REFUSED;
        case VM_PANIC:
                log_error("VM %s: kernel panic after %.1f s: %s", p.image, res.seconds, res.marker);
                return MOS_EXIT_FAILURE;
        case VM_EXITED:
                log_error("VM %s: qemu exited after %.1f s without a marker on the console",
                          p.image, res.seconds);
                return MOS_EXIT_FAILURE;
        default:
                log_error("VM %s: no marker on the console within %u s (timeout)", p.image,
                          p.timeout_sec);
                return MOS_EXIT_FAILURE;
        }
}
