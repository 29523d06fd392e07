#define _GNU_SOURCE
#include "wayland_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>

#include "generated/wlr-data-control-unstable-v1-client-protocol.h"
#include "generated/wlr-foreign-toplevel-management-unstable-v1-client-protocol.h"
#include "generated/xdg-output-unstable-v1-client-protocol.h"

/* ------------------------------------------------------------ the tables */

struct output {
    struct wayland_shim *shim;
    uint32_t id, global;
    struct wl_output *wl_output;
    struct zxdg_output_v1 *xdg_output;
    char *name;
    int32_t x, y, width, height, width_mm, height_mm;
    /* Position and size from xdg-output, which win over wl_output's. */
    int logical;
    struct output *next;
};

struct toplevel {
    struct wayland_shim *shim;
    uint32_t id;
    struct zwlr_foreign_toplevel_handle_v1 *handle;
    char *title, *app_id;
    uint32_t state, output, parent;
    struct toplevel *next;
};

/* An offer the data-control device announced; its MIME types arrive before
 * the selection event that names it. */
struct offer {
    struct zwlr_data_control_offer_v1 *offer;
    char *mime_types;
    size_t length;
    struct offer *next;
};

struct queued {
    wayland_shim_event event;
    struct queued *next;
};

struct global_version {
    char *interface;
    uint32_t version;
    struct global_version *next;
};

struct wayland_shim {
    struct wl_display *display;
    struct wl_registry *registry;
    struct wl_seat *seat;
    struct zwlr_foreign_toplevel_manager_v1 *toplevel_manager;
    struct zwlr_data_control_manager_v1 *data_control_manager;
    struct zwlr_data_control_device_v1 *data_device;
    struct zxdg_output_manager_v1 *xdg_output_manager;
    struct output *outputs;
    struct toplevel *toplevels;
    struct offer *offers;
    /* The offers that hold the clipboard and the primary selection now. */
    struct offer *selection[2];
    struct global_version *versions;
    uint32_t next_output, next_toplevel;
    struct queued *head, *tail;
    char error[256];
};

static char *copy(const char *text) { return text ? strdup(text) : NULL; }

static void replace(char **slot, const char *text) {
    free(*slot);
    *slot = copy(text);
}

static void push(struct wayland_shim *shim, wayland_shim_event event) {
    struct queued *item = calloc(1, sizeof *item);
    if (!item) return;
    item->event = event;
    if (shim->tail) shim->tail->next = item; else shim->head = item;
    shim->tail = item;
}

/* --------------------------------------------------------------- outputs */

static void push_output(struct output *output) {
    wayland_shim_event event = {.kind = WAYLAND_SHIM_EVENT_OUTPUT, .id = output->id, .name = copy(output->name),
                                .x = output->x, .y = output->y, .width = output->width, .height = output->height,
                                .width_mm = output->width_mm, .height_mm = output->height_mm};
    push(output->shim, event);
}

static void output_geometry(void *data, struct wl_output *o, int32_t x, int32_t y, int32_t width_mm, int32_t height_mm,
                            int32_t subpixel, const char *make, const char *model, int32_t transform) {
    struct output *output = data;
    output->width_mm = width_mm;
    output->height_mm = height_mm;
    if (!output->logical) { output->x = x; output->y = y; }
}

static void output_mode(void *data, struct wl_output *o, uint32_t flags, int32_t width, int32_t height, int32_t refresh) {
    struct output *output = data;
    if ((flags & WL_OUTPUT_MODE_CURRENT) && !output->logical) { output->width = width; output->height = height; }
}

static void output_done(void *data, struct wl_output *o) { push_output(data); }
static void output_scale(void *data, struct wl_output *o, int32_t factor) {}
static void output_name(void *data, struct wl_output *o, const char *name) { replace(&((struct output *)data)->name, name); }
static void output_description(void *data, struct wl_output *o, const char *description) {}

static const struct wl_output_listener output_listener = {
    .geometry = output_geometry, .mode = output_mode, .done = output_done, .scale = output_scale,
    .name = output_name, .description = output_description,
};

static void xdg_position(void *data, struct zxdg_output_v1 *o, int32_t x, int32_t y) {
    struct output *output = data;
    output->logical = 1;
    output->x = x;
    output->y = y;
}

static void xdg_size(void *data, struct zxdg_output_v1 *o, int32_t width, int32_t height) {
    struct output *output = data;
    output->logical = 1;
    output->width = width;
    output->height = height;
}

/* Version 3 leaves `done` to wl_output; older compositors still send it here. */
static void xdg_done(void *data, struct zxdg_output_v1 *o) { push_output(data); }
static void xdg_name(void *data, struct zxdg_output_v1 *o, const char *name) { replace(&((struct output *)data)->name, name); }
static void xdg_description(void *data, struct zxdg_output_v1 *o, const char *description) {}

static const struct zxdg_output_v1_listener xdg_output_listener = {
    .logical_position = xdg_position, .logical_size = xdg_size, .done = xdg_done,
    .name = xdg_name, .description = xdg_description,
};

static void watch_xdg_output(struct wayland_shim *shim, struct output *output) {
    if (!shim->xdg_output_manager || output->xdg_output) return;
    output->xdg_output = zxdg_output_manager_v1_get_xdg_output(shim->xdg_output_manager, output->wl_output);
    zxdg_output_v1_add_listener(output->xdg_output, &xdg_output_listener, output);
}

static struct output *output_of(struct wayland_shim *shim, struct wl_output *wl_output) {
    for (struct output *o = shim->outputs; o; o = o->next)
        if (o->wl_output == wl_output) return o;
    return NULL;
}

static void free_output(struct output *output) {
    if (output->xdg_output) zxdg_output_v1_destroy(output->xdg_output);
    if (wl_output_get_version(output->wl_output) >= WL_OUTPUT_RELEASE_SINCE_VERSION) wl_output_release(output->wl_output);
    else wl_output_destroy(output->wl_output);
    free(output->name);
    free(output);
}

/* ------------------------------------------------------------- toplevels */

static struct toplevel *toplevel_by_id(struct wayland_shim *shim, uint32_t id) {
    for (struct toplevel *t = shim->toplevels; t; t = t->next)
        if (t->id == id) return t;
    return NULL;
}

static void toplevel_title(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, const char *title) {
    replace(&((struct toplevel *)data)->title, title);
}

static void toplevel_app_id(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, const char *app_id) {
    replace(&((struct toplevel *)data)->app_id, app_id);
}

static void toplevel_output_enter(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_output *wl_output) {
    struct toplevel *toplevel = data;
    struct output *output = output_of(toplevel->shim, wl_output);
    if (output) toplevel->output = output->id;
}

static void toplevel_output_leave(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_output *wl_output) {
    struct toplevel *toplevel = data;
    struct output *output = output_of(toplevel->shim, wl_output);
    if (output && toplevel->output == output->id) toplevel->output = 0;
}

static void toplevel_state(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct wl_array *states) {
    struct toplevel *toplevel = data;
    uint32_t bits = 0;
    uint32_t *state;
    wl_array_for_each(state, states) {
        switch (*state) {
        case ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_MAXIMIZED: bits |= WAYLAND_SHIM_MAXIMIZED; break;
        case ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_MINIMIZED: bits |= WAYLAND_SHIM_MINIMIZED; break;
        case ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_ACTIVATED: bits |= WAYLAND_SHIM_ACTIVATED; break;
        case ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_FULLSCREEN: bits |= WAYLAND_SHIM_FULLSCREEN; break;
        }
    }
    toplevel->state = bits;
}

static void toplevel_done(void *data, struct zwlr_foreign_toplevel_handle_v1 *h) {
    struct toplevel *t = data;
    wayland_shim_event event = {.kind = WAYLAND_SHIM_EVENT_TOPLEVEL, .id = t->id, .title = copy(t->title),
                                .app_id = copy(t->app_id), .state = t->state, .output = t->output, .parent = t->parent};
    push(t->shim, event);
}

static void toplevel_closed(void *data, struct zwlr_foreign_toplevel_handle_v1 *h) {
    struct toplevel *toplevel = data;
    struct wayland_shim *shim = toplevel->shim;
    push(shim, (wayland_shim_event){.kind = WAYLAND_SHIM_EVENT_TOPLEVEL_CLOSED, .id = toplevel->id});
    for (struct toplevel **link = &shim->toplevels; *link; link = &(*link)->next) {
        if (*link == toplevel) { *link = toplevel->next; break; }
    }
    zwlr_foreign_toplevel_handle_v1_destroy(h);
    free(toplevel->title);
    free(toplevel->app_id);
    free(toplevel);
}

static void toplevel_parent(void *data, struct zwlr_foreign_toplevel_handle_v1 *h, struct zwlr_foreign_toplevel_handle_v1 *parent) {
    struct toplevel *toplevel = data;
    struct toplevel *p = parent ? zwlr_foreign_toplevel_handle_v1_get_user_data(parent) : NULL;
    toplevel->parent = p ? p->id : 0;
}

static const struct zwlr_foreign_toplevel_handle_v1_listener toplevel_listener = {
    .title = toplevel_title, .app_id = toplevel_app_id, .output_enter = toplevel_output_enter,
    .output_leave = toplevel_output_leave, .state = toplevel_state, .done = toplevel_done,
    .closed = toplevel_closed, .parent = toplevel_parent,
};

static void manager_toplevel(void *data, struct zwlr_foreign_toplevel_manager_v1 *m, struct zwlr_foreign_toplevel_handle_v1 *handle) {
    struct wayland_shim *shim = data;
    struct toplevel *toplevel = calloc(1, sizeof *toplevel);
    if (!toplevel) { zwlr_foreign_toplevel_handle_v1_destroy(handle); return; }
    toplevel->shim = shim;
    toplevel->id = ++shim->next_toplevel;
    toplevel->handle = handle;
    toplevel->next = shim->toplevels;
    shim->toplevels = toplevel;
    zwlr_foreign_toplevel_handle_v1_add_listener(handle, &toplevel_listener, toplevel);
}

static void manager_finished(void *data, struct zwlr_foreign_toplevel_manager_v1 *m) {
    struct wayland_shim *shim = data;
    push(shim, (wayland_shim_event){.kind = WAYLAND_SHIM_EVENT_TOPLEVELS_FINISHED});
    zwlr_foreign_toplevel_manager_v1_destroy(m);
    shim->toplevel_manager = NULL;
}

static const struct zwlr_foreign_toplevel_manager_v1_listener manager_listener = {
    .toplevel = manager_toplevel, .finished = manager_finished,
};

/* ---------------------------------------------------------- data control */

static void offer_mime(void *data, struct zwlr_data_control_offer_v1 *o, const char *mime_type) {
    struct offer *offer = data;
    size_t add = strlen(mime_type) + 1;
    char *grown = realloc(offer->mime_types, offer->length + add + 1);
    if (!grown) return;
    offer->mime_types = grown;
    if (offer->length) grown[offer->length - 1] = '\n';
    memcpy(grown + offer->length, mime_type, add);
    offer->length += add;
}

static const struct zwlr_data_control_offer_v1_listener offer_listener = {.offer = offer_mime};

static void device_data_offer(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o) {
    struct wayland_shim *shim = data;
    struct offer *offer = calloc(1, sizeof *offer);
    if (!offer) { zwlr_data_control_offer_v1_destroy(o); return; }
    offer->offer = o;
    offer->next = shim->offers;
    shim->offers = offer;
    zwlr_data_control_offer_v1_add_listener(o, &offer_listener, offer);
}

static struct offer *take_offer(struct wayland_shim *shim, struct zwlr_data_control_offer_v1 *o) {
    for (struct offer **link = &shim->offers; *link; link = &(*link)->next) {
        if ((*link)->offer == o) {
            struct offer *found = *link;
            *link = found->next;
            found->next = NULL;
            return found;
        }
    }
    return NULL;
}

static void free_offer(struct offer *offer) {
    if (!offer) return;
    zwlr_data_control_offer_v1_destroy(offer->offer);
    free(offer->mime_types);
    free(offer);
}

static void selection_changed(struct wayland_shim *shim, int32_t which, struct zwlr_data_control_offer_v1 *o) {
    free_offer(shim->selection[which]);  /* the previous offer is no longer valid */
    struct offer *offer = o ? take_offer(shim, o) : NULL;
    shim->selection[which] = offer;
    push(shim, (wayland_shim_event){.kind = WAYLAND_SHIM_EVENT_SELECTION, .selection = which, .has_offer = offer != NULL,
                                    .mime_types = copy(offer && offer->mime_types ? offer->mime_types : "")});
}

static void device_selection(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o) {
    selection_changed(data, 0, o);
}

static void device_primary(void *data, struct zwlr_data_control_device_v1 *d, struct zwlr_data_control_offer_v1 *o) {
    selection_changed(data, 1, o);
}

static void device_finished(void *data, struct zwlr_data_control_device_v1 *d) {
    struct wayland_shim *shim = data;
    push(shim, (wayland_shim_event){.kind = WAYLAND_SHIM_EVENT_DATA_CONTROL_FINISHED});
    zwlr_data_control_device_v1_destroy(d);
    shim->data_device = NULL;
}

static const struct zwlr_data_control_device_v1_listener device_listener = {
    .data_offer = device_data_offer, .selection = device_selection, .finished = device_finished,
    .primary_selection = device_primary,
};

/* -------------------------------------------------------------- registry */

static uint32_t min_u32(uint32_t a, uint32_t b) { return a < b ? a : b; }

static void note_version(struct wayland_shim *shim, const char *interface, uint32_t version) {
    struct global_version *entry = calloc(1, sizeof *entry);
    if (!entry) return;
    entry->interface = strdup(interface);
    entry->version = version;
    entry->next = shim->versions;
    shim->versions = entry;
}

static void registry_global(void *data, struct wl_registry *registry, uint32_t name, const char *interface, uint32_t version) {
    struct wayland_shim *shim = data;
    note_version(shim, interface, version);
    if (strcmp(interface, wl_output_interface.name) == 0) {
        struct output *output = calloc(1, sizeof *output);
        if (!output) return;
        output->shim = shim;
        output->id = ++shim->next_output;
        output->global = name;
        output->wl_output = wl_registry_bind(registry, name, &wl_output_interface, min_u32(version, 4));
        wl_output_add_listener(output->wl_output, &output_listener, output);
        output->next = shim->outputs;
        shim->outputs = output;
        watch_xdg_output(shim, output);
    } else if (strcmp(interface, wl_seat_interface.name) == 0 && !shim->seat) {
        shim->seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
    } else if (strcmp(interface, zwlr_foreign_toplevel_manager_v1_interface.name) == 0 && !shim->toplevel_manager) {
        shim->toplevel_manager = wl_registry_bind(registry, name, &zwlr_foreign_toplevel_manager_v1_interface, min_u32(version, 3));
        zwlr_foreign_toplevel_manager_v1_add_listener(shim->toplevel_manager, &manager_listener, shim);
    } else if (strcmp(interface, zwlr_data_control_manager_v1_interface.name) == 0 && !shim->data_control_manager) {
        shim->data_control_manager = wl_registry_bind(registry, name, &zwlr_data_control_manager_v1_interface, min_u32(version, 2));
    } else if (strcmp(interface, zxdg_output_manager_v1_interface.name) == 0 && !shim->xdg_output_manager) {
        shim->xdg_output_manager = wl_registry_bind(registry, name, &zxdg_output_manager_v1_interface, min_u32(version, 3));
        for (struct output *o = shim->outputs; o; o = o->next) watch_xdg_output(shim, o);
    }
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
    struct wayland_shim *shim = data;
    for (struct output **link = &shim->outputs; *link; link = &(*link)->next) {
        struct output *output = *link;
        if (output->global != name) continue;
        *link = output->next;
        push(shim, (wayland_shim_event){.kind = WAYLAND_SHIM_EVENT_OUTPUT_REMOVED, .id = output->id});
        for (struct toplevel *t = shim->toplevels; t; t = t->next)
            if (t->output == output->id) t->output = 0;
        free_output(output);
        return;
    }
}

static const struct wl_registry_listener registry_listener = {
    .global = registry_global, .global_remove = registry_global_remove,
};

/* ------------------------------------------------------------ connection */

static int lost(struct wayland_shim *shim) {
    int code = wl_display_get_error(shim->display);
    if (code == 0) return 0;
    if (!shim->error[0]) snprintf(shim->error, sizeof shim->error, "%s", strerror(code));
    return 1;
}

wayland_shim *wayland_shim_connect(const char *display, uint32_t last_toplevel, char *error, int error_size) {
    struct wl_display *connection = wl_display_connect(display);
    if (!connection) {
        const char *name = display ? display : getenv("WAYLAND_DISPLAY");
        snprintf(error, error_size, "cannot connect to Wayland display %s: %s", name ? name : "wayland-0", strerror(errno));
        return NULL;
    }
    struct wayland_shim *shim = calloc(1, sizeof *shim);
    if (!shim) {
        wl_display_disconnect(connection);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    shim->display = connection;
    shim->next_toplevel = last_toplevel;
    shim->registry = wl_display_get_registry(connection);
    wl_registry_add_listener(shim->registry, &registry_listener, shim);
    /* The globals; then what they describe (outputs, windows); then the
     * data device's selections, which need the seat found in the first. */
    int failed = wl_display_roundtrip(connection) < 0;
    if (!failed && shim->data_control_manager && shim->seat) {
        shim->data_device = zwlr_data_control_manager_v1_get_data_device(shim->data_control_manager, shim->seat);
        zwlr_data_control_device_v1_add_listener(shim->data_device, &device_listener, shim);
    }
    failed = failed || wl_display_roundtrip(connection) < 0 || wl_display_roundtrip(connection) < 0;
    if (failed) {
        snprintf(error, error_size, "the Wayland compositor closed the connection while it was being set up: %s",
                 strerror(wl_display_get_error(connection)));
        wayland_shim_disconnect(shim);
        return NULL;
    }
    return shim;
}

void wayland_shim_disconnect(wayland_shim *shim) {
    if (!shim) return;
    wayland_shim_event event;
    while (wayland_shim_next_event(shim, &event)) wayland_shim_event_release(&event);
    while (shim->toplevels) {
        struct toplevel *t = shim->toplevels;
        shim->toplevels = t->next;
        zwlr_foreign_toplevel_handle_v1_destroy(t->handle);
        free(t->title);
        free(t->app_id);
        free(t);
    }
    while (shim->offers) {
        struct offer *o = shim->offers;
        shim->offers = o->next;
        free_offer(o);
    }
    free_offer(shim->selection[0]);
    free_offer(shim->selection[1]);
    while (shim->outputs) {
        struct output *o = shim->outputs;
        shim->outputs = o->next;
        free_output(o);
    }
    while (shim->versions) {
        struct global_version *v = shim->versions;
        shim->versions = v->next;
        free(v->interface);
        free(v);
    }
    if (shim->data_device) zwlr_data_control_device_v1_destroy(shim->data_device);
    if (shim->data_control_manager) zwlr_data_control_manager_v1_destroy(shim->data_control_manager);
    if (shim->toplevel_manager) zwlr_foreign_toplevel_manager_v1_destroy(shim->toplevel_manager);
    if (shim->xdg_output_manager) zxdg_output_manager_v1_destroy(shim->xdg_output_manager);
    if (shim->seat) wl_seat_destroy(shim->seat);
    wl_registry_destroy(shim->registry);
    wl_display_disconnect(shim->display);
    free(shim);
}

uint32_t wayland_shim_global_version(const wayland_shim *shim, const char *interface) {
    for (struct global_version *v = shim->versions; v; v = v->next)
        if (strcmp(v->interface, interface) == 0) return v->version;
    return 0;
}

uint32_t wayland_shim_missing(const wayland_shim *shim) {
    uint32_t missing = 0;
    if (!wayland_shim_global_version(shim, zwlr_foreign_toplevel_manager_v1_interface.name)) missing |= WAYLAND_SHIM_MISSING_FOREIGN_TOPLEVEL;
    else if (wayland_shim_global_version(shim, zwlr_foreign_toplevel_manager_v1_interface.name) < 2) missing |= WAYLAND_SHIM_OLD_FOREIGN_TOPLEVEL;
    if (!wayland_shim_global_version(shim, zwlr_data_control_manager_v1_interface.name)) missing |= WAYLAND_SHIM_MISSING_DATA_CONTROL;
    else if (wayland_shim_global_version(shim, zwlr_data_control_manager_v1_interface.name) < 2) missing |= WAYLAND_SHIM_OLD_DATA_CONTROL;
    if (!shim->xdg_output_manager) missing |= WAYLAND_SHIM_MISSING_XDG_OUTPUT;
    if (!shim->seat) missing |= WAYLAND_SHIM_MISSING_SEAT;
    return missing;
}

uint32_t wayland_shim_last_toplevel(const wayland_shim *shim) { return shim->next_toplevel; }

int wayland_shim_fd(const wayland_shim *shim) { return wl_display_get_fd(shim->display); }

/* Sends queued requests: 0 when all went, 1 when the socket is full and some
 * wait (EAGAIN), -1 when the connection failed (with the error noted). */
static int flush(struct wayland_shim *shim) {
    if (wl_display_flush(shim->display) >= 0) return 0;
    if (errno == EAGAIN) return 1;
    if (!shim->error[0]) snprintf(shim->error, sizeof shim->error, "%s", strerror(errno));
    return -1;
}

int wayland_shim_prepare(wayland_shim *shim) {
    while (wl_display_prepare_read(shim->display) != 0) {
        /* No read is prepared here, so there is none to read or cancel later:
         * failing is the only way out, even when the display notes no error. */
        if (wl_display_dispatch_pending(shim->display) < 0) {
            int code = errno;
            if (!lost(shim) && !shim->error[0]) snprintf(shim->error, sizeof shim->error, "%s", strerror(code));
            return -1;
        }
    }
    int flushed = flush(shim);
    if (flushed < 0) wl_display_cancel_read(shim->display);
    return flushed;
}

int wayland_shim_dispatch(wayland_shim *shim, int readable) {
    if (readable) {
        if (wl_display_read_events(shim->display) < 0) {
            if (!shim->error[0]) snprintf(shim->error, sizeof shim->error, "%s", strerror(errno));
            return -1;
        }
    } else {
        wl_display_cancel_read(shim->display);
    }
    if (wl_display_dispatch_pending(shim->display) < 0 || lost(shim)) return -1;
    return 0;
}

const char *wayland_shim_error(const wayland_shim *shim) { return shim->error[0] ? shim->error : "connection lost"; }

int wayland_shim_next_event(wayland_shim *shim, wayland_shim_event *event) {
    struct queued *item = shim->head;
    if (!item) return 0;
    shim->head = item->next;
    if (!shim->head) shim->tail = NULL;
    *event = item->event;
    free(item);
    return 1;
}

void wayland_shim_event_release(wayland_shim_event *event) {
    free(event->title);
    free(event->app_id);
    free(event->mime_types);
    free(event->name);
    memset(event, 0, sizeof *event);
}

int wayland_shim_activate(wayland_shim *shim, uint32_t id) {
    struct toplevel *toplevel = toplevel_by_id(shim, id);
    if (!toplevel || !shim->seat) return -1;
    zwlr_foreign_toplevel_handle_v1_activate(toplevel->handle, shim->seat);
    return 0;
}

int wayland_shim_set_fullscreen(wayland_shim *shim, uint32_t id, int on) {
    struct toplevel *toplevel = toplevel_by_id(shim, id);
    if (!toplevel || zwlr_foreign_toplevel_handle_v1_get_version(toplevel->handle) < ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_SET_FULLSCREEN_SINCE_VERSION)
        return -1;
    if (on) zwlr_foreign_toplevel_handle_v1_set_fullscreen(toplevel->handle, NULL);  /* the compositor picks the output */
    else zwlr_foreign_toplevel_handle_v1_unset_fullscreen(toplevel->handle);
    return 0;
}

int wayland_shim_receive(wayland_shim *shim, int32_t selection, const char *mime_type) {
    if (selection < 0 || selection > 1 || !shim->selection[selection]) return -1;
    int fds[2];
    /* Only our end is non-blocking: the owner's write end must block when the
     * pipe is full, or a writer (cat, say) stops at 64 KiB with EAGAIN. */
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    zwlr_data_control_offer_v1_receive(shim->selection[selection]->offer, mime_type, fds[1]);
    wl_display_flush(shim->display);
    close(fds[1]);  /* libwayland sent a duplicate; the owner holds the only write end now */
    return fds[0];
}

int wayland_shim_flush(wayland_shim *shim) { return flush(shim); }
