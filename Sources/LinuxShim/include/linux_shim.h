/* Linux calls the Swift Glibc module does not expose (they need _GNU_SOURCE
 * or headers it leaves out), wrapped one per function. */
#ifndef PROCTORD_LINUX_SHIM_H
#define PROCTORD_LINUX_SHIM_H

/* Asks the kernel to send `signal` to this process when the thread that
 * created it exits. Returns 0, or -1 with errno set. */
int linux_set_parent_death_signal(int signal);

/* pipe2(fds, O_CLOEXEC). Returns 0, or -1 with errno set. */
int linux_pipe_cloexec(int fds[2]);

/* Writes a whole line to stderr in one write(2), so lines from several
 * threads and processes never interleave. */
void linux_write_stderr(const char *text, unsigned long length);

/* The uid of the process at the other end of a connected Unix socket
 * (SO_PEERCRED). Returns 0 and sets *uid, or -1 with errno set. */
int linux_peer_uid(int fd, unsigned int *uid);

/* Whether child `pid` has exited, without reaping it (waitid with WNOWAIT),
 * so its pid stays reserved until the caller reaps it. Returns 1 (exited or
 * already reaped), 0 (running), or -1 with errno set. */
int linux_child_has_exited(int pid);

/* Waits until child `pid` has exited, without reaping it (WNOWAIT).
 * Returns 0, or -1 with errno set (ECHILD: no such child, or reaped). */
int linux_wait_for_child_exit(int pid);

#endif
