/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "log.h"
#include "macro.h"
#include "string-util.h"

extern char **environ;

/* Runs in the child between fork() and execve(): only async-signal-safe calls. */
static _noreturn_ void child_exec(char *const argv[], char *const envp[], int out_fd) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        sigset_t none;
        int null_fd;

        for (int sig = 1; sig < NSIG; sig++)
                (void) sigaction(sig, &sa, NULL);
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) setsid();

        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0)
                _exit(127);
        if (out_fd < 0)
                out_fd = null_fd;
        /* dup2() clears O_CLOEXEC on the new descriptor, which is what 0, 1 and 2 need. When
         * out_fd already is 1 or 2, dup2 is a no-op that would keep the flag: clear it. */
        if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(out_fd, STDERR_FILENO) < 0)
                _exit(127);
        (void) fcntl(STDOUT_FILENO, F_SETFD, 0);
        (void) fcntl(STDERR_FILENO, F_SETFD, 0);

        execve(argv[0], argv, envp ? envp : environ);
        _exit(127);
}

int process_spawn(char *const argv[], char *const envp[], int out_fd, pid_t *ret_pid) {
        pid_t pid;

        if (!argv || !argv[0] || argv[0][0] != '/')
                return -EINVAL;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                child_exec(argv, envp, out_fd);

        log_debug("Started %s as process %d.", argv[0], (int) pid);
        *ret_pid = pid;
        return 0;
}

int process_run(char *const argv[], char *const envp[], size_t max_output, char **ret_output,
                int *ret_status) {
        _cleanup_close_ int rfd = -1, wfd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        int fds[2], status;
        pid_t pid;
        int r;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        rfd = fds[0];
        wfd = fds[1];

        buf = malloc(max_output + 1);
        if (!buf)
                return -ENOMEM;

        r = process_spawn(argv, envp, wfd, &pid);
        if (r < 0)
                return r;
        wfd = safe_close(wfd);

        for (;;) {
                char scratch[512];
                ssize_t k;

                if (n < max_output)
                        k = read(rfd, buf + n, max_output - n);
                else
                        k = read(rfd, scratch, sizeof(scratch));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                if (n < max_output)
                        n += (size_t) k;
        }
        buf[n] = '\0';

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;

        if (ret_output)
                *ret_output = TAKE_PTR(buf);
        *ret_status = status;
        return 0;
}

char *process_describe_status(int wait_status) {
        if (WIFEXITED(wait_status))
                return strprintf("exited with status %d", WEXITSTATUS(wait_status));
        if (WIFSIGNALED(wait_status)) {
                const char *abbrev = sigabbrev_np(WTERMSIG(wait_status));
                return strprintf("killed by signal %d (%s)", WTERMSIG(wait_status),
                                 abbrev ?: "unknown");
        }
        return strprintf("ended with wait status 0x%x", (unsigned) wait_status);
}
