#define _GNU_SOURCE
#include "system_shim.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/cn_proc.h>
#include <linux/filter.h>
#include <linux/connector.h>
#include <linux/netlink.h>

struct system_proc_connector {
    int sock;
    int wake;
};

// The listen request: a netlink header, a connector header and the operation,
// packed as the kernel reads them.
struct __attribute__((aligned(NLMSG_ALIGNTO))) listen_message {
    struct nlmsghdr header;
    struct __attribute__((__packed__)) {
        struct cn_msg connector;
        enum proc_cn_mcast_op op;
    } body;
};

static int send_op(int sock, enum proc_cn_mcast_op op) {
    struct listen_message message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_pid = 0;
    message.header.nlmsg_type = NLMSG_DONE;
    message.body.connector.id.idx = CN_IDX_PROC;
    message.body.connector.id.val = CN_VAL_PROC;
    message.body.connector.len = sizeof(enum proc_cn_mcast_op);
    message.body.op = op;
    return send(sock, &message, sizeof message, 0) < 0 ? -1 : 0;
}

// One datagram's proc events into `events`; the ack of our listen request
// is returned through `ack` (its errno, or -1 when none came).
static int parse(const char *buffer, ssize_t length, system_proc_event_t *events, int capacity, int *ack) {
    int count = 0;
    for (const struct nlmsghdr *header = (const struct nlmsghdr *)buffer; NLMSG_OK(header, (size_t)length);
         header = NLMSG_NEXT(header, length)) {
        if (header->nlmsg_type == NLMSG_ERROR || header->nlmsg_type == NLMSG_NOOP) continue;
        const struct cn_msg *message = NLMSG_DATA(header);
        if (message->id.idx != CN_IDX_PROC || message->id.val != CN_VAL_PROC) continue;
        const struct proc_event *event = (const struct proc_event *)message->data;
        if (event->what == PROC_EVENT_NONE) {
            if (ack) *ack = (int)event->event_data.ack.err;
        } else if (event->what == PROC_EVENT_EXEC && count < capacity) {
            events[count++] = (system_proc_event_t){SYSTEM_PROC_EXEC, event->event_data.exec.process_tgid, 0};
        } else if (event->what == PROC_EVENT_EXIT && count < capacity &&
                   event->event_data.exit.process_pid == event->event_data.exit.process_tgid) {
            events[count++] = (system_proc_event_t){SYSTEM_PROC_EXIT, event->event_data.exit.process_tgid, 0};
        } else if (event->what == PROC_EVENT_FORK && count < capacity &&
                   event->event_data.fork.child_pid == event->event_data.fork.child_tgid) {
            events[count++] = (system_proc_event_t){SYSTEM_PROC_FORK, event->event_data.fork.child_tgid,
                                                    event->event_data.fork.parent_tgid};
        }
    }
    return count;
}

// Where a field of the proc event lies in a datagram: after the netlink
// header (16 bytes) and the connector header (20). In the event: what (4),
// cpu (4), timestamp (8), then the union (exec and exit: pid, tgid; fork:
// parent pid, parent tgid, child pid, child tgid).
#define EVENT_AT(field) ((uint32_t)(NLMSG_HDRLEN + sizeof(struct cn_msg) + offsetof(struct proc_event, field)))
enum {
    WHAT_AT = EVENT_AT(what),
    EXIT_PID_AT = EVENT_AT(event_data.exit.process_pid),
    EXIT_TGID_AT = EVENT_AT(event_data.exit.process_tgid),
    CHILD_PID_AT = EVENT_AT(event_data.fork.child_pid),
    CHILD_TGID_AT = EVENT_AT(event_data.fork.child_tgid),
};
_Static_assert(WHAT_AT == 36 && EXIT_PID_AT == 52 && EXIT_TGID_AT == 56 && CHILD_PID_AT == 60 && CHILD_TGID_AT == 64,
               "proc event offsets differ from linux/cn_proc.h as the filter was written");

// Keeps only what the plugin reads (exec, the exit of a whole process, the
// fork of a new process, the ack) so that the kernel drops thread starts and
// ends and the rest before they wake the plugin. Forks are needed for a
// catalogued program that daemonizes (forks, and the parent exits): its
// child never execs. Classic BPF loads words big-endian, hence htonl on the
// constants; jump offsets count from the next instruction.
static int attach_filter(int sock) {
    enum { ACCEPT = 13, DROP = 14 };
    struct sock_filter code[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, WHAT_AT),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXEC), ACCEPT - 2, 0),
        /* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_NONE), ACCEPT - 3, 0),
        /* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXIT), 0, 8 - 4),
        // An exit: only when pid == tgid (the process, not one of its threads).
        /* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EXIT_TGID_AT),
        /* 5 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
        /* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, EXIT_PID_AT),
        /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, ACCEPT - 8, DROP - 8),
        // A fork: only when child pid == child tgid (a new process, not a thread).
        /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_FORK), 0, DROP - 9),
        /* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, CHILD_TGID_AT),
        /* 10 */ BPF_STMT(BPF_MISC | BPF_TAX, 0),
        /* 11 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, CHILD_PID_AT),
        /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, ACCEPT - 13, DROP - 13),
        /* 13 ACCEPT */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
        /* 14 DROP */ BPF_STMT(BPF_RET | BPF_K, 0),
    };
    _Static_assert(sizeof code / sizeof code[0] == DROP + 1, "ACCEPT and DROP must be the last two instructions");
    struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
    return setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program);
}

system_proc_connector_t *system_proc_connector_open(int ack_timeout_ms, char *why, size_t why_size) {
    int sock = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
    if (sock < 0) {
        snprintf(why, why_size, "netlink connector socket: %s", strerror(errno));
        return NULL;
    }
    // A larger buffer so a burst of short-lived processes does not overrun it.
    int size = 1 << 20;
    setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    // Without the filter everything still works, only with more wake-ups.
    (void)attach_filter(sock);
    struct sockaddr_nl address = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0};
    if (bind(sock, (struct sockaddr *)&address, sizeof address) < 0) {
        snprintf(why, why_size, "netlink connector bind: %s", strerror(errno));
        close(sock);
        return NULL;
    }
    if (send_op(sock, PROC_CN_MCAST_LISTEN) < 0) {
        snprintf(why, why_size, "netlink connector listen: %s", strerror(errno));
        close(sock);
        return NULL;
    }
    // The kernel answers the request with an ack carrying its errno (EPERM
    // without CAP_NET_ADMIN); events may come before it.
    int ack = -1;
    struct pollfd poller = {.fd = sock, .events = POLLIN};
    char buffer[8192];
    int waited = 0;
    while (ack < 0 && waited <= ack_timeout_ms) {
        int ready = poll(&poller, 1, 50);
        waited += 50;
        if (ready <= 0) continue;
        ssize_t length;
        while ((length = recv(sock, buffer, sizeof buffer, 0)) > 0) {
            system_proc_event_t ignored[64];
            parse(buffer, length, ignored, 64, &ack);
        }
    }
    if (ack != 0) {
        if (ack < 0) snprintf(why, why_size, "the kernel did not answer the proc connector's listen request");
        else snprintf(why, why_size, "proc connector refused: %s (it needs CAP_NET_ADMIN)", strerror(ack));
        close(sock);
        return NULL;
    }
    system_proc_connector_t *c = calloc(1, sizeof *c);
    c->sock = sock;
    c->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return c;
}

int system_proc_connector_read(system_proc_connector_t *c, int timeout_ms, system_proc_event_t *events, int capacity) {
    struct pollfd pollers[2] = {{.fd = c->sock, .events = POLLIN}, {.fd = c->wake, .events = POLLIN}};
    int ready = poll(pollers, 2, timeout_ms);
    if (ready < 0) {
        if (errno == EINTR) return 0;
        events[0] = (system_proc_event_t){SYSTEM_PROC_ERROR, 0};
        return 1;
    }
    if (pollers[1].revents & POLLIN) {
        uint64_t value;
        (void)!read(c->wake, &value, sizeof value);
        events[0] = (system_proc_event_t){SYSTEM_PROC_WOKEN, 0};
        return 1;
    }
    if (!(pollers[0].revents & (POLLIN | POLLERR))) return 0;
    int count = 0;
    char buffer[16384];
    while (count < capacity) {
        ssize_t length = recv(c->sock, buffer, sizeof buffer, 0);
        if (length < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
            events[count++] = (system_proc_event_t){errno == ENOBUFS ? SYSTEM_PROC_OVERRUN : SYSTEM_PROC_ERROR, 0};
            break;
        }
        // Leave room so one datagram never overflows `events`.
        if (capacity - count < 64) {
            count += parse(buffer, length, events + count, capacity - count, NULL);
            break;
        }
        count += parse(buffer, length, events + count, capacity - count, NULL);
    }
    return count;
}

void system_proc_connector_wake(system_proc_connector_t *c) {
    uint64_t one = 1;
    (void)!write(c->wake, &one, sizeof one);
}

void system_proc_connector_close(system_proc_connector_t *c) {
    if (!c) return;
    send_op(c->sock, PROC_CN_MCAST_IGNORE);
    close(c->sock);
    close(c->wake);
    free(c);
}
