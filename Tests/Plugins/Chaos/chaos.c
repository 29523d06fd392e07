/*
 * chaos — a test-only plugin that misbehaves on request, so the tests can
 * show the supervisor survives it: segfault (also after printing), abort,
 * hang, an event flood, garbage on the relay socket, exiting, forking a
 * process that outlives it, flapping its health, or answering with more
 * than a frame holds. Never shipped.
 *
 * config: {"mode": "<what to do after start>", "after_ms": N, "payload_bytes": N,
 *          "rate_hz": N}; mode "pulse" emits `chaos.pulse` with the CLOCK_MONOTONIC
 * time of the emit, at rate_hz, for latency benchmarks.
 * requests: the same behaviours by name ("segfault", "hang", ...),
 * "stats" ({"emitted": N, "dropped": N}) and "big_answer" (a 5 MiB answer).
 * With PROCTORD_TEST_LOAD_LOG set, loading the library appends the loading
 * process's pid to that file, so a test can count where it was loaded.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "proctor_plugin.h"

__attribute__((constructor)) static void note_load(void) {
    const char *path = getenv("PROCTORD_TEST_LOAD_LOG");
    if (path == NULL) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;
    char line[32];
    int length = snprintf(line, sizeof line, "%d\n", (int)getpid());
    if (write(fd, line, (size_t)length) < 0) { /* the test sees the line missing */ }
    close(fd);
}

struct proctor_plugin {
    const proctor_host_t *host;
    char mode[32];
    long after_ms;
    long payload_bytes;
    long rate_hz;
    pthread_t thread;
    bool thread_running;
    atomic_bool stopping;
    atomic_ullong emitted;
    atomic_ullong dropped;
    char response[256];
    char *big_answer;
};

static const char *const capabilities[] = {"requests", NULL};
static const char *const topics[] = {"chaos.flood", "chaos.tick", "chaos.pulse", "chaos.forked", NULL};
static const char config_schema[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"mode\":{\"enum\":[\"idle\",\"tick\",\"pulse\",\"segfault\",\"abort\",\"hang\",\"flood\",\"garbage\",\"exit\",\"fail_start\",\"hang_start\",\"fork_then_segfault\",\"print_then_segfault\",\"flap\"],\"default\":\"idle\"},"
    "\"rate_hz\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000000,\"default\":1000},"
    "\"after_ms\":{\"type\":\"integer\",\"minimum\":0,\"default\":0},"
    "\"payload_bytes\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":200000,\"default\":64}}}";

/* Test-only parsing: the host validated the config against the schema. */
static void read_string(const char *json, const char *key, char *out, size_t size) {
    const char *at = strstr(json, key);
    if (at == NULL) return;
    at = strchr(at + strlen(key), '"'); /* the value's opening quote */
    if (at == NULL) return;
    const char *end = strchr(at + 1, '"');
    if (end == NULL) return;
    size_t n = (size_t)(end - at - 1) < size - 1 ? (size_t)(end - at - 1) : size - 1;
    memcpy(out, at + 1, n);
    out[n] = 0;
}

static long read_long(const char *json, const char *key, long fallback) {
    const char *at = strstr(json, key);
    return at ? strtol(strchr(at, ':') + 1, NULL, 10) : fallback;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static unsigned long long monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long long)now.tv_sec * 1000000000ull + (unsigned long long)now.tv_nsec;
}

/* Emits at rate_hz on an absolute schedule, so a slow emit does not slow the
 * rate: one event per period below 1 kHz, above it a burst every millisecond. */
static void pulse(proctor_plugin_t *self) {
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long period_ns = self->rate_hz >= 1000 ? 1000000L : 1000000000L / self->rate_hz;
    long burst = self->rate_hz >= 1000 ? self->rate_hz / 1000 : 1;
    char data[96];
    unsigned long long n = 0;
    while (!atomic_load(&self->stopping)) {
        for (long i = 0; i < burst; i++, n++) {
            snprintf(data, sizeof data, "{\"n\":%llu,\"t_ns\":%llu}", n, monotonic_ns());
            if (self->host->emit(self->host, "chaos.pulse", data) == PROCTOR_OK) atomic_fetch_add(&self->emitted, 1);
            else atomic_fetch_add(&self->dropped, 1);
        }
        next.tv_nsec += period_ns;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec += 1;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
}

static void flood(proctor_plugin_t *self) {
    char *data = malloc((size_t)self->payload_bytes + 64);
    while (!atomic_load(&self->stopping)) {
        int n = snprintf(data, 64, "{\"n\":%llu,\"pad\":\"", (unsigned long long)atomic_load(&self->emitted));
        memset(data + n, 'x', (size_t)self->payload_bytes);
        strcpy(data + n + self->payload_bytes, "\"}");
        proctor_status_t status = self->host->emit(self->host, "chaos.flood", data);
        if (status == PROCTOR_OK) atomic_fetch_add(&self->emitted, 1);
        else if (status == PROCTOR_DROPPED) atomic_fetch_add(&self->dropped, 1);
        else break;
    }
    free(data);
}

/* Does what `what` names; some of these never return. */
static void misbehave(proctor_plugin_t *self, const char *what) {
    if (strcmp(what, "segfault") == 0) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    } else if (strcmp(what, "print_then_segfault") == 0) {
        /* Ordinary output first, which belongs in the log, then the crash,
         * whose backtrace belongs in a crash report. */
        printf("chaos: a line on stdout before the crash\n");
        fflush(stdout);
        fprintf(stderr, "chaos: a line on stderr before the crash\n");
        volatile int *nowhere = NULL;
        *nowhere = 1;
    } else if (strcmp(what, "abort") == 0) {
        abort();
    } else if (strcmp(what, "hang") == 0) {
        for (;;) pause();
    } else if (strcmp(what, "exit") == 0) {
        _exit(7);
    } else if (strcmp(what, "garbage") == 0) {
        /* The relay socket is fd 3 in a plugin child; write what no frame is. */
        static const unsigned char junk[] = {0xff, 0xff, 0xff, 0x7f, 0x99, 'n', 'o', 'p', 'e'};
        write(3, junk, sizeof junk);
    } else if (strcmp(what, "flood") == 0) {
        flood(self);
    } else if (strcmp(what, "pulse") == 0) {
        pulse(self);
    } else if (strcmp(what, "fork_then_segfault") == 0) {
        /* The forked process inherits the relay socket and outlives the plugin
         * unless the host takes the whole process group down. */
        pid_t forked = fork();
        if (forked == 0) for (;;) pause();
        char data[48];
        snprintf(data, sizeof data, "{\"pid\":%d}", (int)forked);
        self->host->emit(self->host, "chaos.forked", data);
        sleep_ms(200); /* let the event leave */
        volatile int *nowhere = NULL;
        *nowhere = 1;
    } else if (strcmp(what, "flap") == 0) {
        for (unsigned long long n = 0; !atomic_load(&self->stopping); n++) {
            self->host->report_health(self->host, n % 2 ? PROCTOR_HEALTH_RUNNING : PROCTOR_HEALTH_DEGRADED, "flapping");
        }
    } else if (strcmp(what, "tick") == 0) {
        while (!atomic_load(&self->stopping)) {
            self->host->emit(self->host, "chaos.tick", "{}");
            sleep_ms(20);
        }
    }
}

static void *run(void *arg) {
    proctor_plugin_t *self = arg;
    for (long waited = 0; waited < self->after_ms && !atomic_load(&self->stopping); waited += 5) sleep_ms(5);
    if (!atomic_load(&self->stopping)) misbehave(self, self->mode);
    return NULL;
}

static proctor_plugin_t *chaos_create(const proctor_host_t *host, const char *config, const char **error) {
    (void)error;
    proctor_plugin_t *self = calloc(1, sizeof *self);
    self->host = host;
    strcpy(self->mode, "idle");
    read_string(config, "\"mode\"", self->mode, sizeof self->mode);
    self->after_ms = read_long(config, "\"after_ms\"", 0);
    self->payload_bytes = read_long(config, "\"payload_bytes\"", 64);
    self->rate_hz = read_long(config, "\"rate_hz\"", 1000);
    return self;
}

static proctor_status_t chaos_start(proctor_plugin_t *self) {
    if (strcmp(self->mode, "hang_start") == 0) for (;;) pause();
    if (strcmp(self->mode, "fail_start") == 0) {
        snprintf(self->response, sizeof self->response, "chaos was told to fail its start");
        return PROCTOR_ERROR;
    }
    atomic_store(&self->stopping, false);
    self->thread_running = pthread_create(&self->thread, NULL, run, self) == 0;
    return PROCTOR_OK;
}

static void chaos_stop(proctor_plugin_t *self) {
    atomic_store(&self->stopping, true);
    if (self->thread_running) pthread_join(self->thread, NULL);
    self->thread_running = false;
}

static void chaos_destroy(proctor_plugin_t *self) {
    chaos_stop(self);
    free(self->big_answer);
    free(self);
}

static const char *chaos_request(proctor_plugin_t *self, const char *request) {
    char method[32] = "";
    read_string(request, "\"method\"", method, sizeof method);
    if (strcmp(method, "stats") == 0) {
        snprintf(self->response, sizeof self->response, "{\"result\":{\"emitted\":%llu,\"dropped\":%llu}}",
                 (unsigned long long)atomic_load(&self->emitted), (unsigned long long)atomic_load(&self->dropped));
        return self->response;
    }
    if (strcmp(method, "big_answer") == 0) {
        const size_t size = 5u << 20;
        if (self->big_answer == NULL) {
            self->big_answer = malloc(size + 64);
            size_t n = (size_t)snprintf(self->big_answer, 64, "{\"result\":\"");
            memset(self->big_answer + n, 'x', size);
            strcpy(self->big_answer + n + size, "\"}");
        }
        return self->big_answer;
    }
    misbehave(self, method);
    snprintf(self->response, sizeof self->response, "{\"result\":{\"did\":\"%s\"}}", method);
    return self->response;
}

static const char *chaos_last_error(const proctor_plugin_t *self) {
    return self->response[0] ? self->response : NULL;
}

static const proctor_plugin_descriptor_t descriptor = {
    .struct_size = sizeof(proctor_plugin_descriptor_t),
    .abi_major = PROCTOR_ABI_MAJOR,
    .abi_minor = PROCTOR_ABI_MINOR,
    .id = "chaos",
    .name = "Chaos (tests only)",
    .version = "1.0.0",
    .description = "Misbehaves on request so tests can prove the supervisor survives it.",
    .capabilities = capabilities,
    .topics = topics,
    .config_schema = config_schema,
    .create = chaos_create,
    .start = chaos_start,
    .stop = chaos_stop,
    .destroy = chaos_destroy,
    .request = chaos_request,
    .last_error = chaos_last_error,
};

PROCTOR_EXPORT const proctor_plugin_descriptor_t *proctor_plugin_entry_v1(uint32_t major, uint32_t minor) {
    (void)minor;
    return major == PROCTOR_ABI_MAJOR ? &descriptor : NULL;
}
