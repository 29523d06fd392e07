/* One TCP socket's owner through the kernel's socket diagnostics (netlink
 * NETLINK_SOCK_DIAG, the interface `ss` uses), found by its exact address
 * pair: a lookup costs the same whether the machine holds ten sockets or
 * ten thousand, unlike reading /proc/net/tcp. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "linux_shim.h"

static int same_address(int family, const __be32 *kernel, const unsigned char *ours) {
    return memcmp(kernel, ours, family == AF_INET ? 4 : 16) == 0;
}

static int read_owner(const long *answer, ssize_t length, int family, const unsigned char *local, int local_port,
                      const unsigned char *remote, int remote_port, unsigned int *uid);

int linux_tcp_socket_owner(int family, const unsigned char *local, int local_port,
                           const unsigned char *remote, int remote_port, unsigned int *uid) {
    if (family != AF_INET && family != AF_INET6) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    /* One netlink socket per thread, kept: a lookup runs for every accepted
     * connection, and opening a socket each time cost as much as the lookup. */
    static __thread int fd = -1;
    if (fd < 0) {
        fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0) return -1;
        /* The kernel answers at once; the timeout only guards against a kernel
         * (or a seccomp filter) that swallows the request. */
        struct timeval timeout = { .tv_sec = 1, .tv_usec = 0 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    /* Each request carries its own sequence number, so an answer left over
     * from a lookup that timed out is told apart and skipped. */
    static __thread unsigned int sequence = 0;
    sequence++;

    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST; /* no NLM_F_DUMP: one exact socket */
    message.header.nlmsg_seq = sequence;
    message.request.sdiag_family = (unsigned char)family;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = ~0u;
    message.request.id.idiag_sport = htons((unsigned short)local_port);
    message.request.id.idiag_dport = htons((unsigned short)remote_port);
    memcpy(message.request.id.idiag_src, local, family == AF_INET ? 4 : 16);
    memcpy(message.request.id.idiag_dst, remote, family == AF_INET ? 4 : 16);
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        int saved = errno;
        close(fd);
        fd = -1;
        errno = saved;
        return -1;
    }

    long answer[2048]; /* long-aligned, as netlink messages are */
    for (;;) {
        ssize_t length;
        do {
            length = recv(fd, answer, sizeof answer, 0);
        } while (length < 0 && errno == EINTR);
        if (length < 0) {
            int saved = errno;
            close(fd); /* start afresh next time: nothing stale can remain */
            fd = -1;
            errno = saved;
            return -1;
        }
        struct nlmsghdr *first = (struct nlmsghdr *)answer;
        if (NLMSG_OK(first, (size_t)length) && first->nlmsg_seq != sequence) continue; /* a late answer */
        return read_owner(answer, length, family, local, local_port, remote, remote_port, uid);
    }
}

/* The owner in the kernel's answer to one exact lookup. */
static int read_owner(const long *answer, ssize_t length, int family, const unsigned char *local, int local_port,
                      const unsigned char *remote, int remote_port, unsigned int *uid) {
    for (const struct nlmsghdr *header = (const struct nlmsghdr *)answer; NLMSG_OK(header, (size_t)length);
         header = NLMSG_NEXT(header, length)) {
        if (header->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *error = NLMSG_DATA(header);
            if (error->error == -ENOENT) return 1;
            errno = -error->error;
            return -1;
        }
        if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
        const struct inet_diag_msg *found = NLMSG_DATA(header);
        /* An exact lookup that finds no connected socket may fall back to a
         * listener on the same port: only the very socket counts. */
        if (found->idiag_state == TCP_LISTEN || ntohs(found->id.idiag_sport) != local_port ||
            ntohs(found->id.idiag_dport) != remote_port || !same_address(family, found->id.idiag_src, local) ||
            !same_address(family, found->id.idiag_dst, remote))
            return 1;
        *uid = found->idiag_uid;
        return 0;
    }
    return 1;
}
