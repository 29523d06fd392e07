/* Linux calls the Swift Glibc module does not expose (they need _GNU_SOURCE
 * or headers it leaves out), wrapped one per function. */
#ifndef PROCTORD_LINUX_SHIM_H
#define PROCTORD_LINUX_SHIM_H

/* Asks the kernel to send `signal` to this process when the thread that
 * created it exits. Returns 0, or -1 with errno set. */
int linux_set_parent_death_signal(int signal);

/* Names the calling thread (the first 15 bytes), as `top -H` shows it. */
int linux_set_thread_name(const char *name);

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

/* A descriptor that becomes readable (poll POLLIN) when process `pid`
 * exits, and stays so (pidfd_open(2), Linux 5.3); close-on-exec. Returns the
 * descriptor, or -1 with errno set (ENOSYS on an older kernel). */
int linux_pidfd_open(int pid);

/* The uid owning the TCP socket whose local end is local:local_port and
 * remote end remote:remote_port, asked of the kernel through netlink
 * NETLINK_SOCK_DIAG by that exact address pair. `family` is AF_INET (4-byte
 * addresses) or AF_INET6 (16 bytes); ports in host order. Returns 0 and sets
 * *uid; 1 when the kernel holds no such socket; -1 with errno set when
 * netlink cannot be used (the caller may fall back to /proc/net/tcp). */
int linux_tcp_socket_owner(int family, const unsigned char *local, int local_port,
                           const unsigned char *remote, int remote_port, unsigned int *uid);

/* Whether the ELF shared library at `path` names a library starting with
 * `prefix` (eg "libswiftCore.so") among its DT_NEEDED entries, read from the
 * file without loading it. Returns 1 or 0, or -1 when the file cannot be read
 * or is not a 64-bit ELF file. */
int linux_elf_needs_library(const char *path, const char *prefix);

#endif
