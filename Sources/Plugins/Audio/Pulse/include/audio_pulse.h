/*
 * audio_pulse.h — the audio plugin's link to the sound server through
 * libpulse (PulseAudio, or PipeWire through pipewire-pulse). It runs
 * libpulse's threaded main loop: nothing is polled; the server's
 * subscription events and the record stream's data wake the loop's thread,
 * which hands each finding to one callback as a flat, self-contained event.
 *
 * Threads: the callback runs on the main loop's thread, one event at a time;
 * every pointer in an event is valid only during the call. audio_pulse_start,
 * audio_pulse_stop and audio_pulse_record may be called from any one other
 * thread (never from inside the callback).
 */
#ifndef PROCTORD_AUDIO_PULSE_H
#define PROCTORD_AUDIO_PULSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum audio_pulse_kind {
    /* The context is ready: text = "server name version". */
    AUDIO_PULSE_CONNECTED = 1,
    /* The context failed or the server went away (text = why); a new attempt
     * follows after a back-off, from 250 ms up to the reconnect maximum. */
    AUDIO_PULSE_DISCONNECTED,
    /* Server info: default_source, default_sink (NULL when none). */
    AUDIO_PULSE_SERVER,
    /* A source (is_source) or sink appeared or changed. */
    AUDIO_PULSE_DEVICE,
    /* A source (is_source) or sink with this index went away. */
    AUDIO_PULSE_DEVICE_REMOVED,
    /* A source-output (a program recording) appeared or changed. */
    AUDIO_PULSE_CAPTURE,
    /* The source-output with this index went away. */
    AUDIO_PULSE_CAPTURE_REMOVED,
    /* The listing made after connecting is complete. */
    AUDIO_PULSE_LISTED,
    /* Samples from the record stream: mono S16 at AUDIO_PULSE_RATE_HZ. */
    AUDIO_PULSE_SAMPLES,
    /* The record stream is recording from `name` (text NULL) or failed (text = why). */
    AUDIO_PULSE_RECORDING,
} audio_pulse_kind_t;

#define AUDIO_PULSE_RATE_HZ 16000
#define AUDIO_PULSE_NO_INDEX UINT32_MAX

typedef struct audio_pulse_event {
    audio_pulse_kind_t kind;
    uint32_t index;
    int is_source;
    const char *text;
    /* Devices. */
    const char *name;
    const char *description;
    const char *driver;          /* PulseAudio: the module's source file, eg "module-null-sink.c";
                                    for a capture, set when a module (remap, loopback) records */
    const char *factory;         /* PipeWire: factory.name, when set */
    const char *device_class;    /* device.class: "sound", "monitor", "abstract", ... */
    const char *device_api;      /* device.api: "alsa", "bluez", ... */
    const char *node_virtual;    /* PipeWire: node.virtual, when set */
    const char *module_name;     /* the owner module's name, looked up when the driver does not say it
                                    (pipewire-pulse's driver is "PipeWire"); NULL otherwise */
    int hardware;                /* PA_SOURCE_HARDWARE / PA_SINK_HARDWARE */
    uint32_t monitor_of_sink;    /* a source that monitors this sink, or AUDIO_PULSE_NO_INDEX */
    uint32_t owner_module;       /* captures: set only for a module's own stream (no client) */
    /* Captures (source-outputs). The stream's application properties; when it
     * lacks the process id or binary (a native PipeWire program's stream under
     * pipewire-pulse), they come from its client, the pid as PipeWire took it
     * from the client's socket (pipewire.sec.pid) when it has that. */
    const char *app_name;
    const char *app_binary;
    const char *media_name;
    int32_t pid;                 /* application.process.id, or -1 */
    uint32_t source_index;
    int corked;
    int own;                     /* the plugin's own record stream */
    /* Server. */
    const char *default_source;
    const char *default_sink;
    /* Samples. */
    const int16_t *samples;
    size_t sample_count;
} audio_pulse_event_t;

typedef void (*audio_pulse_callback_t)(const audio_pulse_event_t *event, void *context);

typedef struct audio_pulse audio_pulse_t;

/* server: a libpulse server string ("unix:/run/...", NULL or "" = libpulse's
 * default). Does not connect yet. */
audio_pulse_t *audio_pulse_new(const char *server, const char *client_name, unsigned reconnect_max_ms,
                               audio_pulse_callback_t callback, void *context);

/* Sets the callback's context (before audio_pulse_start). */
void audio_pulse_set_context(audio_pulse_t *pulse, void *context);

/* Starts the loop's thread and the first connection attempt. 0 on success. */
int audio_pulse_start(audio_pulse_t *pulse);

/* Disconnects and joins the loop's thread; no callback runs after it returns. */
void audio_pulse_stop(audio_pulse_t *pulse);

void audio_pulse_free(audio_pulse_t *pulse);

/* Records from `source` (a source name; NULL or "" = none), replacing any
 * earlier stream; kept across reconnects. */
void audio_pulse_record(audio_pulse_t *pulse, const char *source);

#endif
