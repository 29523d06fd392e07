#include "relay_output.h"

#include <stdlib.h>
#include <string.h>

#include "json_syntax.h"
#include "version.h"

/* As EmitCheck.maximumDataBytes. */
#define MAXIMUM_DATA_BYTES (256u << 10)
#define KIND_EVENT 0x04
#define KIND_LOG 0x05

static relay_output *output_of(const proctor_host_t *host) { return (relay_output *)host; }

/* Cuts `text` to at most `limit` bytes without splitting a UTF-8 sequence. */
static size_t utf8_prefix(const char *text, size_t limit) {
    size_t length = strlen(text);
    if (length <= limit) return length;
    while (limit > 0 && ((unsigned char)text[limit] & 0xC0) == 0x80) limit--;
    return limit;
}

static proctor_status_t emit(const proctor_host_t *host, const char *topic, const char *data) {
    if (host == NULL || topic == NULL || data == NULL) return PROCTOR_INVALID;
    relay_output *output = output_of(host);
    if (atomic_load_explicit(&output->stopped, memory_order_relaxed)) return PROCTOR_STOPPED;
    size_t topic_length = strlen(topic), data_length = strlen(data);
    if (!topic_is_valid(topic, topic_length) || !plugin_library_declares(output->library, topic, topic_length)
        || data_length > MAXIMUM_DATA_BYTES || !json_is_object((const uint8_t *)data, data_length, 64)) {
        return PROCTOR_INVALID;
    }
    uint8_t head[1 + 64];
    head[0] = (uint8_t)topic_length;
    memcpy(head + 1, topic, topic_length);
    bool queued = relay_queue_push_event(output->queue, KIND_EVENT, head, 1 + topic_length, data, data_length);
    return queued ? PROCTOR_OK : PROCTOR_DROPPED;
}

static void log_line(const proctor_host_t *host, int32_t level, const char *message) {
    if (host == NULL || message == NULL) return;
    uint8_t severity = level < 0 ? 0 : level > 255 ? 255 : (uint8_t)level;
    relay_queue_push_event(output_of(host)->queue, KIND_LOG, &severity, 1, message, utf8_prefix(message, 4096));
}

/* Only changes reach the agent, so a plugin repeating itself costs nothing. */
static void report_health(const proctor_host_t *host, int32_t health, const char *reason) {
    if (host == NULL) return;
    relay_output *output = output_of(host);
    bool degraded = health != PROCTOR_HEALTH_RUNNING;
    const char *text = degraded ? (reason != NULL ? reason : "degraded") : "";
    pthread_mutex_lock(&output->health_lock);
    bool same = output->health_reported && output->last_degraded == degraded
        && (!degraded || strcmp(output->last_reason, text) == 0);
    if (!same) {
        free(output->last_reason);
        output->last_reason = strdup(text);
        output->last_degraded = degraded;
        output->health_reported = true;
        relay_queue_set_health(output->queue, degraded ? PROCTOR_HEALTH_DEGRADED : PROCTOR_HEALTH_RUNNING, text,
                               utf8_prefix(text, 1024));
    }
    pthread_mutex_unlock(&output->health_lock);
}

static const void *get_extension(const proctor_host_t *host, const char *id) {
    if (host == NULL || id == NULL || strcmp(id, PROCTOR_HOST_EXT_PATHS) != 0) return NULL;
    return &output_of(host)->paths;
}

void relay_output_init(relay_output *output, const plugin_library *library, relay_queue *queue,
                       const char *state_dir, const char *runtime_dir, const char *data_dir) {
    *output = (relay_output){
        .host = {
            .struct_size = sizeof(proctor_host_t), .abi_major = PROCTOR_ABI_MAJOR, .abi_minor = PROCTOR_ABI_MINOR,
            .name = "proctord", .version = PROCTORD_VERSION, .context = NULL,
            .emit = emit, .log = log_line, .report_health = report_health, .get_extension = get_extension,
        },
        .paths = {.struct_size = sizeof(proctor_host_paths_t), .state_dir = state_dir, .runtime_dir = runtime_dir, .data_dir = data_dir},
        .library = library,
        .queue = queue,
    };
    atomic_init(&output->stopped, false);
    pthread_mutex_init(&output->health_lock, NULL);
}
