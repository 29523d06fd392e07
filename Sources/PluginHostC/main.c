/* proctord-plugin-host-c: the plugin child for libraries that do not link the
 * Swift runtime, so such a child holds little more than libc and its plugin.
 * The agent picks it for them (see docs/plugin-abi.md, The process model);
 * it speaks the same frames as proctord-plugin-host (Sources/PluginHosting/IPC)
 * and does what its PluginProcess.serve does: loads one plugin, says hello
 * with its manifest, and relays between it and the agent over the socket on
 * --fd. The main thread is the plugin's control thread: it reads the agent's
 * frames and makes every call into the plugin, so a plugin stuck in a call
 * also stops answering pings, which is how the agent sees a hang. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "json_syntax.h"
#include "plugin_library.h"
#include "relay_output.h"
#include "relay_queue.h"

/* Frame kinds (Frame.Kind in Sources/PluginHosting/IPC/Frame.swift). */
enum {
    KIND_HELLO = 0x01, KIND_STARTED = 0x02, KIND_START_FAILED = 0x03, KIND_LOG = 0x05, KIND_RESPONSE = 0x07,
    KIND_PONG = 0x08, KIND_DROPPED = 0x09, KIND_STOPPED = 0x0A,
    KIND_START = 0x41, KIND_REQUEST = 0x42, KIND_PING = 0x43, KIND_STOP = 0x44,
};

/* Exit codes the agent reads (PluginProcess.ExitCode). */
enum { EXIT_CLEAN = 0, EXIT_START_FAILED = 3, EXIT_PROTOCOL_ERROR = 4, EXIT_PARENT_GONE = 5, EXIT_USAGE = 64 };

/* Frame.maximumLength: room for a 4 MiB response. */
#define MAXIMUM_FRAME (4u << 20)

static const char usage[] =
    "usage: proctord-plugin-host-c --library PATH [--fd N] [--parent PID]\n"
    "                              [--state-dir DIR] [--runtime-dir DIR] [--data-dir DIR]\n";

typedef struct {
    int fd;
    relay_queue *queue;
} writer_context;

static uint64_t monotonic_milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* Writes all bytes, waiting at most 30 s each time the socket buffer is full. */
static bool send_all(int fd, const uint8_t *bytes, size_t length) {
    size_t offset = 0;
    while (offset < length) {
        ssize_t n = send(fd, bytes + offset, length - offset, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            offset += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd poller = {.fd = fd, .events = POLLOUT};
            int ready = poll(&poller, 1, 30000);
            if (ready == 0 || (ready < 0 && errno != EINTR)) return false;
        } else if (!(n < 0 && errno == EINTR)) {
            return false;
        }
    }
    return true;
}

/* Sends what the queue holds, batching into as few writes as possible, and
 * tells the agent how many events were dropped, at most 4 times a second. */
static void *write_loop(void *argument) {
    writer_context *context = argument;
    byte_buffer buffer = {0};
    uint64_t dropped = 0, reported = 0, last_report = monotonic_milliseconds();
    while (relay_queue_take(context->queue, &buffer, &dropped)) {
        if (dropped != reported && monotonic_milliseconds() - last_report > 250) {
            uint8_t count[8];
            for (int i = 0; i < 8; i++) count[i] = (uint8_t)(dropped >> (8 * i));
            buffer_append_frame(&buffer, KIND_DROPPED, count, 8);
            reported = dropped;
            last_report = monotonic_milliseconds();
        }
        /* The agent stopped reading for 30 s or is gone: nobody to talk to. */
        if (!send_all(context->fd, buffer.data, buffer.length)) _exit(EXIT_PARENT_GONE);
    }
    buffer_free(&buffer);
    return NULL;
}

static relay_queue queue;
static pthread_t writer;

static void finish(int code) {
    relay_queue_close(&queue);
    pthread_join(writer, NULL);
    _exit(code);
}

static void push_text(uint8_t kind, const char *text) { relay_queue_push_control(&queue, kind, text, strlen(text)); }

static void push_log(const char *message) {
    byte_buffer payload = {0};
    buffer_append_byte(&payload, PROCTOR_LOG_ERROR);
    buffer_append_text(&payload, message);
    relay_queue_push_control(&queue, KIND_LOG, payload.data, payload.length);
    buffer_free(&payload);
}

/* {"error":{"code":...,"message":...}}, the protocol's form of a failed request. */
static void error_json(byte_buffer *out, const char *code, const char *message) {
    out->length = 0;
    buffer_append_text(out, "{\"error\":{\"code\":");
    buffer_append_json_string(out, code);
    buffer_append_text(out, ",\"message\":");
    buffer_append_json_string(out, message);
    buffer_append_text(out, "}}");
}

typedef struct {
    const plugin_library *library;
    relay_output *output;
    proctor_plugin_t *instance;
    bool started;
} plugin_state;

static const char *last_error(plugin_state *state) {
    return state->library->descriptor->last_error(state->instance);
}

/* Creates the instance (once) and starts it; on failure says why and exits. */
static void start(plugin_state *state, const char *config) {
    const proctor_plugin_descriptor_t *d = state->library->descriptor;
    char reason[4096];
    if (state->instance == NULL) {
        const char *error = NULL;
        state->instance = d->create(&state->output->host, config, &error);
        if (state->instance == NULL) {
            snprintf(reason, sizeof reason, "create refused the config: %s", error != NULL ? error : "no reason given");
            push_text(KIND_START_FAILED, reason);
            finish(EXIT_START_FAILED);
        }
    }
    if (d->start(state->instance) != PROCTOR_OK) {
        const char *error = last_error(state);
        snprintf(reason, sizeof reason, "%s", error != NULL ? error : "start failed without a reason");
        push_text(KIND_START_FAILED, reason);
        finish(EXIT_START_FAILED);
    }
    state->started = true;
    relay_queue_push_control(&queue, KIND_STARTED, NULL, 0);
}

static void answer(plugin_state *state, uint64_t id, const char *request) {
    const proctor_plugin_descriptor_t *d = state->library->descriptor;
    byte_buffer payload = {0};
    buffer_append_u64(&payload, id);
    byte_buffer text = {0};
    char message[512];
    if (state->instance == NULL) {
        snprintf(message, sizeof message, "plugin %s has not been created yet", state->library->id);
        error_json(&text, "not_running", message);
    } else if (d->request == NULL) {
        snprintf(message, sizeof message, "plugin %s takes no requests", state->library->id);
        error_json(&text, "unsupported", message);
    } else {
        const char *reply = d->request(state->instance, request);
        if (reply == NULL) {
            const char *error = last_error(state);
            error_json(&text, "failed", error != NULL ? error : "the request failed without a reason");
        } else if (!json_is_object((const uint8_t *)reply, strlen(reply), 64)) {
            snprintf(message, sizeof message, "plugin %s answered with something that is not a JSON object", state->library->id);
            error_json(&text, "bad_response", message);
        } else {
            buffer_append_text(&text, reply);
        }
    }
    /* The agent would take an oversized frame for a broken child and kill it. */
    if (text.length > MAXIMUM_FRAME - 16) {
        snprintf(message, sizeof message, "the answer of %zu bytes exceeds the %u MiB limit", text.length, MAXIMUM_FRAME >> 20);
        error_json(&text, "response_too_large", message);
    }
    buffer_append(&payload, text.data, text.length);
    relay_queue_push_control(&queue, KIND_RESPONSE, payload.data, payload.length);
    buffer_free(&text);
    buffer_free(&payload);
}

static _Noreturn void fail_usage(const char *message, const char *detail) {
    fprintf(stderr, "proctord-plugin-host-c: %s%s\n%s", message, detail, usage);
    exit(EXIT_USAGE);
}

static int number(const char *name, const char *text) {
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || *end != 0 || value < 0 || value > 0x7FFFFFFF) fail_usage(name, ": not a number");
    return (int)value;
}

int main(int argc, char **argv) {
    const char *library_path = NULL, *state_dir = "", *runtime_dir = "", *data_dir = "";
    int fd = 3, parent = 0;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (i + 1 >= argc) fail_usage(argument, strncmp(argument, "--", 2) == 0 ? " needs a value" : ": unknown argument");
        const char *value = argv[++i];
        if (strcmp(argument, "--library") == 0) library_path = value;
        else if (strcmp(argument, "--fd") == 0) fd = number(argument, value);
        else if (strcmp(argument, "--parent") == 0) parent = number(argument, value);
        else if (strcmp(argument, "--state-dir") == 0) state_dir = value;
        else if (strcmp(argument, "--runtime-dir") == 0) runtime_dir = value;
        else if (strcmp(argument, "--data-dir") == 0) data_dir = value;
        else fail_usage("unknown argument ", argument);
    }
    if (library_path == NULL) fail_usage("--library is required", "");

    /* Die with the agent even when stuck inside a plugin call. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(EXIT_PARENT_GONE);
    /* Keep the channel out of anything the plugin might spawn. */
    fcntl(fd, F_SETFD, FD_CLOEXEC);

    relay_queue_init(&queue);
    writer_context context = {.fd = fd, .queue = &queue};
    if (pthread_create(&writer, NULL, write_loop, &context) != 0) _exit(EXIT_START_FAILED);

    plugin_library library;
    byte_buffer text = {0};
    if (!plugin_library_open(library_path, &library, &text)) {
        relay_queue_push_control(&queue, KIND_START_FAILED, text.data, text.length);
        finish(EXIT_START_FAILED);
    }
    plugin_library_manifest_json(&library, &text);
    relay_queue_push_control(&queue, KIND_HELLO, text.data, text.length);
    buffer_free(&text);

    static relay_output output;
    relay_output_init(&output, &library, &queue, state_dir, runtime_dir, data_dir);
    plugin_state state = {.library = &library, .output = &output};

    byte_buffer pending = {0};
    size_t start_at = 0;
    uint8_t chunk[65536];
    for (;;) {
        /* The next whole frame, or more bytes. */
        size_t available = pending.length - start_at;
        uint32_t length = 0;
        if (available >= 4) {
            const uint8_t *p = pending.data + start_at;
            length = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
            if (length == 0 || length > MAXIMUM_FRAME) {
                char message[128];
                snprintf(message, sizeof message, "plugin-host: bad frame from parent: frame of %u bytes", length);
                push_log(message);
                finish(EXIT_PROTOCOL_ERROR);
            }
        }
        if (available < 4 || available < 4 + (size_t)length) {
            if (start_at > 0) {
                memmove(pending.data, pending.data + start_at, available);
                pending.length = available;
                start_at = 0;
            }
            ssize_t n = recv(fd, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) _exit(EXIT_PARENT_GONE);
            buffer_append(&pending, chunk, (size_t)n);
            continue;
        }
        uint8_t kind = pending.data[start_at + 4];
        /* The payload, NUL-terminated for the plugin's C strings (the buffer keeps a spare byte). */
        buffer_append_byte(&pending, 0);
        pending.length--;
        uint8_t *payload = pending.data + start_at + 5;
        size_t payload_length = length - 1;
        uint8_t saved = payload[payload_length];
        payload[payload_length] = 0;
        start_at += 4 + (size_t)length;
        switch (kind) {
        case KIND_START:
            start(&state, (const char *)payload);
            break;
        case KIND_REQUEST: {
            if (payload_length < 8) finish(EXIT_PROTOCOL_ERROR);
            uint64_t id = 0;
            for (int i = 0; i < 8; i++) id |= (uint64_t)payload[i] << (8 * i);
            answer(&state, id, (const char *)payload + 8);
            break;
        }
        case KIND_PING:
            relay_queue_push_control(&queue, KIND_PONG, payload, payload_length);
            break;
        case KIND_STOP:
            atomic_store(&output.stopped, true);
            if (state.started) library.descriptor->stop(state.instance);
            if (state.instance != NULL) library.descriptor->destroy(state.instance);
            relay_queue_push_control(&queue, KIND_STOPPED, NULL, 0);
            finish(EXIT_CLEAN);
            break;
        default: {
            char message[128];
            snprintf(message, sizeof message, "plugin-host: unexpected frame 0x%02x from parent", kind);
            push_log(message);
            finish(EXIT_PROTOCOL_ERROR);
        }
        }
        payload[payload_length] = saved;
    }
}
