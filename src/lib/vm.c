/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "vm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "firmware.h"
#include "log.h"
#include "path-util.h"
#include "string-util.h"
#include "strv.h"

extern char **environ;

#define STATE_FILE_MAX (64u * 1024 * 1024)
#define LINE_MAX_VM 4096

static const char *const outcome_names[_VM_OUTCOME_MAX] = {
        [VM_SUCCESS] = "success",
        [VM_REFUSED] = "refused",
        [VM_FIRMWARE_REFUSED] = "firmware-refused",
        [VM_PANIC] = "panic",
        [VM_EXITED] = "exited",
        [VM_TIMEOUT] = "timeout",
};

const char *vm_outcome_to_string(VmOutcome o) {
        return (size_t) o < _VM_OUTCOME_MAX ? outcome_names[o] : NULL;
}

bool vm_line_is_initramfs(const char *line) {
        return strstr(line, "MOS-DIAG:") || strstr(line, "mos-init:");
}

int vm_classify_line(const char *line) {
        /* The appliance's markers (docs/vm.md). */
        if (strstr(line, "mos-init: refused:") || strstr(line, "mosd: refused:") ||
            strstr(line, "MOS-DIAG: refused"))
                return VM_REFUSED;
        if (strstr(line, "mosd: ready") || (strstr(line, "MOS-DIAG:") && endswith(line, " done")))
                return VM_SUCCESS;
        if (vm_line_is_initramfs(line) || strstr(line, "mosd:"))
                return -1;
        /* edk2 BdsDxe: "failed to load Boot0001 ...: Access Denied" (signature not trusted) or
         * "Security Violation" (not signed / not allowed). */
        if (strstr(line, "Access Denied") || strstr(line, "Security Violation"))
                return VM_FIRMWARE_REFUSED;
        if (strstr(line, "Kernel panic - not syncing"))
                return VM_PANIC;
        return -1;
}

bool vm_kvm_usable(void) {
        _cleanup_close_ int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        /* Secure Boot needs SMM (OVMF's variable store is only protected in SMM); nested
         * hypervisors often lack it. */
        return fd >= 0 && ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION &&
               ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_SMM) > 0;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int copy_file(const char *src, const char *dst, mode_t mode) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r;

        r = read_full_file(src, STATE_FILE_MAX, &buf, &n);
        if (r < 0)
                return r;
        return write_file_atomic(dst, buf, n, mode, 0);
}

/* Copies the regular files of src into dst (flat: swtpm keeps its state in one directory). */
static int copy_dir_files(const char *src, const char *dst) {
        _cleanup_closedir_ DIR *d = opendir(src);
        struct dirent *de;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                _cleanup_free_ char *s = NULL, *t = NULL;
                struct stat st;
                int r;

                if (de->d_name[0] == '.')
                        continue;
                s = path_join(src, de->d_name);
                t = path_join(dst, de->d_name);
                if (!s || !t)
                        return -ENOMEM;
                if (lstat(s, &st) < 0)
                        return -errno;
                if (!S_ISREG(st.st_mode) || endswith(de->d_name, ".lock") ||
                    endswith(de->d_name, ".pid") || endswith(de->d_name, ".log"))
                        continue;
                r = copy_file(s, t, 0600);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int remove_dir_files(const char *dir) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        return 0;
}

static int spawn(char **argv, int out_fd, pid_t *ret) {
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int r;

        if (posix_spawn_file_actions_init(&fa) != 0)
                return -ENOMEM;
        (void) posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (out_fd >= 0) {
                (void) posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
                (void) posix_spawn_file_actions_adddup2(&fa, out_fd, STDERR_FILENO);
        } else {
                (void) posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY,
                                                        0);
        }
        r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -r;
        *ret = pid;
        return 0;
}

/* SIGTERM, then SIGKILL after 3 s; always reaped. */
static void stop_process(pid_t pid) {
        if (pid <= 0)
                return;
        if (kill(pid, SIGTERM) < 0 && errno == ESRCH) {
                (void) waitpid(pid, NULL, WNOHANG);
                return;
        }
        for (int i = 0; i < 300; i++) {
                if (waitpid(pid, NULL, WNOHANG) == pid)
                        return;
                (void) usleep(10000);
        }
        (void) kill(pid, SIGKILL);
        (void) waitpid(pid, NULL, 0);
}

static volatile sig_atomic_t interrupted;
static void on_signal(int sig) {
        interrupted = sig;
}

static int find_program(const char *name) {
        const char *path = getenv("PATH") ?: "/usr/bin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = path_join(d, name);
                if (p && access(p, X_OK) == 0)
                        return 0;
        }
        return -ENOENT;
}

typedef struct Run {
        char dir[64];
        pid_t swtpm, qemu;
        int console; /* read end of qemu's stdout/stderr */
        FILE *log;
} Run;

static void run_done(Run *r) {
        stop_process(r->qemu);
        stop_process(r->swtpm);
        r->qemu = r->swtpm = 0;
        safe_close(r->console);
        r->console = -1;
        if (r->log)
                fclose(r->log);
        r->log = NULL;
}

static int start_swtpm(Run *run, const VmParams *p, char **ret_sock) {
        _cleanup_free_ char *state = path_join(run->dir, "tpm"),
                            *sock = path_join(run->dir, "swtpm.sock"), *tpmstate = NULL,
                            *ctrl = NULL, *log = NULL;
        int r;

        if (!state || !sock)
                return -ENOMEM;
        if (mkdir(state, 0700) < 0)
                return -errno;
        if (p->tpm_state) {
                r = copy_dir_files(p->tpm_state, state);
                if (r < 0)
                        return r;
        }
        tpmstate = strjoin("dir=", state);
        ctrl = strjoin("type=unixio,path=", sock);
        log = strprintf("file=%s/swtpm.log,level=1", run->dir);
        if (!tpmstate || !ctrl || !log)
                return -ENOMEM;
        char *argv[] = { (char *) "swtpm",
                         (char *) "socket",
                         (char *) "--tpm2",
                         (char *) "--tpmstate",
                         tpmstate,
                         (char *) "--ctrl",
                         ctrl,
                         (char *) "--log",
                         log,
                         (char *) "--terminate",
                         NULL };
        r = spawn(argv, -1, &run->swtpm);
        if (r < 0)
                return r;
        /* Ready once its control socket exists (polled, at most 10 s). */
        for (int i = 0; i < 1000; i++) {
                struct stat st;
                int status;
                if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode)) {
                        *ret_sock = TAKE_PTR(sock);
                        return 0;
                }
                if (waitpid(run->swtpm, &status, WNOHANG) == run->swtpm) {
                        run->swtpm = 0;
                        return -ECHILD;
                }
                (void) usleep(10000);
        }
        return -ETIMEDOUT;
}

static int qemu_argv(const VmParams *p, const Run *run, const char *sock, bool kvm, char ***ret) {
        _cleanup_strv_free_ char **a = NULL;
        _cleanup_free_ char *machine = NULL, *code = NULL, *vars = NULL, *disk = NULL,
                            *chardev = NULL, *net = NULL, *monitor = NULL;
        int r = 0;

        machine = strprintf("q35,smm=on,accel=%s", kvm ? "kvm" : "tcg");
        code = strprintf("if=pflash,format=raw,unit=0,readonly=on,file=%s",
                         p->ovmf_code ?: FIRMWARE_OVMF_CODE_SECBOOT);
        vars = strprintf("if=pflash,format=raw,unit=1,file=%s/vars.fd", run->dir);
        disk = strprintf("if=none,id=disk0,format=raw,file=%s%s", p->image,
                         p->snapshot ? ",snapshot=on" : "");
        chardev = strprintf("socket,id=chrtpm,path=%s", sock);
        monitor = p->monitor ? strprintf("unix:%s,server=on,wait=off", p->monitor) : strdup("none");
        if (!machine || !code || !vars || !disk || !chardev || !monitor)
                return -ENOMEM;
        if (p->n_forwards > 0) {
                /* restrict=on: the guest reaches nothing outside; only the forwards, bound to
                 * 127.0.0.1, reach the guest. */
                net = strdup("user,id=net0,restrict=on");
                for (size_t i = 0; net && i < p->n_forwards; i++) {
                        char *n = strprintf("%s,hostfwd=tcp:127.0.0.1:%u-:%u", net,
                                            p->forwards[i].host, p->forwards[i].guest);
                        free(net);
                        net = n;
                }
                if (!net)
                        return -ENOMEM;
        }

        const char *base[] = {
                "qemu-system-x86_64",
                "-nodefaults",
                "-machine",
                machine,
                "-global",
                "driver=cfi.pflash01,property=secure,value=on",
                "-drive",
                code,
                "-drive",
                vars,
                "-m",
                p->memory ?: "512M",
                "-display",
                "none",
                "-serial",
                "stdio",
                "-monitor",
                monitor,
                "-no-reboot",
                "-drive",
                disk,
                "-device",
                "virtio-blk-pci,drive=disk0,bootindex=1",
                "-chardev",
                chardev,
                "-tpmdev",
                "emulator,id=tpm0,chardev=chrtpm",
                "-device",
                "tpm-tis,tpmdev=tpm0",
        };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(base); i++)
                r = strv_extend(&a, base[i]);
        if (r >= 0 && net) {
                r = strv_extend(&a, "-netdev");
                if (r >= 0)
                        r = strv_extend(&a, net);
                if (r >= 0)
                        r = strv_extend(&a, "-device");
                if (r >= 0)
                        r = strv_extend(&a, "virtio-net-pci,netdev=net0,romfile=");
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(a);
        return 0;
}

/* Feeds console bytes, line by line; returns an outcome >= 0 when a line decides. */
static int console_feed(const VmParams *p, Run *run, char *line, size_t *len, const char *buf,
                        size_t n, double t0, VmResult *res) {
        int decided = -1;

        if (p->echo)
                (void) !write(STDOUT_FILENO, buf, n);
        if (run->log) {
                (void) fwrite(buf, 1, n, run->log);
                (void) fflush(run->log);
        }
        if (res->first_output < 0 && n > 0)
                res->first_output = now() - t0;
        for (size_t i = 0; i < n; i++) {
                int c;
                if (buf[i] != '\n' && *len < LINE_MAX_VM - 1) {
                        if (buf[i] != '\r' && buf[i] != 0)
                                line[(*len)++] = buf[i];
                        continue;
                }
                if (buf[i] != '\n')
                        continue; /* overlong line: the rest is dropped until the newline */
                line[*len] = 0;
                if (res->first_initramfs < 0 && vm_line_is_initramfs(line))
                        res->first_initramfs = now() - t0;
                c = vm_classify_line(line);
                if (c >= 0 && decided < 0) {
                        decided = c;
                        (void) strscpy(res->marker, sizeof res->marker, line);
                }
                *len = 0;
        }
        return decided;
}

int vm_run(const VmParams *p, VmResult *ret) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *sock = NULL, *vars_copy = NULL;
        _cleanup_(run_done) Run run = { .console = -1 };
        struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
        char line[LINE_MAX_VM];
        size_t line_len = 0;
        VmResult res = { .outcome = VM_TIMEOUT, .first_initramfs = -1, .first_output = -1 };
        bool success_seen = false;
        int pipefd[2], r;
        double t0, deadline;

        if (!p->image || !p->vars)
                return -EINVAL;
        if (find_program("qemu-system-x86_64") < 0 || find_program("swtpm") < 0 ||
            access(p->ovmf_code ?: FIRMWARE_OVMF_CODE_SECBOOT, R_OK) < 0)
                return -ENOENT;
        if (access(p->image, R_OK) < 0)
                return -errno;

        if (streq_ptr(p->accel, "kvm"))
                res.kvm = true;
        else if (!p->accel || streq(p->accel, "auto"))
                res.kvm = vm_kvm_usable();
        else if (!streq(p->accel, "tcg"))
                return -EINVAL;

        (void) strscpy(run.dir, sizeof run.dir, "/tmp/mos-vm.XXXXXX");
        {
                const char *tmp = getenv("TMPDIR");
                if (tmp && strlen(tmp) < 40)
                        (void) snprintf(run.dir, sizeof run.dir, "%s/mos-vm.XXXXXX", tmp);
        }
        if (!mkdtemp(run.dir))
                return -errno;
        vars_copy = path_join(run.dir, "vars.fd");
        if (!vars_copy)
                return -ENOMEM;
        r = copy_file(p->vars, vars_copy, 0600);
        if (r < 0)
                goto finish;
        r = start_swtpm(&run, p, &sock);
        if (r < 0)
                goto finish;
        r = qemu_argv(p, &run, sock, res.kvm, &argv);
        if (r < 0)
                goto finish;
        if (p->log) {
                run.log = fopen(p->log, "we");
                if (!run.log) {
                        r = -errno;
                        goto finish;
                }
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                r = -errno;
                goto finish;
        }
        run.console = pipefd[0];

        (void) sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGINT, &sa, &old_int);
        (void) sigaction(SIGTERM, &sa, &old_term);
        interrupted = 0;

        t0 = now();
        r = spawn(argv, pipefd[1], &run.qemu);
        safe_close(pipefd[1]);
        if (r < 0)
                goto restore;
        deadline = t0 + (p->timeout_sec ? p->timeout_sec : 120);

        for (;;) {
                struct pollfd pfd = { .fd = run.console, .events = POLLIN };
                double left = deadline - now();
                char buf[4096];
                ssize_t n;
                int c;

                if (interrupted) {
                        r = -EINTR;
                        goto restore;
                }
                if (left <= 0) {
                        res.outcome = success_seen ? VM_SUCCESS : VM_TIMEOUT;
                        break;
                }
                c = poll(&pfd, 1, (int) MIN(left * 1000 + 1, 1000.0));
                if (c < 0 && errno != EINTR) {
                        r = -errno;
                        goto restore;
                }
                if (c <= 0)
                        continue;
                n = read(run.console, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        /* qemu closed the console: it exited. */
                        int status;
                        (void) waitpid(run.qemu, &status, 0);
                        run.qemu = 0;
                        res.outcome = success_seen ? VM_SUCCESS : VM_EXITED;
                        break;
                }
                c = console_feed(p, &run, line, &line_len, buf, (size_t) n, t0, &res);
                if (c < 0)
                        continue;
                if (c == VM_SUCCESS && p->keep_running) {
                        success_seen = true;
                        continue;
                }
                if (!success_seen) {
                        res.outcome = (VmOutcome) c;
                        break;
                }
        }
        res.seconds = now() - t0;
        stop_process(run.qemu);
        run.qemu = 0;
        stop_process(run.swtpm);
        run.swtpm = 0;

        if (p->persist) {
                _cleanup_free_ char *state = path_join(run.dir, "tpm");
                if (!state) {
                        r = -ENOMEM;
                        goto restore;
                }
                r = copy_file(vars_copy, p->vars, 0644);
                if (r >= 0 && p->tpm_state) {
                        (void) mkdir(p->tpm_state, 0700);
                        r = copy_dir_files(state, p->tpm_state);
                }
                if (r < 0)
                        goto restore;
        }
        r = 0;
        *ret = res;
restore:
        (void) sigaction(SIGINT, &old_int, NULL);
        (void) sigaction(SIGTERM, &old_term, NULL);
finish:
        run_done(&run);
        {
                _cleanup_free_ char *state = path_join(run.dir, "tpm");
                if (state && remove_dir_files(state) >= 0)
                        (void) rmdir(state);
                (void) remove_dir_files(run.dir);
                (void) rmdir(run.dir);
        }
        return r;
}
