/*
 * session_bus.h — the session plugin's link to one D-Bus bus (the session
 * bus or the system bus) through libdbus. Each link owns a private
 * connection and a thread of its own that sleeps in poll(2) on the
 * connection's socket and an eventfd: nothing is polled on a timer. A bus
 * that goes away is reconnected after a back-off (250 ms, doubling up to the
 * reconnect maximum), and what was watched is watched again.
 *
 * What it watches:
 *   session bus: org.freedesktop.ScreenSaver and org.gnome.ScreenSaver
 *                (ActiveChanged, and GetActive when one appears),
 *                org.freedesktop.Notifications (its capabilities, and
 *                ActionInvoked / NotificationClosed);
 *   system bus:  logind (org.freedesktop.login1): PrepareForSleep, and for
 *                our session Lock / Unlock, LockedHint and IdleHint.
 *
 * Only the current owner of a watched name is believed: a signal from any
 * other sender (anyone may send one, and may address it to our connection,
 * past every match rule) is ignored. The owners are looked up with
 * GetNameOwner when a service is looked at and followed through the bus's
 * NameOwnerChanged.
 *
 * Threads: the callback runs on the link's thread, one event at a time;
 * every pointer in an event is valid only during the call. The other
 * functions may be called from any one other thread, never from inside the
 * callback.
 */
#ifndef PROCTORD_SESSION_BUS_H
#define PROCTORD_SESSION_BUS_H

#include <stddef.h>
#include <stdint.h>

typedef enum session_bus_kind {
    /* Connected and registered: text = our unique name. */
    SESSION_BUS_CONNECTED = 1,
    /* Could not connect, or the bus went away (text = why); a retry follows. */
    SESSION_BUS_DISCONNECTED,
    /* A watched service is there (flag 1) or not (flag 0): name = its bus name,
     * text = its owner's unique name (NULL when none). A new owner is a new
     * service: the old one's notification ids mean nothing to it. */
    SESSION_BUS_SERVICE,
    /* A screensaver is active (flag 1) or not: name = its interface; initial = read with GetActive. */
    SESSION_BUS_SCREENSAVER,
    /* The notification server's capabilities: text = one per line. */
    SESSION_BUS_CAPABILITIES,
    /* Our logind session: text = its object path, or NULL with name = why none was found. */
    SESSION_BUS_LOGIN_SESSION,
    /* logind says our session is locked (flag 1) or unlocked; initial = read from LockedHint. */
    SESSION_BUS_LOCK,
    /* logind's PrepareForSleep: flag 1 before sleeping, 0 after waking. */
    SESSION_BUS_SLEEP,
    /* Our session's IdleHint (flag) and IdleSinceHint (number, µs since the epoch, 0 = unknown). */
    SESSION_BUS_IDLE,
    /* A notification's action was invoked: id, text = the action's key. */
    SESSION_BUS_ACTION,
    /* A notification was closed: id, number = the server's reason (1 expired, 2 dismissed, 3 closed, 4 undefined). */
    SESSION_BUS_CLOSED,
} session_bus_kind_t;

typedef struct session_bus_event {
    session_bus_kind_t kind;
    const char *name;
    const char *text;
    int flag;
    int initial;
    uint32_t id;
    uint64_t number;
} session_bus_event_t;

typedef void (*session_bus_callback_t)(const session_bus_event_t *event, void *context);

typedef struct session_bus session_bus_t;

/* system: 0 watches the session bus's services, 1 the system bus's.
 * address: the bus's D-Bus address ("unix:path=/run/user/1000/bus").
 * Does not connect yet. */
session_bus_t *session_bus_new(int system, const char *address, unsigned reconnect_max_ms,
                               session_bus_callback_t callback, void *context);

/* Sets the callback's context (before session_bus_start). */
void session_bus_set_context(session_bus_t *bus, void *context);

/* Starts the link's thread and its first connection attempt. 0 on success. */
int session_bus_start(session_bus_t *bus);

/* Disconnects and joins the thread; no callback runs after it returns. */
void session_bus_stop(session_bus_t *bus);

void session_bus_free(session_bus_t *bus);

typedef struct session_bus_notification {
    const char *app_name;
    const char *icon;
    const char *summary;
    const char *body;
    /* Pairs of key and label, action_count pairs; NULL when none. */
    const char *const *actions;
    size_t action_count;
    uint8_t urgency;          /* 0 low, 1 normal, 2 critical */
    int32_t expire_timeout_ms; /* -1: the server's default */
} session_bus_notification_t;

/* Sends Notify on the link's thread and waits for the server's answer, at
 * most 4 s in all (below the agent's 5 s hang timeout): a link still busy
 * then answers "busy: ..." and the notification, if it is still shown, is
 * not reported. Returns 0 and sets *id, or -1 with the reason in error
 * (NUL-terminated, cut to error_size). */
int session_bus_notify(session_bus_t *bus, const session_bus_notification_t *notification, uint32_t *id,
                       char *error, size_t error_size);

#endif
