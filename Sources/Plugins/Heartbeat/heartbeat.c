/*
 * heartbeat — the example plugin in plain C.
 *
 * Emits `heartbeat.tick` every `interval_ms` so a client can tell a live agent
 * from a silent one, and answers a `ping` request. It shows everything a C
 * plugin needs: the entry symbol, a descriptor, a config schema, a thread that
 * start spawns and stop joins, and a request answered on the control thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proctor_plugin.h"

struct proctor_plugin {
    const proctor_host_t *host;
    long interval_ms;

    pthread_t thread;
    bool thread_running;
    pthread_mutex_t lock; /* guards stopping and ticks */
    pthread_cond_t wake;
    bool stopping;
    unsigned long long ticks;

    char response[256]; /* the last answer to `request`, owned here */
    char error[256];
};

static const char *const capabilities[] = {"requests", NULL};
static const char *const topics[] = {"heartbeat.tick", NULL};

static const char config_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{\"interval_ms\":{\"type\":\"integer\",\"minimum\":10,"
    "\"maximum\":3600000,\"default\":1000,"
    "\"description\":\"Time between two ticks, in milliseconds.\"}}}";

/* The host validated the config against config_schema, so it is an object
 * whose only possible key is "interval_ms" with an integer value. */
static long parse_interval_ms(const char *config_json) {
    const char *key = strstr(config_json, "\"interval_ms\"");
    if (key == NULL) return 1000;
    const char *colon = strchr(key, ':');
    return colon ? strtol(colon + 1, NULL, 10) : 1000;
}

static uint64_t monotonic_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static void *tick_loop(void *arg) {
    proctor_plugin_t *self = arg;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);

    pthread_mutex_lock(&self->lock);
    while (!self->stopping) {
        deadline.tv_nsec += (self->interval_ms % 1000) * 1000000L;
        deadline.tv_sec += self->interval_ms / 1000 + deadline.tv_nsec / 1000000000L;
        deadline.tv_nsec %= 1000000000L;
        /* Sleep until the next tick, or until stop wakes us. */
        while (!self->stopping &&
               pthread_cond_timedwait(&self->wake, &self->lock, &deadline) != ETIMEDOUT) {
        }
        if (self->stopping) break;
        unsigned long long n = ++self->ticks;
        pthread_mutex_unlock(&self->lock);

        char data[160];
        snprintf(data, sizeof data, "{\"n\":%llu,\"interval_ms\":%ld,\"monotonic_ms\":%llu}",
                 n, self->interval_ms, (unsigned long long)monotonic_ms());
        self->host->emit(self->host, "heartbeat.tick", data);

        pthread_mutex_lock(&self->lock);
    }
    pthread_mutex_unlock(&self->lock);
    return NULL;
}

static proctor_plugin_t *heartbeat_create(const proctor_host_t *host, const char *config_json,
                                          const char **error) {
    proctor_plugin_t *self = calloc(1, sizeof *self);
    if (self == NULL) {
        *error = "out of memory";
        return NULL;
    }
    self->host = host;
    self->interval_ms = parse_interval_ms(config_json);
    pthread_mutex_init(&self->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&self->wake, &attr);
    pthread_condattr_destroy(&attr);
    return self;
}

static proctor_status_t heartbeat_start(proctor_plugin_t *self) {
    self->stopping = false;
    int rc = pthread_create(&self->thread, NULL, tick_loop, self);
    if (rc != 0) {
        snprintf(self->error, sizeof self->error, "cannot start the tick thread: %s", strerror(rc));
        return PROCTOR_ERROR;
    }
    self->thread_running = true;
    return PROCTOR_OK;
}

static void heartbeat_stop(proctor_plugin_t *self) {
    if (!self->thread_running) return;
    pthread_mutex_lock(&self->lock);
    self->stopping = true;
    pthread_cond_signal(&self->wake);
    pthread_mutex_unlock(&self->lock);
    pthread_join(self->thread, NULL);
    self->thread_running = false;
}

static void heartbeat_destroy(proctor_plugin_t *self) {
    heartbeat_stop(self);
    pthread_cond_destroy(&self->wake);
    pthread_mutex_destroy(&self->lock);
    free(self);
}

/* The host passes compact JSON with "method" first (see the ABI header), so a
 * prefix comparison is exact. */
static bool is_method(const char *request_json, const char *method) {
    static const char prefix[] = "{\"method\":\"";
    if (strncmp(request_json, prefix, sizeof prefix - 1) != 0) return false;
    const char *name = request_json + sizeof prefix - 1;
    size_t length = strlen(method);
    return strncmp(name, method, length) == 0 && name[length] == '"';
}

static const char *heartbeat_request(proctor_plugin_t *self, const char *request_json) {
    if (!is_method(request_json, "ping")) {
        snprintf(self->response, sizeof self->response,
                 "{\"error\":{\"code\":\"unknown_method\",\"message\":"
                 "\"heartbeat answers only the method 'ping'\"}}");
        return self->response;
    }
    pthread_mutex_lock(&self->lock);
    unsigned long long ticks = self->ticks;
    pthread_mutex_unlock(&self->lock);
    snprintf(self->response, sizeof self->response,
             "{\"result\":{\"pong\":true,\"ticks\":%llu,\"interval_ms\":%ld}}", ticks,
             self->interval_ms);
    return self->response;
}

static const char *heartbeat_last_error(const proctor_plugin_t *self) {
    return self->error[0] ? self->error : NULL;
}

static const proctor_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(proctor_plugin_descriptor_t),
    .abi_major = PROCTOR_ABI_MAJOR,
    .abi_minor = PROCTOR_ABI_MINOR,
    .id = "heartbeat",
    .name = "Heartbeat",
    .version = "1.0.0",
    .description = "Emits a tick at a fixed interval so clients can tell a live agent from a silent one.",
    .capabilities = capabilities,
    .topics = topics,
    .config_schema = config_schema,
    .create = heartbeat_create,
    .start = heartbeat_start,
    .stop = heartbeat_stop,
    .destroy = heartbeat_destroy,
    .request = heartbeat_request,
    .last_error = heartbeat_last_error,
    .get_extension = NULL,
};

PROCTOR_EXPORT const proctor_plugin_descriptor_t *proctor_plugin_entry_v1(uint32_t host_abi_major,
                                                                         uint32_t host_abi_minor) {
    if (host_abi_major != PROCTOR_ABI_MAJOR || host_abi_minor < PROCTOR_ABI_MINOR) return NULL;
    return &descriptor;
}
