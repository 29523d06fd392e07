/*
 * proctor_plugin.h — the proctord plugin ABI, version 1.0.
 *
 * This one header is all a plugin author needs. A plugin is a shared library
 * that exports one function, `proctor_plugin_entry_v1`, and returns from it a
 * descriptor: who the plugin is, what configuration it accepts, and the
 * functions the host calls to run it. The plugin talks back to the host through
 * the `proctor_host_t` it receives at creation.
 *
 * Rules that hold for everything below:
 *
 *  - Only C types cross this boundary. Strings are NUL-terminated UTF-8.
 *    Configuration, requests, responses and event payloads are JSON texts.
 *  - The side that returns a pointer owns it. The other side copies what it
 *    wants to keep before the documented end of the pointer's life.
 *  - Every struct starts with `struct_size` and is append-only: fields are never
 *    removed, inserted or reordered. A reader checks `struct_size` before it
 *    reads a field that a later minor version appended (PROCTOR_HAS_FIELD).
 *  - Compatibility: the host loads a plugin when the majors are equal and the
 *    plugin's minor is not greater than the host's minor. A new major renames
 *    the entry symbol, so a host never calls into a plugin it cannot speak to.
 *  - No exception, longjmp or Swift/C++ error may unwind across a call.
 *  - Thread rules are written on every function: [any-thread] may be called
 *    from any thread at any time; [control-thread] is called by the host from
 *    one thread, never concurrently with another [control-thread] call on the
 *    same instance.
 *
 * The process model: proctord runs each plugin in a child process that loads
 * only that plugin. A crash takes down that child, never the agent. Plugins
 * still must not rely on this: they are also loaded in-process for replays,
 * debugging and benchmarks. The host never unloads (dlclose) a plugin.
 */
#ifndef PROCTOR_PLUGIN_H
#define PROCTOR_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

/* The ABI this header describes. A host or plugin built from it speaks 1.0. */
#define PROCTOR_ABI_MAJOR 1
#define PROCTOR_ABI_MINOR 0

/* The entry symbol's name carries the major: "proctor_plugin_entry_v1". */
#define PROCTOR_ENTRY_SYMBOL "proctor_plugin_entry_v1"

/* Marks the entry symbol as exported from the shared library. */
#if defined(__GNUC__) || defined(__clang__)
#define PROCTOR_EXPORT __attribute__((visibility("default")))
#else
#define PROCTOR_EXPORT
#endif

/* True when `ptr`, a struct that starts with struct_size, is large enough to
 * hold `field`. Use it before reading any field added after minor 0.
 * eg: if (PROCTOR_HAS_FIELD(desc, proctor_plugin_descriptor_t, new_fn)) ... */
#define PROCTOR_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ------------------------------------------------------------ status codes */

typedef int32_t proctor_status_t;

#define PROCTOR_OK 0           /* done */
#define PROCTOR_ERROR (-1)     /* failed; the plugin's last_error says why */
#define PROCTOR_DROPPED (-2)   /* emit: the host's queue was full, event dropped */
#define PROCTOR_INVALID (-3)   /* an argument was malformed (bad topic, bad JSON) */
#define PROCTOR_STOPPED (-4)   /* emit: the host is shutting the plugin down */

/* ------------------------------------------------------------- log levels */

/* Syslog severities, so logs reach the journal with the right priority. */
#define PROCTOR_LOG_ERROR 3
#define PROCTOR_LOG_WARNING 4
#define PROCTOR_LOG_NOTICE 5
#define PROCTOR_LOG_INFO 6
#define PROCTOR_LOG_DEBUG 7

/* ----------------------------------------------------------------- health */

/* What a running plugin tells the host about its ability to do its job. The
 * host publishes changes as `plugin.state` events with the reason. */
#define PROCTOR_HEALTH_RUNNING 0  /* working as configured */
#define PROCTOR_HEALTH_DEGRADED 1 /* running, but blind to something: say what */

/* ------------------------------------------------------------------- host */

typedef struct proctor_host proctor_host_t;

/* What the host gives a plugin instance at creation. Owned by the host and
 * valid until the instance is destroyed. */
struct proctor_host {
    uint32_t struct_size; /* sizeof(proctor_host_t) as the host was built */
    uint32_t abi_major;   /* the host's PROCTOR_ABI_MAJOR */
    uint32_t abi_minor;   /* the host's PROCTOR_ABI_MINOR */
    const char *name;     /* eg: "proctord" */
    const char *version;  /* eg: "0.1.0" */
    void *context;        /* the host's own; pass the host back, never touch this */

    /* [any-thread, non-blocking] Publishes an event.
     * topic: dotted lowercase words, eg: "heartbeat.tick" (1..64 bytes of
     *        [a-z0-9_], words separated by single dots).
     * data_json: one JSON object, the event's "data"; at most 256 KiB.
     * Both are copied before the call returns. Returns PROCTOR_OK, or
     * PROCTOR_DROPPED when the host's queue is full (the host counts drops and
     * reports them; do not retry in a loop), PROCTOR_INVALID for a bad topic or
     * payload, PROCTOR_STOPPED once the instance is being stopped. */
    proctor_status_t (*emit)(const proctor_host_t *host, const char *topic,
                             const char *data_json);

    /* [any-thread, non-blocking] Writes one line to the agent's log.
     * level: a PROCTOR_LOG_* severity. message: copied; newlines are escaped. */
    void (*log)(const proctor_host_t *host, int32_t level, const char *message);

    /* [any-thread, non-blocking] Tells the host whether the plugin can do its
     * job. health: PROCTOR_HEALTH_*. reason: copied; what the plugin cannot
     * see and why, eg: "no X display: DISPLAY is not set". NULL when running. */
    void (*report_health)(const proctor_host_t *host, int32_t health,
                          const char *reason);

    /* [any-thread] Looks up an optional host extension by id, eg:
     * PROCTOR_HOST_EXT_PATHS. Returns NULL when the host does not offer it.
     * The result is owned by the host and lives as long as the instance. */
    const void *(*get_extension)(const proctor_host_t *host, const char *id);
};

/* ----------------------------------------------------------------- plugin */

/* An instance of a plugin; its layout is the plugin's own business. */
typedef struct proctor_plugin proctor_plugin_t;

typedef struct proctor_plugin_descriptor proctor_plugin_descriptor_t;

/* Who the plugin is and how to run it. Owned by the plugin, static, valid for
 * the life of the process. */
struct proctor_plugin_descriptor {
    uint32_t struct_size; /* sizeof(proctor_plugin_descriptor_t) as the plugin was built */
    uint32_t abi_major;   /* the PROCTOR_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;   /* the PROCTOR_ABI_MINOR the plugin was built with */

    const char *id;          /* stable, [a-z0-9_-]+, eg: "heartbeat" */
    const char *name;        /* for people, eg: "Heartbeat" */
    const char *version;     /* the plugin's own version, eg: "1.2.0" */
    const char *description; /* one sentence: what it watches */

    /* NULL-terminated list of capability names, eg: {"requests", NULL}.
     * Known: "requests" (answers `request`), "file-source" (offers the
     * PROCTOR_EXT_FILE_SOURCE extension for replays). Unknown names are kept
     * and shown, never refused. */
    const char *const *capabilities;

    /* NULL-terminated list of the event topics the plugin may emit, eg:
     * {"heartbeat.tick", NULL}. Shown to the interviewee as what is shared. */
    const char *const *topics;

    /* A JSON Schema (draft 2020-12 subset: type, properties, required,
     * additionalProperties, items, enum, const, minimum, maximum,
     * exclusiveMinimum, exclusiveMaximum, minLength, maxLength, minItems,
     * maxItems, pattern, default, description) for the plugin's config. The host
     * validates every config against it before it creates an instance. */
    const char *config_schema;

    /* [control-thread] Creates an instance from its config: a compact JSON object
     * that already passed config_schema, with every missing property that has a
     * "default" in the schema filled in. Must not start threads or touch devices.
     * host: valid until destroy. On failure returns NULL and sets *error to a
     * message owned by the plugin that stays valid until the next call into
     * this descriptor. */
    proctor_plugin_t *(*create)(const proctor_host_t *host, const char *config_json,
                                const char **error);

    /* [control-thread] Starts watching: may open devices and spawn the plugin's
     * own threads. Returns PROCTOR_OK, or PROCTOR_ERROR with last_error set.
     * A plugin that can run but not see everything returns PROCTOR_OK and
     * reports PROCTOR_HEALTH_DEGRADED instead. */
    proctor_status_t (*start)(proctor_plugin_t *plugin);

    /* [control-thread] Stops watching: joins every thread start spawned. After
     * it returns, the plugin must not call `emit`. start may be called again. */
    void (*stop)(proctor_plugin_t *plugin);

    /* [control-thread] Frees the instance. Called after stop (or instead of
     * start when the instance never started). */
    void (*destroy)(proctor_plugin_t *plugin);

    /* [control-thread] Answers a request from the call page or the host.
     * request_json: compact JSON (no insignificant whitespace) with "method"
     * as the first key, eg: {"method":"ping","params":{"echo":1}}; "params" is
     * present only when the caller sent some.
     * Returns a JSON object owned by the plugin, valid until the next call on
     * this instance: {"result": ...} on success, or
     * {"error": {"code": "unknown_method", "message": "..."}}. Returning NULL
     * means failure with last_error set. May be NULL when the plugin has no
     * "requests" capability. Runs between start and stop, and between create
     * and start. Keep it short: the host treats a call that takes longer than
     * its hang timeout (default 5 s) as a hung plugin. */
    const char *(*request)(proctor_plugin_t *plugin, const char *request_json);

    /* [control-thread] The message of the last failure on this instance, or
     * NULL. Owned by the plugin, valid until the next call on the instance. */
    const char *(*last_error)(const proctor_plugin_t *plugin);

    /* [control-thread] Looks up an optional plugin extension by id, eg:
     * PROCTOR_EXT_FILE_SOURCE. Returns NULL when not offered. The result is
     * owned by the plugin and lives as long as the instance. May be NULL. */
    const void *(*get_extension)(proctor_plugin_t *plugin, const char *id);
};

/* ------------------------------------------------------------------ entry */

/* The one symbol a plugin exports. The host passes the ABI it speaks; the
 * plugin returns its descriptor, or NULL when it cannot run under that host
 * (plugin minor greater than host_minor). Safe to call more than once; must not
 * allocate per call or start anything. [any-thread] */
typedef const proctor_plugin_descriptor_t *(*proctor_plugin_entry_fn)(
    uint32_t host_abi_major, uint32_t host_abi_minor);

PROCTOR_EXPORT const proctor_plugin_descriptor_t *proctor_plugin_entry_v1(
    uint32_t host_abi_major, uint32_t host_abi_minor);

/* ------------------------------------------------------ plugin extensions */

/* "file-source": the plugin can run on a recorded file instead of a live
 * device, as `proctord replay PLUGIN --source FILE` does. */
#define PROCTOR_EXT_FILE_SOURCE "proctor.file-source/1"

typedef struct proctor_file_source {
    uint32_t struct_size; /* sizeof(proctor_file_source_t) as the plugin was built */

    /* [control-thread] Processes the whole file synchronously on the calling
     * thread, emitting events through the host as it goes, and returns when the
     * file ends: PROCTOR_OK, or PROCTOR_ERROR with last_error set. Called
     * between create and destroy, never while started.
     * path: the file. options_json: a JSON object of replay options, eg:
     * {"every": 3} to process every third frame; unknown keys are ignored. */
    proctor_status_t (*replay)(proctor_plugin_t *plugin, const char *path,
                               const char *options_json);
} proctor_file_source_t;

/* -------------------------------------------------------- host extensions */

/* Where the agent keeps things, so plugins never guess. */
#define PROCTOR_HOST_EXT_PATHS "proctor.host.paths/1"

typedef struct proctor_host_paths {
    uint32_t struct_size;    /* sizeof(proctor_host_paths_t) as the host was built */
    const char *state_dir;   /* sessions and logs, eg: ~/.local/state/proctord */
    const char *runtime_dir; /* sockets and secrets, eg: /run/user/1000/proctord */
    const char *data_dir;    /* read-only models and assets the agent ships */
} proctor_host_paths_t;

#ifdef __cplusplus
}
#endif

#endif /* PROCTOR_PLUGIN_H */
