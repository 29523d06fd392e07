/*
 * audio_pulse.c — see audio_pulse.h. Everything below runs on libpulse's
 * threaded main loop, except the public functions, which take its lock.
 */
#include "audio_pulse.h"

#include <pulse/pulseaudio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_RETRY_MS 250
/* The record stream's fragment: 50 ms. Waking for it, not analysing it, is
   most of the plugin's CPU while listening (perf: the detector is 0.04 % of a
   core in a release build; 20 ms fragments cost 0.8-1.0 % in all), and 50 ms
   adds little to an onset that needs 60 ms of voice anyway. */
#define FRAGMENT_BYTES (AUDIO_PULSE_RATE_HZ / 20 * 2)
/* Marks the plugin's own stream, so it is never reported as a stranger's capture. */
#define OWN_STREAM_PROPERTY "proctord.role"

struct audio_pulse {
    pa_threaded_mainloop *loop;
    pa_context *context;
    pa_stream *stream;
    pa_time_event *retry;
    char *server;
    char *client_name;
    unsigned retry_max_ms;
    unsigned retry_ms;
    audio_pulse_callback_t callback;
    void *callback_context;
    char *wanted_source;      /* NULL: no recording; "": the default source */
    char *default_source;     /* as the server last said */
    char *recording_source;   /* what the stream records from */
    struct held *held;        /* events waiting for a lookup (see below) */
    int running;
};

static void connect_now(audio_pulse_t *p);
static void update_stream(audio_pulse_t *p);
static void close_stream(audio_pulse_t *p);

static void emit(audio_pulse_t *p, audio_pulse_event_t *event) {
    p->callback(event, p->callback_context);
}

static audio_pulse_event_t blank(audio_pulse_kind_t kind) {
    audio_pulse_event_t event;
    memset(&event, 0, sizeof event);
    event.kind = kind;
    event.index = AUDIO_PULSE_NO_INDEX;
    event.monitor_of_sink = AUDIO_PULSE_NO_INDEX;
    event.owner_module = AUDIO_PULSE_NO_INDEX;
    event.source_index = AUDIO_PULSE_NO_INDEX;
    event.pid = -1;
    return event;
}

static char *copy(const char *s) { return s ? strdup(s) : NULL; }

static void replace(char **slot, const char *value) {
    free(*slot);
    *slot = copy(value);
}

static void drop(pa_operation *o) {
    if (o) pa_operation_unref(o);
}

static int same(const char *a, const char *b) {
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* ---- lookups ----
 * pipewire-pulse does not say everything where PulseAudio says it: a device's
 * driver is "PipeWire", not its module's source file, and the stream of a
 * native PipeWire program (pw-record, OBS) carries no process id or binary,
 * which only its client has. Such an event is held, with copies of what it
 * points to, until one more answer (the module's or the client's) completes
 * it. One whose device or stream goes away meanwhile is dropped, so nothing
 * stale is reported; the held events go with the context. */

typedef struct held {
    struct held *next;
    audio_pulse_t *p;
    audio_pulse_event_t event;
    pa_proplist *props;   /* a copy: the event's property strings point into it */
    char *name, *description, *driver;
    int done;             /* emitted, or its device or stream went away */
} held_t;

static void fill_device_props(audio_pulse_event_t *e, pa_proplist *props) {
    e->factory = pa_proplist_gets(props, "factory.name");
    e->device_class = pa_proplist_gets(props, PA_PROP_DEVICE_CLASS);
    e->device_api = pa_proplist_gets(props, PA_PROP_DEVICE_API);
    e->node_virtual = pa_proplist_gets(props, "node.virtual");
}

static void fill_capture_props(audio_pulse_event_t *e, pa_proplist *props) {
    e->app_name = pa_proplist_gets(props, PA_PROP_APPLICATION_NAME);
    e->app_binary = pa_proplist_gets(props, PA_PROP_APPLICATION_PROCESS_BINARY);
    e->media_name = pa_proplist_gets(props, PA_PROP_MEDIA_NAME);
    const char *pid = pa_proplist_gets(props, PA_PROP_APPLICATION_PROCESS_ID);
    e->pid = pid ? (int32_t)strtol(pid, NULL, 10) : -1;
    e->own = pa_proplist_gets(props, OWN_STREAM_PROPERTY) != NULL;
}

static held_t *hold(audio_pulse_t *p, const audio_pulse_event_t *e, const pa_proplist *props) {
    held_t *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->p = p;
    h->event = *e;
    h->props = pa_proplist_copy(props);
    h->name = copy(e->name);
    h->description = copy(e->description);
    h->driver = copy(e->driver);
    h->event.name = h->name;
    h->event.description = h->description;
    h->event.driver = h->driver;
    if (e->kind == AUDIO_PULSE_DEVICE) fill_device_props(&h->event, h->props);
    else fill_capture_props(&h->event, h->props);
    h->next = p->held;
    p->held = h;
    return h;
}

static void release(held_t *h) {
    for (held_t **slot = &h->p->held; *slot; slot = &(*slot)->next) {
        if (*slot == h) {
            *slot = h->next;
            break;
        }
    }
    pa_proplist_free(h->props);
    free(h->name);
    free(h->description);
    free(h->driver);
    free(h);
}

static void release_all(audio_pulse_t *p) {
    while (p->held) release(p->held);
}

/* The device or stream `index` went away: whatever is held for it is not reported. */
static void forget_held(audio_pulse_t *p, audio_pulse_kind_t kind, int is_source, uint32_t index) {
    for (held_t *h = p->held; h; h = h->next) {
        if (h->event.kind == kind && h->event.index == index && (kind != AUDIO_PULSE_DEVICE || h->event.is_source == is_source)) {
            h->done = 1;
        }
    }
}

/* The driver names no module: PulseAudio's is the module's file, "module-....c". */
static int driver_names_module(const char *driver) { return driver && strncmp(driver, "module-", 7) == 0; }

static void on_module(pa_context *c, const pa_module_info *info, int eol, void *userdata) {
    (void)c;
    held_t *h = userdata;
    if (!eol && info && !h->done) {
        h->done = 1;
        h->event.module_name = info->name;
        emit(h->p, &h->event);
        if (h->event.kind == AUDIO_PULSE_DEVICE && h->event.is_source) update_stream(h->p);
    }
    if (eol) release(h);  /* a failure means the module, and what it made, is gone */
}

static void on_client(pa_context *c, const pa_client_info *info, int eol, void *userdata) {
    (void)c;
    held_t *h = userdata;
    if (!eol && info && !h->done) {
        h->done = 1;
        audio_pulse_event_t *e = &h->event;
        if (!e->app_name) e->app_name = pa_proplist_gets(info->proplist, PA_PROP_APPLICATION_NAME);
        if (!e->app_binary) e->app_binary = pa_proplist_gets(info->proplist, PA_PROP_APPLICATION_PROCESS_BINARY);
        if (e->pid < 0) {
            /* The kernel's word (PipeWire took it from the client's socket), else the client's. */
            const char *pid = pa_proplist_gets(info->proplist, "pipewire.sec.pid");
            if (!pid) pid = pa_proplist_gets(info->proplist, PA_PROP_APPLICATION_PROCESS_ID);
            if (pid) e->pid = (int32_t)strtol(pid, NULL, 10);
        }
        emit(h->p, e);
    }
    if (eol) {
        /* The client went before it answered: report what the stream said (its removal follows). */
        if (!h->done && eol < 0) emit(h->p, &h->event);
        release(h);
    }
}

/* Whether the question about `h` was sent; when it could not be, `h` is let
 * go and the caller emits its event as it is. */
static int asked(held_t *h, pa_operation *o) {
    if (o) {
        pa_operation_unref(o);
        return 1;
    }
    release(h);
    return 0;
}

/* Emits a device now, or once its module's name is known. */
static void emit_device(audio_pulse_t *p, pa_context *c, audio_pulse_event_t *e, pa_proplist *props) {
    if (e->owner_module != PA_INVALID_INDEX && !driver_names_module(e->driver) && !e->factory) {
        held_t *h = hold(p, e, props);
        if (h && asked(h, pa_context_get_module_info(c, e->owner_module, on_module, h))) return;
    }
    emit(p, e);
    if (e->is_source) update_stream(p);  /* the source to record from may just have come back */
}

/* ---- listing ---- */

static void on_source(pa_context *c, const pa_source_info *info, int eol, void *userdata) {
    if (eol || !info) return;
    audio_pulse_event_t e = blank(AUDIO_PULSE_DEVICE);
    e.is_source = 1;
    e.index = info->index;
    e.name = info->name;
    e.description = info->description;
    e.driver = info->driver;
    e.hardware = (info->flags & PA_SOURCE_HARDWARE) != 0;
    e.monitor_of_sink = info->monitor_of_sink;
    e.owner_module = info->owner_module;
    fill_device_props(&e, info->proplist);
    emit_device(userdata, c, &e, info->proplist);
}

static void on_sink(pa_context *c, const pa_sink_info *info, int eol, void *userdata) {
    if (eol || !info) return;
    audio_pulse_event_t e = blank(AUDIO_PULSE_DEVICE);
    e.index = info->index;
    e.name = info->name;
    e.description = info->description;
    e.driver = info->driver;
    e.hardware = (info->flags & PA_SINK_HARDWARE) != 0;
    e.owner_module = info->owner_module;
    fill_device_props(&e, info->proplist);
    emit_device(userdata, c, &e, info->proplist);
}

static void on_source_output(pa_context *c, const pa_source_output_info *info, int eol, void *userdata) {
    audio_pulse_t *p = userdata;
    if (eol || !info) return;
    audio_pulse_event_t e = blank(AUDIO_PULSE_CAPTURE);
    e.index = info->index;
    e.source_index = info->source;
    e.corked = info->corked;
    fill_capture_props(&e, info->proplist);
    /* Every client's stream belongs to the protocol module; a stream without a
     * client belongs to a module that records for itself (remap, loopback). */
    if (info->client == PA_INVALID_INDEX) {
        e.owner_module = info->owner_module;
        e.driver = info->driver;
        if (e.owner_module != PA_INVALID_INDEX && !driver_names_module(e.driver)) {
            held_t *h = hold(p, &e, info->proplist);
            if (h && asked(h, pa_context_get_module_info(c, e.owner_module, on_module, h))) return;
        }
    } else if (!e.own && (e.pid < 0 || !e.app_binary)) {
        held_t *h = hold(p, &e, info->proplist);
        if (h && asked(h, pa_context_get_client_info(c, info->client, on_client, h))) return;
    }
    emit(p, &e);
}

/* pipewire-pulse answers with libpulse's aliases for the default until its
 * session manager (WirePlumber) has chosen one: that is no default yet. */
static const char *chosen(const char *name, const char *alias) { return same(name, alias) ? NULL : name; }

static void on_server(pa_context *c, const pa_server_info *info, void *userdata) {
    (void)c;
    audio_pulse_t *p = userdata;
    if (!info) return;
    audio_pulse_event_t e = blank(AUDIO_PULSE_SERVER);
    e.default_source = chosen(info->default_source_name, "@DEFAULT_SOURCE@");
    e.default_sink = chosen(info->default_sink_name, "@DEFAULT_SINK@");
    replace(&p->default_source, e.default_source);
    e.text = info->server_name;
    emit(p, &e);
    update_stream(p);
}

/* The answer to one more question, asked after the listing's last: answers
 * come in order, so every lookup the listing started has been answered. */
static void on_listing_complete(pa_context *c, const pa_server_info *info, void *userdata) {
    (void)c;
    (void)info;
    audio_pulse_event_t e = blank(AUDIO_PULSE_LISTED);
    emit(userdata, &e);
}

/* The last answer of the listing made after connecting. */
static void on_source_output_listed(pa_context *c, const pa_source_output_info *info, int eol, void *userdata) {
    if (!eol) {
        on_source_output(c, info, eol, userdata);
        return;
    }
    drop(pa_context_get_server_info(c, on_listing_complete, userdata));
}

static void on_subscription(pa_context *c, pa_subscription_event_type_t type, uint32_t index, void *userdata) {
    audio_pulse_t *p = userdata;
    pa_subscription_event_type_t facility = type & PA_SUBSCRIPTION_EVENT_FACILITY_MASK;
    int removed = (type & PA_SUBSCRIPTION_EVENT_TYPE_MASK) == PA_SUBSCRIPTION_EVENT_REMOVE;
    switch (facility) {
    case PA_SUBSCRIPTION_EVENT_SOURCE:
    case PA_SUBSCRIPTION_EVENT_SINK:
        if (removed) {
            audio_pulse_event_t e = blank(AUDIO_PULSE_DEVICE_REMOVED);
            e.index = index;
            e.is_source = facility == PA_SUBSCRIPTION_EVENT_SOURCE;
            forget_held(p, AUDIO_PULSE_DEVICE, e.is_source, index);
            emit(p, &e);
        } else if (facility == PA_SUBSCRIPTION_EVENT_SOURCE) {
            drop(pa_context_get_source_info_by_index(c, index, on_source, p));
        } else {
            drop(pa_context_get_sink_info_by_index(c, index, on_sink, p));
        }
        break;
    case PA_SUBSCRIPTION_EVENT_SOURCE_OUTPUT:
        if (removed) {
            audio_pulse_event_t e = blank(AUDIO_PULSE_CAPTURE_REMOVED);
            e.index = index;
            forget_held(p, AUDIO_PULSE_CAPTURE, 0, index);
            emit(p, &e);
        } else {
            drop(pa_context_get_source_output_info(c, index, on_source_output, p));
        }
        break;
    case PA_SUBSCRIPTION_EVENT_SERVER:
        drop(pa_context_get_server_info(c, on_server, p));
        break;
    default:
        break;
    }
}

/* ---- the record stream ---- */

static void on_stream_read(pa_stream *s, size_t nbytes, void *userdata) {
    audio_pulse_t *p = userdata;
    (void)nbytes;
    const void *data;
    size_t length;
    while (pa_stream_readable_size(s) > 0) {
        if (pa_stream_peek(s, &data, &length) < 0 || length == 0) return;
        if (data) {  /* NULL data is a hole: nothing to hand on */
            audio_pulse_event_t e = blank(AUDIO_PULSE_SAMPLES);
            e.samples = data;
            e.sample_count = length / sizeof(int16_t);
            emit(p, &e);
        }
        pa_stream_drop(s);
    }
}

static void on_stream_state(pa_stream *s, void *userdata) {
    audio_pulse_t *p = userdata;
    audio_pulse_event_t e = blank(AUDIO_PULSE_RECORDING);
    switch (pa_stream_get_state(s)) {
    case PA_STREAM_READY:
        e.name = pa_stream_get_device_name(s);
        e.index = pa_stream_get_index(s);
        emit(p, &e);
        break;
    case PA_STREAM_FAILED:
        e.name = p->recording_source;
        e.text = pa_strerror(pa_context_errno(p->context));
        emit(p, &e);
        close_stream(p);  /* reopened when the source comes back (update_stream) */
        break;
    default:
        break;
    }
}

static void close_stream(audio_pulse_t *p) {
    if (!p->stream) return;
    pa_stream_set_read_callback(p->stream, NULL, NULL);
    pa_stream_set_state_callback(p->stream, NULL, NULL);
    pa_stream_disconnect(p->stream);
    pa_stream_unref(p->stream);
    p->stream = NULL;
    replace(&p->recording_source, NULL);
}

/* Opens, moves or closes the record stream to match what is wanted. */
static void update_stream(audio_pulse_t *p) {
    if (!p->context || pa_context_get_state(p->context) != PA_CONTEXT_READY) return;
    const char *source = p->wanted_source;
    if (source && !*source) source = p->default_source;
    if (!source || !*source) {
        close_stream(p);
        return;
    }
    if (p->stream && same(source, p->recording_source)) return;
    close_stream(p);
    pa_sample_spec spec = {.format = PA_SAMPLE_S16LE, .rate = AUDIO_PULSE_RATE_HZ, .channels = 1};
    pa_proplist *props = pa_proplist_new();
    pa_proplist_sets(props, OWN_STREAM_PROPERTY, "voice-activity");
    pa_proplist_sets(props, PA_PROP_MEDIA_ROLE, "production");
    p->stream = pa_stream_new_with_proplist(p->context, "voice activity", &spec, NULL, props);
    pa_proplist_free(props);
    if (!p->stream) return;
    replace(&p->recording_source, source);
    pa_stream_set_read_callback(p->stream, on_stream_read, p);
    pa_stream_set_state_callback(p->stream, on_stream_state, p);
    pa_buffer_attr attr = {.maxlength = (uint32_t)-1, .tlength = (uint32_t)-1, .prebuf = (uint32_t)-1,
                           .minreq = (uint32_t)-1, .fragsize = FRAGMENT_BYTES};
    if (pa_stream_connect_record(p->stream, source, &attr,
                                 PA_STREAM_ADJUST_LATENCY | PA_STREAM_DONT_MOVE) < 0) {
        close_stream(p);
    }
}

/* ---- the connection ---- */

static void on_retry(pa_mainloop_api *api, pa_time_event *event, const struct timeval *tv, void *userdata) {
    (void)tv;
    audio_pulse_t *p = userdata;
    api->time_free(event);
    p->retry = NULL;
    if (p->running) connect_now(p);
}

static void schedule_retry(audio_pulse_t *p) {
    if (p->retry || !p->running) return;
    struct timeval when;
    pa_gettimeofday(&when);
    pa_timeval_add(&when, (pa_usec_t)p->retry_ms * PA_USEC_PER_MSEC);
    pa_mainloop_api *api = pa_threaded_mainloop_get_api(p->loop);
    p->retry = api->time_new(api, &when, on_retry, p);
    p->retry_ms = p->retry_ms * 2 > p->retry_max_ms ? p->retry_max_ms : p->retry_ms * 2;
}

static void forget_context(audio_pulse_t *p) {
    close_stream(p);
    if (!p->context) return;
    /* Disconnecting cancels the lookups' operations: their callbacks never run. */
    pa_context_set_state_callback(p->context, NULL, NULL);
    pa_context_set_subscribe_callback(p->context, NULL, NULL);
    pa_context_disconnect(p->context);
    pa_context_unref(p->context);
    p->context = NULL;
    release_all(p);
}

static void disconnected(audio_pulse_t *p, const char *why) {
    audio_pulse_event_t e = blank(AUDIO_PULSE_DISCONNECTED);
    e.text = why;
    emit(p, &e);
    forget_context(p);
    schedule_retry(p);
}

static void on_context_state(pa_context *c, void *userdata) {
    audio_pulse_t *p = userdata;
    switch (pa_context_get_state(c)) {
    case PA_CONTEXT_READY: {
        p->retry_ms = FIRST_RETRY_MS;
        audio_pulse_event_t e = blank(AUDIO_PULSE_CONNECTED);
        e.text = pa_context_get_server(c);
        emit(p, &e);
        pa_context_set_subscribe_callback(c, on_subscription, p);
        drop(pa_context_subscribe(c, PA_SUBSCRIPTION_MASK_SINK | PA_SUBSCRIPTION_MASK_SOURCE |
                                         PA_SUBSCRIPTION_MASK_SOURCE_OUTPUT | PA_SUBSCRIPTION_MASK_SERVER,
                                  NULL, NULL));
        /* Answers come in order: sinks before the sources that monitor them,
         * and the listing is complete when the drain answers. */
        drop(pa_context_get_server_info(c, on_server, p));
        drop(pa_context_get_sink_info_list(c, on_sink, p));
        drop(pa_context_get_source_info_list(c, on_source, p));
        drop(pa_context_get_source_output_info_list(c, on_source_output_listed, p));
        break;
    }
    case PA_CONTEXT_FAILED:
    case PA_CONTEXT_TERMINATED:
        disconnected(p, pa_strerror(pa_context_errno(c)));
        break;
    default:
        break;
    }
}

static void connect_now(audio_pulse_t *p) {
    pa_mainloop_api *api = pa_threaded_mainloop_get_api(p->loop);
    pa_proplist *props = pa_proplist_new();
    pa_proplist_sets(props, PA_PROP_APPLICATION_NAME, p->client_name);
    p->context = pa_context_new_with_proplist(api, p->client_name, props);
    pa_proplist_free(props);
    if (!p->context) {
        audio_pulse_event_t e = blank(AUDIO_PULSE_DISCONNECTED);
        e.text = "libpulse could not make a context";
        emit(p, &e);
        schedule_retry(p);
        return;
    }
    pa_context_set_state_callback(p->context, on_context_state, p);
    const char *server = p->server && *p->server ? p->server : NULL;
    /* NOAUTOSPAWN: the agent watches a sound server, it never starts one. */
    /* A failure may already have gone through on_context_state, which forgets the context. */
    if (pa_context_connect(p->context, server, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0 && p->context) {
        disconnected(p, pa_strerror(pa_context_errno(p->context)));
    }
}

/* ---- public ---- */

audio_pulse_t *audio_pulse_new(const char *server, const char *client_name, unsigned reconnect_max_ms,
                               audio_pulse_callback_t callback, void *context) {
    audio_pulse_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->loop = pa_threaded_mainloop_new();
    if (!p->loop) {
        free(p);
        return NULL;
    }
    p->server = copy(server);
    p->client_name = copy(client_name ? client_name : "proctord");
    p->retry_max_ms = reconnect_max_ms < FIRST_RETRY_MS ? FIRST_RETRY_MS : reconnect_max_ms;
    p->retry_ms = FIRST_RETRY_MS;
    p->callback = callback;
    p->callback_context = context;
    return p;
}

void audio_pulse_set_context(audio_pulse_t *p, void *context) { p->callback_context = context; }

int audio_pulse_start(audio_pulse_t *p) {
    pa_threaded_mainloop_set_name(p->loop, "audio-pulse");
    if (pa_threaded_mainloop_start(p->loop) < 0) return -1;
    pa_threaded_mainloop_lock(p->loop);
    p->running = 1;
    p->retry_ms = FIRST_RETRY_MS;
    connect_now(p);
    pa_threaded_mainloop_unlock(p->loop);
    return 0;
}

void audio_pulse_stop(audio_pulse_t *p) {
    pa_threaded_mainloop_lock(p->loop);
    p->running = 0;
    if (p->retry) {
        pa_threaded_mainloop_get_api(p->loop)->time_free(p->retry);
        p->retry = NULL;
    }
    forget_context(p);
    pa_threaded_mainloop_unlock(p->loop);
    pa_threaded_mainloop_stop(p->loop);
}

void audio_pulse_free(audio_pulse_t *p) {
    if (!p) return;
    pa_threaded_mainloop_free(p->loop);
    free(p->server);
    free(p->client_name);
    free(p->wanted_source);
    free(p->default_source);
    free(p->recording_source);
    free(p);
}

void audio_pulse_record(audio_pulse_t *p, const char *source) {
    pa_threaded_mainloop_lock(p->loop);
    replace(&p->wanted_source, source);
    update_stream(p);
    pa_threaded_mainloop_unlock(p->loop);
}
