/*
 * x11_shim.h — the parts of Xlib that Swift cannot use well, wrapped for the
 * screen and desktop plugins: macros, the XEvent union, client messages, the
 * error handlers and X-Resource client ids. Everything else
 * (XGetWindowProperty, XRRGetMonitors, XFixesSelectSelectionInput, ...) Swift
 * calls directly through this header.
 *
 * Threads: a connection belongs to the one thread that opened it. Nothing here
 * calls XInitThreads; never share a connection between threads.
 */
#ifndef PROCTORD_X11_SHIM_H
#define PROCTORD_X11_SHIM_H

#include <stddef.h>
#include <sys/types.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/Xutil.h>
#include <X11/extensions/Xfixes.h>
#include <X11/extensions/Xrandr.h>

/* One connection to an X server and what the shim learned while opening it.
 * Owned by the caller of x11_shim_open; freed by x11_shim_close. */
typedef struct x11_shim_connection {
    Display *display;
    Window root;
    int fd;                /* the socket to poll(2) for readability */
    XID resource_mask;     /* the bits of an XID a client allocates itself */
    int has_xfixes;        /* XFixes >= 1 (selection-owner notifications) */
    int xfixes_event_base;
    int has_randr;         /* RandR >= 1.5 (monitors) */
    int randr_event_base;
    int has_xres;          /* X-Resource >= 1.2 (the process behind a client) */
    /* The server's process ids are this machine's: asked about this connection,
     * it named this process. False over TCP (no id at all) and when the server
     * runs in another pid namespace (a container) or on another machine. */
    int xres_pids_are_local;
    /* Set by the I/O error exit handler when the server went away. Xlib calls
     * return harmlessly afterwards; check it after each batch of calls and then
     * only x11_shim_close the connection. */
    volatile int lost;
} x11_shim_connection;

/* Opens `name` (eg ":0"; NULL or "" means $DISPLAY) with error handlers that
 * never exit the process: protocol errors (a window that vanished) are counted
 * and ignored, a lost server sets `lost`. Negotiates XFixes, RandR and
 * X-Resource (one extra round trip to check its process ids).
 * Returns NULL when the server cannot be reached, with a reason in `error`. */
x11_shim_connection *x11_shim_open(const char *name, char *error, size_t error_size);

/* Closes the connection (also a lost one) and frees it. */
void x11_shim_close(x11_shim_connection *connection);

/* How many X protocol errors the process has ignored so far (all connections). */
unsigned long x11_shim_protocol_errors(void);

/* ------------------------------------------------------------------ events */

typedef enum x11_shim_event_kind {
    X11_SHIM_EVENT_OTHER = 0,
    X11_SHIM_EVENT_PROPERTY,          /* window, atom; deleted when the property went away */
    X11_SHIM_EVENT_CONFIGURE,         /* window, x, y, width, height (parent-relative) */
    X11_SHIM_EVENT_DESTROY,           /* window */
    X11_SHIM_EVENT_MAP,               /* window */
    X11_SHIM_EVENT_UNMAP,             /* window */
    X11_SHIM_EVENT_SELECTION_OWNER,   /* atom = selection, owner (None when cleared), detail = XFixes subtype */
    X11_SHIM_EVENT_SELECTION_NOTIFY,  /* window = requestor, atom = selection, target, property (None: refused) */
    X11_SHIM_EVENT_SELECTION_REQUEST, /* window = requestor, owner, atom = selection, target, property */
    X11_SHIM_EVENT_SELECTION_CLEAR,   /* window = the old owner, atom = selection */
    X11_SHIM_EVENT_SCREEN_CHANGE,     /* RandR screen, CRTC or output change */
} x11_shim_event_kind;

/* An XEvent flattened to what the plugins read. Fields a kind does not list are 0. */
typedef struct x11_shim_event {
    int kind;          /* an x11_shim_event_kind */
    Window window;
    Window owner;
    Atom atom;
    Atom target;
    Atom property;
    Time time;
    int detail;
    int deleted;
    int x, y, width, height;
} x11_shim_event;

/* Takes the next event without blocking: reads what the socket holds, flushes
 * what is queued. Returns 1 with *out filled, 0 when none is pending (or the
 * connection is lost). */
int x11_shim_next_event(x11_shim_connection *connection, x11_shim_event *out);

/* ---------------------------------------------------------------- requests */

/* Sends an EWMH client message about `window` to the root window, as pagers
 * and taskbars do (SubstructureRedirect | SubstructureNotify), eg:
 * _NET_WM_STATE with {1 (add), _NET_WM_STATE_FULLSCREEN, 0, 2 (pager), 0}.
 * Returns nonzero when queued; the caller flushes. */
int x11_shim_send_root_message(x11_shim_connection *connection, Window window, Atom type,
                               long d0, long d1, long d2, long d3, long d4);

/* Answers a SelectionRequest (for tests and benchmarks that own a selection):
 * tells `requestor` that `property` now holds the conversion, or None. */
int x11_shim_send_selection_notify(x11_shim_connection *connection, Window requestor, Atom selection,
                                   Atom target, Atom property, Time time);

/* ---------------------------------------------------------------- clients */

/* The process of the X client that created `resource` (any id it allocated,
 * eg a selection owner's window), as the server learnt it from the client's
 * local socket (X-Resource 1.2, XResQueryClientIds with XRES_CLIENT_ID_PID_MASK).
 * For clients that set no _NET_WM_PID, eg xclip. Returns 0 when unknown: no
 * X-Resource 1.2, `resource` is None, the client is gone, or it connected over
 * TCP. The id is in the server's pid namespace; trust it only with
 * `xres_pids_are_local`. Blocks for one round trip. */
pid_t x11_shim_client_pid(x11_shim_connection *connection, XID resource);

#endif
