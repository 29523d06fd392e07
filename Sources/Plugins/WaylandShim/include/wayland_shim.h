/* What the screen and desktop plugins need of a Wayland compositor, over
 * libwayland-client and the wlroots protocols (foreign-toplevel-management,
 * data-control) plus xdg-output: Swift never sees a listener or a wl_proxy.
 *
 * The compositor's events are turned into a queue of plain records; the
 * caller drains it after each dispatch. One connection is used from one
 * thread only. */
#ifndef WAYLAND_SHIM_H
#define WAYLAND_SHIM_H

#include <stdint.h>

typedef struct wayland_shim wayland_shim;

/* Globals the compositor did not offer, as bits of wayland_shim_missing(). */
enum wayland_shim_missing_global {
    WAYLAND_SHIM_MISSING_FOREIGN_TOPLEVEL = 1 << 0, /* zwlr_foreign_toplevel_manager_v1 */
    WAYLAND_SHIM_MISSING_DATA_CONTROL = 1 << 1,     /* zwlr_data_control_manager_v1 */
    WAYLAND_SHIM_MISSING_XDG_OUTPUT = 1 << 2,       /* zxdg_output_manager_v1 */
    WAYLAND_SHIM_MISSING_SEAT = 1 << 3,             /* wl_seat */
    WAYLAND_SHIM_OLD_FOREIGN_TOPLEVEL = 1 << 4,     /* version 1: no set_fullscreen */
    WAYLAND_SHIM_OLD_DATA_CONTROL = 1 << 5,         /* version 1: no primary selection */
};

/* A toplevel's state, as bits of wayland_shim_event.state. */
enum wayland_shim_toplevel_state {
    WAYLAND_SHIM_MAXIMIZED = 1 << 0,
    WAYLAND_SHIM_MINIMIZED = 1 << 1,
    WAYLAND_SHIM_ACTIVATED = 1 << 2,
    WAYLAND_SHIM_FULLSCREEN = 1 << 3,
};

typedef enum wayland_shim_event_kind {
    /* A toplevel's state is complete (its first `done`, or any later one). */
    WAYLAND_SHIM_EVENT_TOPLEVEL = 1,
    WAYLAND_SHIM_EVENT_TOPLEVEL_CLOSED,
    /* The compositor stopped sending toplevels (foreign-toplevel `finished`). */
    WAYLAND_SHIM_EVENT_TOPLEVELS_FINISHED,
    /* The clipboard (selection 0) or primary selection (1) has a new offer, or none. */
    WAYLAND_SHIM_EVENT_SELECTION,
    WAYLAND_SHIM_EVENT_DATA_CONTROL_FINISHED,
    /* An output's description is complete, or changed. */
    WAYLAND_SHIM_EVENT_OUTPUT,
    WAYLAND_SHIM_EVENT_OUTPUT_REMOVED,
} wayland_shim_event_kind;

typedef struct wayland_shim_event {
    wayland_shim_event_kind kind;
    /* TOPLEVEL*: the shim's own id for it, counted on from the connect call's
     * `last_toplevel`, never reused. OUTPUT*: the same, counted from 1 on each
     * connection. */
    uint32_t id;
    /* TOPLEVEL: title and app id (NULL when unset), state bits, the output it
     * entered last (0: none known), its parent toplevel (0: none). */
    char *title;
    char *app_id;
    uint32_t state;
    uint32_t output;
    uint32_t parent;
    /* SELECTION: 0 clipboard, 1 primary; has_offer 0 when the selection is
     * empty; the offered MIME types, one per line. */
    int32_t selection;
    int32_t has_offer;
    char *mime_types;
    /* OUTPUT: name, logical position and size (xdg-output when offered, else
     * the current mode at scale 1), physical size. */
    char *name;
    int32_t x, y, width, height, width_mm, height_mm;
} wayland_shim_event;

/* Connects to `display` (a socket name or an absolute path; NULL: $WAYLAND_DISPLAY)
 * and reads the globals and the current windows, outputs and selections.
 * Toplevel ids start after `last_toplevel` (the previous connection's
 * wayland_shim_last_toplevel, 0 at first), so an id names one window only.
 * NULL on failure, with `error` (size `error_size`) saying why. */
wayland_shim *wayland_shim_connect(const char *display, uint32_t last_toplevel, char *error, int error_size);
void wayland_shim_disconnect(wayland_shim *shim);
/* The last toplevel id given out on this connection. */
uint32_t wayland_shim_last_toplevel(const wayland_shim *shim);

/* wayland_shim_missing_global bits. */
uint32_t wayland_shim_missing(const wayland_shim *shim);
/* The version of `interface` the compositor offers, 0 when none. */
uint32_t wayland_shim_global_version(const wayland_shim *shim, const char *interface);

int wayland_shim_fd(const wayland_shim *shim);

/* Before poll(2): dispatches what is queued and flushes requests.
 * Returns 0, 1 when requests still wait for room in the socket (poll for
 * POLLOUT too, then flush), or -1 when the connection is lost. */
int wayland_shim_prepare(wayland_shim *shim);
/* After poll(2), whether the fd was `readable` or not: reads and dispatches.
 * Returns 0, or -1 when the connection is lost. */
int wayland_shim_dispatch(wayland_shim *shim, int readable);
/* Why the connection is lost, eg "Broken pipe". */
const char *wayland_shim_error(const wayland_shim *shim);

/* Takes the oldest queued event into `event`; 0 when none. Release it after. */
int wayland_shim_next_event(wayland_shim *shim, wayland_shim_event *event);
void wayland_shim_event_release(wayland_shim_event *event);

/* Requests on a toplevel (by id); 0 when sent, -1 when unknown or unsupported. */
int wayland_shim_activate(wayland_shim *shim, uint32_t toplevel);
int wayland_shim_set_fullscreen(wayland_shim *shim, uint32_t toplevel, int on);

/* Asks the owner of `selection` (0 clipboard, 1 primary) for `mime_type` and
 * returns the read end of a pipe the owner writes it into (non-blocking,
 * close-on-exec; the owner's write end blocks), or -1 when there is no such offer. */
int wayland_shim_receive(wayland_shim *shim, int32_t selection, const char *mime_type);

/* Sends queued requests now: 0 when all went, 1 when some wait for room in
 * the socket, -1 when the connection failed. */
int wayland_shim_flush(wayland_shim *shim);

#endif
