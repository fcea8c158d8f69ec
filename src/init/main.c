/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* mos-init: PID 1 of the MachineOS initramfs (docs/boot.md). Everything is in src/lib/boot.c;
 * this file prints its lines on the console, and on any failure prints
 * "mos-init: refused: <reason>" and powers off: nothing unverified ever runs. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "init-system.h"
#include "log.h"
#include "macro.h"

static void say(const char *line, void *userdata) {
        (void) userdata;
        /* One write per line, so lines from the kernel do not cut into ours. */
        (void) dprintf(STDOUT_FILENO, "mos-init: %s\n", line);
}

static _noreturn_ void refuse(const char *reason) {
        (void) dprintf(STDOUT_FILENO, "mos-init: refused: %s\n", reason);
        init_poweroff();
}

int main(int argc, char *argv[]) {
        _cleanup_(boot_freep) Boot *b = NULL;
        const BootOptions *o;
        int r;

        (void) argc;
        (void) argv;
        if (getpid() != 1) {
                fprintf(stderr, "mos-init: not PID 1: mos-init only runs as the init of the "
                                "MachineOS initramfs.\n");
                return 1;
        }
        log_set_program_name("mos-init");
        b = boot_new(say, NULL);
        if (!b)
                refuse("out of memory");
        say("MachineOS boot: started", NULL);
        r = boot_run(b);
        if (r < 0) {
                char reason[1024];

                (void) snprintf(reason, sizeof reason, "%s", boot_reason(b));
                b = boot_free(b); /* wipes the unsealed key if the boot stopped after unseal */
                refuse(reason);
        }

        o = boot_options(b);
        if (o->mode == BOOT_MODE_PROVISION) {
                say("factory step finished, powering off", NULL);
                init_poweroff();
        }
        (void) dprintf(STDOUT_FILENO, "mos-init: handing over to %s\n", o->handover);
        /* A clean environment: nothing of the initramfs' leaks into the next PID 1. */
        execve(o->handover, (char *[]){ o->handover, NULL },
               (char *[]){ (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL });
        {
                char reason[512];
                (void) snprintf(reason, sizeof reason,
                                "cannot execute the hand-over program %s: %s", o->handover,
                                strerror(errno));
                refuse(reason);
        }
}
