/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Starting programs: fork + execve of an explicit argv, never a shell.
 *
 * The child gets an empty signal mask and default dispositions (the supervisor blocks SIGCHLD,
 * SIGTERM and SIGINT for its signalfd; a child must not inherit that), its own session (so a
 * terminal's ^C reaches mosd only), stdin on /dev/null and stdout + stderr on out_fd (or
 * /dev/null when out_fd < 0). Every other fd is O_CLOEXEC by project rule. */

#include <stddef.h>
#include <sys/types.h>

/* Starts argv[0] (an absolute path) with envp (NULL: the caller's environment) and returns its
 * pid; the caller reaps it. An exec failure shows up as exit status 127 of the child. */
int process_spawn(char *const argv[], char *const envp[], int out_fd, pid_t *ret_pid);

/* Runs argv to completion (waitpid on its own pid only, so a supervisor's reaping loop is not
 * disturbed), collecting up to max_output bytes of its stdout + stderr into *ret_output (may be
 * NULL; the rest is read and dropped). *ret_status gets the waitpid() status. Returns 0 when the
 * program ran, whatever its exit status, and -errno when it could not be started or waited for. */
int process_run(char *const argv[], char *const envp[], size_t max_output, char **ret_output,
                int *ret_status);

/* "exited with status 3", "killed by signal 9 (KILL)" for a waitpid() status. */
char *process_describe_status(int wait_status);
