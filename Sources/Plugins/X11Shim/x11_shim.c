#include "x11_shim.h"

/* Xlib's header for extension writers: the one place the resource-id mask
 * the server sent at connection set-up is readable without libxcb. */
#include <X11/Xlibint.h>
#include <X11/extensions/XRes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long protocol_errors;
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

/* A request about a window that vanished meanwhile is normal on a desktop:
 * count it and carry on (Xlib's default handler would exit the process). */
static int on_protocol_error(Display *display, XErrorEvent *event) {
    (void)display;
    (void)event;
    __atomic_add_fetch(&protocol_errors, 1, __ATOMIC_RELAXED);
    return 0;
}

/* Xlib's default prints and exits; returning lets it go on to the
 * per-connection exit handler below, which returns too. */
static int on_io_error(Display *display) {
    (void)display;
    return 0;
}

static void on_io_error_exit(Display *display, void *user_data) {
    (void)display;
    ((x11_shim_connection *)user_data)->lost = 1;
}

static void install_handlers(void) {
    XSetErrorHandler(on_protocol_error);
    XSetIOErrorHandler(on_io_error);
}

unsigned long x11_shim_protocol_errors(void) {
    return __atomic_load_n(&protocol_errors, __ATOMIC_RELAXED);
}

x11_shim_connection *x11_shim_open(const char *name, char *error, size_t error_size) {
    pthread_once(&handlers_once, install_handlers);
    const char *wanted = (name != NULL && name[0] != '\0') ? name : NULL;
    Display *display = XOpenDisplay(wanted);
    if (display == NULL) {
        const char *shown = XDisplayName(wanted);
        snprintf(error, error_size, "cannot connect to X display \"%s\"", shown != NULL ? shown : "");
        return NULL;
    }
    x11_shim_connection *connection = calloc(1, sizeof(*connection));
    if (connection == NULL) {
        XCloseDisplay(display);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    connection->display = display;
    connection->root = DefaultRootWindow(display);
    connection->fd = ConnectionNumber(display);
    connection->resource_mask = display->resource_mask;
    XSetIOErrorExitHandler(display, on_io_error_exit, connection);

    int event_base = 0, error_base = 0, major = 0, minor = 0;
    if (XFixesQueryExtension(display, &event_base, &error_base)) {
        major = 5;
        minor = 0;
        if (XFixesQueryVersion(display, &major, &minor) && major >= 1) {
            connection->has_xfixes = 1;
            connection->xfixes_event_base = event_base;
        }
    }
    if (XRRQueryExtension(display, &event_base, &error_base)) {
        major = 1;
        minor = 5;
        if (XRRQueryVersion(display, &major, &minor) && (major > 1 || minor >= 5)) {
            connection->has_randr = 1;
            connection->randr_event_base = event_base;
        }
    }
    if (XResQueryExtension(display, &event_base, &error_base)) {
        major = 1;
        minor = 2;
        if (XResQueryVersion(display, &major, &minor) && (major > 1 || minor >= 2)) {
            connection->has_xres = 1;
            /* Any id in our own range names this connection's client. */
            connection->xres_pids_are_local = x11_shim_client_pid(connection, display->resource_base) == getpid();
        }
    }
    return connection;
}

pid_t x11_shim_client_pid(x11_shim_connection *connection, XID resource) {
    /* Client 0 in a spec means every client: never ask that by accident. */
    if (!connection->has_xres || connection->lost || resource == None) return 0;
    XResClientIdSpec spec = {.client = resource, .mask = XRES_CLIENT_ID_PID_MASK};
    long count = 0;
    XResClientIdValue *values = NULL;
    if (XResQueryClientIds(connection->display, 1, &spec, &count, &values) != Success) return 0;
    pid_t pid = 0;
    /* XResGetClientPid checks each value's type itself (XResGetClientIdType
     * would assert on a value that names no type). */
    for (long i = 0; i < count && values != NULL; i++) {
        pid_t found = XResGetClientPid(&values[i]);
        if (found > 0) pid = found;
    }
    XResClientIdsDestroy(count, values);
    return pid;
}

void x11_shim_close(x11_shim_connection *connection) {
    if (connection == NULL) return;
    XCloseDisplay(connection->display);
    free(connection);
}

static void decode(x11_shim_connection *connection, XEvent *event, x11_shim_event *out) {
    int type = event->type;
    if (connection->has_xfixes && type == connection->xfixes_event_base + XFixesSelectionNotify) {
        XFixesSelectionNotifyEvent *notify = (XFixesSelectionNotifyEvent *)event;
        out->kind = X11_SHIM_EVENT_SELECTION_OWNER;
        out->window = notify->window;
        out->owner = notify->owner;
        out->atom = notify->selection;
        out->time = notify->selection_timestamp;
        out->detail = notify->subtype;
        return;
    }
    if (connection->has_randr &&
        (type == connection->randr_event_base + RRScreenChangeNotify || type == connection->randr_event_base + RRNotify)) {
        XRRUpdateConfiguration(event);
        out->kind = X11_SHIM_EVENT_SCREEN_CHANGE;
        return;
    }
    switch (type) {
    case PropertyNotify:
        out->kind = X11_SHIM_EVENT_PROPERTY;
        out->window = event->xproperty.window;
        out->atom = event->xproperty.atom;
        out->time = event->xproperty.time;
        out->deleted = event->xproperty.state == PropertyDelete;
        break;
    case ConfigureNotify:
        if (event->xconfigure.window == connection->root) XRRUpdateConfiguration(event);
        out->kind = X11_SHIM_EVENT_CONFIGURE;
        out->window = event->xconfigure.window;
        out->x = event->xconfigure.x;
        out->y = event->xconfigure.y;
        out->width = event->xconfigure.width;
        out->height = event->xconfigure.height;
        break;
    case DestroyNotify:
        out->kind = X11_SHIM_EVENT_DESTROY;
        out->window = event->xdestroywindow.window;
        break;
    case MapNotify:
        out->kind = X11_SHIM_EVENT_MAP;
        out->window = event->xmap.window;
        break;
    case UnmapNotify:
        out->kind = X11_SHIM_EVENT_UNMAP;
        out->window = event->xunmap.window;
        break;
    case SelectionNotify:
        out->kind = X11_SHIM_EVENT_SELECTION_NOTIFY;
        out->window = event->xselection.requestor;
        out->atom = event->xselection.selection;
        out->target = event->xselection.target;
        out->property = event->xselection.property;
        out->time = event->xselection.time;
        break;
    case SelectionRequest:
        out->kind = X11_SHIM_EVENT_SELECTION_REQUEST;
        out->window = event->xselectionrequest.requestor;
        out->owner = event->xselectionrequest.owner;
        out->atom = event->xselectionrequest.selection;
        out->target = event->xselectionrequest.target;
        out->property = event->xselectionrequest.property;
        out->time = event->xselectionrequest.time;
        break;
    case SelectionClear:
        out->kind = X11_SHIM_EVENT_SELECTION_CLEAR;
        out->window = event->xselectionclear.window;
        out->atom = event->xselectionclear.selection;
        out->time = event->xselectionclear.time;
        break;
    default:
        out->kind = X11_SHIM_EVENT_OTHER;
        break;
    }
}

int x11_shim_next_event(x11_shim_connection *connection, x11_shim_event *out) {
    memset(out, 0, sizeof(*out));
    if (connection->lost || XPending(connection->display) <= 0 || connection->lost) return 0;
    XEvent event;
    XNextEvent(connection->display, &event);
    if (connection->lost) return 0;
    decode(connection, &event, out);
    return 1;
}

int x11_shim_send_root_message(x11_shim_connection *connection, Window window, Atom type,
                               long d0, long d1, long d2, long d3, long d4) {
    XEvent event;
    memset(&event, 0, sizeof(event));
    event.xclient.type = ClientMessage;
    event.xclient.window = window;
    event.xclient.message_type = type;
    event.xclient.format = 32;
    event.xclient.data.l[0] = d0;
    event.xclient.data.l[1] = d1;
    event.xclient.data.l[2] = d2;
    event.xclient.data.l[3] = d3;
    event.xclient.data.l[4] = d4;
    return XSendEvent(connection->display, connection->root, False,
                      SubstructureRedirectMask | SubstructureNotifyMask, &event) != 0;
}

int x11_shim_send_selection_notify(x11_shim_connection *connection, Window requestor, Atom selection,
                                   Atom target, Atom property, Time time) {
    XEvent event;
    memset(&event, 0, sizeof(event));
    event.xselection.type = SelectionNotify;
    event.xselection.requestor = requestor;
    event.xselection.selection = selection;
    event.xselection.target = target;
    event.xselection.property = property;
    event.xselection.time = time;
    return XSendEvent(connection->display, requestor, False, 0, &event) != 0;
}
