#ifndef PROCTOR_SYSTEM_SHIM_H
#define PROCTOR_SYSTEM_SHIM_H

// What the system plugin needs from Linux that Swift cannot say cleanly:
// the netlink proc connector's packed structs, the V4L2 capability ioctl,
// an ELF file's build id and the CPU's hypervisor leaf.

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- Netlink proc connector (fork, exec and exit of every process) ----

typedef struct system_proc_connector system_proc_connector_t;

// Opens the connector and asks for process events; waits up to
// `ack_timeout_ms` for the kernel's answer. Returns NULL and writes why into
// `why` when it is not permitted (it needs CAP_NET_ADMIN in the initial user
// namespace) or not available.
system_proc_connector_t *system_proc_connector_open(int ack_timeout_ms, char *why, size_t why_size);

typedef enum {
    SYSTEM_PROC_NONE = 0,     // timeout, woken, or an event of no interest
    SYSTEM_PROC_EXEC = 1,     // pid started a new program
    SYSTEM_PROC_EXIT = 2,     // pid (a whole process, not a thread) ended
    SYSTEM_PROC_OVERRUN = 3,  // the socket's buffer overflowed: events were lost, rescan
    SYSTEM_PROC_ERROR = 4,    // the socket failed; see errno
    SYSTEM_PROC_WOKEN = 5,    // system_proc_connector_wake was called
    SYSTEM_PROC_FORK = 6,     // pid is a new process (not a thread) forked by parent
} system_proc_kind_t;

typedef struct {
    system_proc_kind_t kind;
    int32_t pid;
    int32_t parent;  // SYSTEM_PROC_FORK: the parent's process id (tgid); else 0
} system_proc_event_t;

// Waits up to `timeout_ms` (-1: no limit) for the next event of interest and
// fills at most `capacity` events; returns how many (0 on timeout).
int system_proc_connector_read(system_proc_connector_t *c, int timeout_ms, system_proc_event_t *events, int capacity);

// Makes a blocked read return SYSTEM_PROC_WOKEN; safe from any thread.
void system_proc_connector_wake(system_proc_connector_t *c);

void system_proc_connector_close(system_proc_connector_t *c);

// ---- V4L2 ----

typedef struct {
    char driver[17];
    char card[33];
    char bus_info[33];
    uint32_t device_caps;  // the node's; the whole device's when the driver gives no node's
} system_v4l2_caps_t;

// VIDIOC_QUERYCAP on `path`, opened non-blocking and read-only (no stream is
// started). Returns 0, or an errno value.
int system_v4l2_query(const char *path, system_v4l2_caps_t *out);

// ---- ELF and CPU ----

// The GNU build id of the ELF file at `path` as lowercase hex into `hex`
// (at least 2 * 64 + 1 bytes). Returns its length in bytes, 0 when it has none.
int system_elf_build_id(const char *path, char *hex, size_t hex_size);

// The hypervisor vendor from CPUID leaf 0x40000000 (eg "KVMKVMKVM") when the
// CPU's hypervisor bit is set; 0 when not set or not x86. `vendor` needs 13 bytes.
int system_cpuid_hypervisor(char vendor[13]);

#ifdef __cplusplus
}
#endif
#endif
