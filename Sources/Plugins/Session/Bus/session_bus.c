/*
 * session_bus.c — see session_bus.h. The connection is touched only by the
 * link's thread; other threads hand it work through a queue and the eventfd.
 */
#define _GNU_SOURCE
#include "session_bus.h"

#include <dbus/dbus.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define FIRST_RETRY_MS 250
/* How long a blocking call to the bus daemon, logind or the notification server may take. */
#define CALL_TIMEOUT_MS 3000
/* How long session_bus_notify waits for the link's thread: below the agent's
 * 5 s hang timeout, which would kill the plugin for a busy link. */
#define NOTIFY_WAIT_MS 4000

static const char *const SCREENSAVERS[] = {"org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"};
#define SCREENSAVER_COUNT 2
/* Where each screensaver serves GetActive. */
static const char *const SCREENSAVER_PATHS[] = {"/org/freedesktop/ScreenSaver", "/org/gnome/ScreenSaver"};
#define NOTIFICATIONS "org.freedesktop.Notifications"
#define LOGIN1 "org.freedesktop.login1"
#define LOGIN1_PATH "/org/freedesktop/login1"
#define LOGIN1_MANAGER "org.freedesktop.login1.Manager"
#define LOGIN1_SESSION "org.freedesktop.login1.Session"
#define PROPERTIES "org.freedesktop.DBus.Properties"

/* The watched services, as indexes into owners[] and the rediscover bits. */
enum { SERVICE_SCREENSAVER0, SERVICE_SCREENSAVER1, SERVICE_NOTIFICATIONS, SERVICE_LOGIN1, SERVICE_COUNT };

/* Work for the link's thread, waited for by the thread that queued it. The
 * Notify message is built by that thread, so the job holds nothing of the
 * caller's; a caller that stops waiting marks it abandoned and whoever is
 * last (under the lock) frees it. */
typedef struct job {
    DBusMessage *message;
    uint32_t id;
    int result;               /* 0 ok, -1 failed; set before done */
    char error[256];
    int done;
    int abandoned;
    struct job *next;
} job_t;

static void free_job(job_t *job) {
    if (job->message) dbus_message_unref(job->message);
    free(job);
}

struct session_bus {
    int system;
    char *address;
    unsigned retry_max_ms;
    unsigned retry_ms;
    session_bus_callback_t callback;
    void *callback_context;
    pthread_t thread;
    int started;
    int wake_fd;
    pthread_mutex_t lock;     /* guards running, jobs and each job's done */
    pthread_cond_t finished;
    int running;
    job_t *jobs;
    /* The link's thread only. */
    DBusConnection *connection;
    char *login_session;      /* our logind session's object path */
    /* Each watched service's unique name (NULL: none): only its owner's signals count. */
    char *owners[SERVICE_COUNT];
    unsigned rediscover;      /* services that appeared while dispatching: looked at after it */
};

enum { REDISCOVER_SCREENSAVER0 = 1, REDISCOVER_SCREENSAVER1 = 2, REDISCOVER_NOTIFICATIONS = 4, REDISCOVER_LOGIN1 = 8 };

static void emit(session_bus_t *b, session_bus_event_t *e) { b->callback(e, b->callback_context); }

static session_bus_event_t blank(session_bus_kind_t kind) {
    session_bus_event_t e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    return e;
}

static void emit_flag(session_bus_t *b, session_bus_kind_t kind, const char *name, int flag, int initial) {
    session_bus_event_t e = blank(kind);
    e.name = name;
    e.flag = flag;
    e.initial = initial;
    emit(b, &e);
}

/* ---- calls ---- */

/* Sends `message` (consumed) and waits for the reply; NULL with why in `error` on failure. */
static DBusMessage *call(session_bus_t *b, DBusMessage *message, char *error, size_t size) {
    if (!message) {
        snprintf(error, size, "out of memory");
        return NULL;
    }
    DBusError err;
    dbus_error_init(&err);
    DBusMessage *reply = dbus_connection_send_with_reply_and_block(b->connection, message, CALL_TIMEOUT_MS, &err);
    dbus_message_unref(message);
    if (!reply) {
        snprintf(error, size, "%s: %s", err.name ? err.name : "error", err.message ? err.message : "no answer");
        dbus_error_free(&err);
    }
    return reply;
}

static void set_owner(session_bus_t *b, int service, const char *owner) {
    free(b->owners[service]);
    b->owners[service] = owner && *owner ? strdup(owner) : NULL;
}

/* Looks up who owns `name` now (GetNameOwner) and keeps it as the service's
 * owner; 1 when it has one. */
static int look_up_owner(session_bus_t *b, int service, const char *name) {
    DBusMessage *m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetNameOwner");
    if (m) dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID);
    char error[256];
    DBusMessage *reply = call(b, m, error, sizeof error);  /* NameHasNoOwner: an error reply, so NULL */
    const char *owner = NULL;
    if (reply && !dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID)) owner = NULL;
    set_owner(b, service, owner);
    if (reply) dbus_message_unref(reply);
    return b->owners[service] != NULL;
}

/* Whether `message` comes from the current owner of `service`: anyone on a
 * bus can send a signal with any interface and path, and may address it to
 * our connection, which no match rule filters. */
static int from_owner(session_bus_t *b, DBusMessage *message, int service) {
    const char *sender = dbus_message_get_sender(message);
    return sender && b->owners[service] && strcmp(sender, b->owners[service]) == 0;
}

/* SERVICE event: present or not, text = its owner's unique name. */
static void emit_service(session_bus_t *b, int service, const char *name) {
    session_bus_event_t e = blank(SESSION_BUS_SERVICE);
    e.name = name;
    e.flag = b->owners[service] != NULL;
    e.text = b->owners[service];
    emit(b, &e);
}

/* Reads a variant's basic value of `type` at `iter`; 0 when it is another type. */
static int read_variant(DBusMessageIter *iter, int type, void *value) {
    if (dbus_message_iter_get_arg_type(iter) != DBUS_TYPE_VARIANT) return 0;
    DBusMessageIter inner;
    dbus_message_iter_recurse(iter, &inner);
    if (dbus_message_iter_get_arg_type(&inner) != type) return 0;
    dbus_message_iter_get_basic(&inner, value);
    return 1;
}

/* Properties.Get of a basic property; 0 when it could not be read. */
static int get_property(session_bus_t *b, const char *path, const char *interface, const char *property, int type, void *value) {
    DBusMessage *m = dbus_message_new_method_call(LOGIN1, path, PROPERTIES, "Get");
    if (m) dbus_message_append_args(m, DBUS_TYPE_STRING, &interface, DBUS_TYPE_STRING, &property, DBUS_TYPE_INVALID);
    char error[256];
    DBusMessage *reply = call(b, m, error, sizeof error);
    if (!reply) return 0;
    DBusMessageIter iter;
    int ok = dbus_message_iter_init(reply, &iter) && read_variant(&iter, type, value);
    dbus_message_unref(reply);
    return ok;
}

/* ---- the session bus's services ---- */

static void on_screensaver_active(DBusPendingCall *pending, void *data) {
    session_bus_t *b = ((void **)data)[0];
    intptr_t which = (intptr_t)((void **)data)[1];
    DBusMessage *reply = dbus_pending_call_steal_reply(pending);
    dbus_bool_t active;
    if (reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
        dbus_message_get_args(reply, NULL, DBUS_TYPE_BOOLEAN, &active, DBUS_TYPE_INVALID)) {
        emit_flag(b, SESSION_BUS_SCREENSAVER, SCREENSAVERS[which], active ? 1 : 0, 1);
    }
    if (reply) dbus_message_unref(reply);
}

/* GetActive, answered later: a screensaver that never answers holds nothing up. */
static void ask_screensaver(session_bus_t *b, int which) {
    DBusMessage *m = dbus_message_new_method_call(SCREENSAVERS[which], SCREENSAVER_PATHS[which], SCREENSAVERS[which], "GetActive");
    if (!m) return;
    DBusPendingCall *pending = NULL;
    if (dbus_connection_send_with_reply(b->connection, m, &pending, DBUS_TIMEOUT_USE_DEFAULT) && pending) {
        void **data = malloc(2 * sizeof(void *));
        if (data) {
            data[0] = b;
            data[1] = (void *)(intptr_t)which;
            dbus_pending_call_set_notify(pending, on_screensaver_active, data, free);
        }
        dbus_pending_call_unref(pending);
    }
    dbus_message_unref(m);
}

static void on_capabilities(DBusPendingCall *pending, void *data) {
    session_bus_t *b = data;
    DBusMessage *reply = dbus_pending_call_steal_reply(pending);
    char **caps = NULL;
    int count = 0;
    if (!reply) return;
    if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
        dbus_message_get_args(reply, NULL, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &caps, &count, DBUS_TYPE_INVALID)) {
        size_t length = 1;
        for (int i = 0; i < count; i++) length += strlen(caps[i]) + 1;
        char *text = calloc(1, length);
        if (text) {
            for (int i = 0; i < count; i++) {
                strcat(text, caps[i]);
                strcat(text, "\n");
            }
            session_bus_event_t e = blank(SESSION_BUS_CAPABILITIES);
            e.text = text;
            emit(b, &e);
            free(text);
        }
        dbus_free_string_array(caps);
    }
    dbus_message_unref(reply);
}

/* GetCapabilities, answered later: a server slow to answer holds up neither
 * the link's thread nor a notify waiting for it. */
static void ask_capabilities(session_bus_t *b) {
    DBusMessage *m = dbus_message_new_method_call(NOTIFICATIONS, "/org/freedesktop/Notifications", NOTIFICATIONS, "GetCapabilities");
    if (!m) return;
    DBusPendingCall *pending = NULL;
    if (dbus_connection_send_with_reply(b->connection, m, &pending, CALL_TIMEOUT_MS) && pending) {
        dbus_pending_call_set_notify(pending, on_capabilities, b, NULL);
        dbus_pending_call_unref(pending);
    }
    dbus_message_unref(m);
}

static void look_at_screensaver(session_bus_t *b, int which) {
    int present = look_up_owner(b, SERVICE_SCREENSAVER0 + which, SCREENSAVERS[which]);
    emit_service(b, SERVICE_SCREENSAVER0 + which, SCREENSAVERS[which]);
    if (present) ask_screensaver(b, which);
}

static void look_at_notifications(session_bus_t *b) {
    int present = look_up_owner(b, SERVICE_NOTIFICATIONS, NOTIFICATIONS);
    emit_service(b, SERVICE_NOTIFICATIONS, NOTIFICATIONS);
    if (present) ask_capabilities(b);
}

/* ---- logind ---- */

static int path_reply(DBusMessage *reply, char **path) {
    const char *found = NULL;
    int ok = reply && dbus_message_get_args(reply, NULL, DBUS_TYPE_OBJECT_PATH, &found, DBUS_TYPE_INVALID);
    if (ok) *path = strdup(found);
    if (reply) dbus_message_unref(reply);
    return ok;
}

/* Our session: XDG_SESSION_ID's, else the one this process runs in, else the
 * user's display session (a systemd user service runs in no session). */
static char *find_login_session(session_bus_t *b, char *why, size_t size) {
    char *path = NULL;
    const char *id = getenv("XDG_SESSION_ID");
    if (id && *id) {
        DBusMessage *m = dbus_message_new_method_call(LOGIN1, LOGIN1_PATH, LOGIN1_MANAGER, "GetSession");
        if (m) dbus_message_append_args(m, DBUS_TYPE_STRING, &id, DBUS_TYPE_INVALID);
        if (path_reply(call(b, m, why, size), &path)) return path;
    }
    dbus_uint32_t pid = (dbus_uint32_t)getpid();
    DBusMessage *m = dbus_message_new_method_call(LOGIN1, LOGIN1_PATH, LOGIN1_MANAGER, "GetSessionByPID");
    if (m) dbus_message_append_args(m, DBUS_TYPE_UINT32, &pid, DBUS_TYPE_INVALID);
    if (path_reply(call(b, m, why, size), &path)) return path;
    dbus_uint32_t uid = (dbus_uint32_t)getuid();
    m = dbus_message_new_method_call(LOGIN1, LOGIN1_PATH, LOGIN1_MANAGER, "GetUser");
    if (m) dbus_message_append_args(m, DBUS_TYPE_UINT32, &uid, DBUS_TYPE_INVALID);
    char *user = NULL;
    if (!path_reply(call(b, m, why, size), &user)) return NULL;
    const char *interface = "org.freedesktop.login1.User", *property = "Display";
    m = dbus_message_new_method_call(LOGIN1, user, PROPERTIES, "Get");
    free(user);
    if (m) dbus_message_append_args(m, DBUS_TYPE_STRING, &interface, DBUS_TYPE_STRING, &property, DBUS_TYPE_INVALID);
    DBusMessage *reply = call(b, m, why, size);
    if (!reply) return NULL;
    DBusMessageIter iter, variant, fields;
    if (dbus_message_iter_init(reply, &iter) && dbus_message_iter_get_arg_type(&iter) == DBUS_TYPE_VARIANT) {
        dbus_message_iter_recurse(&iter, &variant);
        if (dbus_message_iter_get_arg_type(&variant) == DBUS_TYPE_STRUCT) {
            dbus_message_iter_recurse(&variant, &fields);
            dbus_message_iter_next(&fields);  /* (session id, path) */
            if (dbus_message_iter_get_arg_type(&fields) == DBUS_TYPE_OBJECT_PATH) {
                const char *found;
                dbus_message_iter_get_basic(&fields, &found);
                if (strcmp(found, "/") != 0) path = strdup(found);
            }
        }
    }
    dbus_message_unref(reply);
    if (!path) snprintf(why, size, "user %u has no graphical session", (unsigned)uid);
    return path;
}

static void add_match(session_bus_t *b, const char *rule) { dbus_bus_add_match(b->connection, rule, NULL); }

/* Subscribes to (or, with watch 0, drops) the signals of the logind session at
 * path: a session found again after logind came back must not leave the old
 * session's rules behind, or the bus keeps sending what is then ignored. */
static void watch_login_session(session_bus_t *b, const char *path, int watch) {
    char rules[2][512];
    snprintf(rules[0], sizeof rules[0], "type='signal',sender='" LOGIN1 "',interface='" LOGIN1_SESSION "',path='%s'", path);
    snprintf(rules[1], sizeof rules[1], "type='signal',sender='" LOGIN1 "',interface='" PROPERTIES "',member='PropertiesChanged',path='%s'",
             path);
    for (int i = 0; i < 2; i++) {
        if (watch) add_match(b, rules[i]);
        else dbus_bus_remove_match(b->connection, rules[i], NULL);
    }
}

static void look_at_logind(session_bus_t *b) {
    int present = look_up_owner(b, SERVICE_LOGIN1, LOGIN1);
    emit_service(b, SERVICE_LOGIN1, LOGIN1);
    if (b->login_session) watch_login_session(b, b->login_session, 0);
    free(b->login_session);
    b->login_session = NULL;
    if (!present) return;
    char why[256] = "";
    b->login_session = find_login_session(b, why, sizeof why);
    session_bus_event_t e = blank(SESSION_BUS_LOGIN_SESSION);
    e.text = b->login_session;
    e.name = b->login_session ? NULL : why;
    emit(b, &e);
    if (!b->login_session) return;
    watch_login_session(b, b->login_session, 1);
    dbus_bool_t locked, idle;
    dbus_uint64_t since = 0;
    if (get_property(b, b->login_session, LOGIN1_SESSION, "LockedHint", DBUS_TYPE_BOOLEAN, &locked)) {
        emit_flag(b, SESSION_BUS_LOCK, LOGIN1, locked ? 1 : 0, 1);
    }
    if (get_property(b, b->login_session, LOGIN1_SESSION, "IdleHint", DBUS_TYPE_BOOLEAN, &idle)) {
        get_property(b, b->login_session, LOGIN1_SESSION, "IdleSinceHint", DBUS_TYPE_UINT64, &since);
        session_bus_event_t i = blank(SESSION_BUS_IDLE);
        i.flag = idle ? 1 : 0;
        i.initial = 1;
        i.number = since;
        emit(b, &i);
    }
}

/* PropertiesChanged on our session: IdleHint (with IdleSinceHint) and LockedHint.
 * Anything but the signature the interface defines is ignored: a dict keyed
 * by something else (a{iv}) would hand strcmp an integer. */
static void session_properties(session_bus_t *b, DBusMessage *message) {
    DBusMessageIter iter, changed, entry;
    const char *interface;
    if (!dbus_message_has_signature(message, "sa{sv}as")) return;
    if (!dbus_message_iter_init(message, &iter) || dbus_message_iter_get_arg_type(&iter) != DBUS_TYPE_STRING) return;
    dbus_message_iter_get_basic(&iter, &interface);
    if (strcmp(interface, LOGIN1_SESSION) != 0 || !dbus_message_iter_next(&iter) ||
        dbus_message_iter_get_arg_type(&iter) != DBUS_TYPE_ARRAY) return;
    int idle = -1, locked = -1;
    dbus_uint64_t since = 0;
    dbus_message_iter_recurse(&iter, &changed);
    while (dbus_message_iter_get_arg_type(&changed) == DBUS_TYPE_DICT_ENTRY) {
        const char *key;
        dbus_bool_t flag;
        dbus_message_iter_recurse(&changed, &entry);
        if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_STRING) return;
        dbus_message_iter_get_basic(&entry, &key);
        if (!dbus_message_iter_next(&entry)) return;
        if (strcmp(key, "IdleHint") == 0 && read_variant(&entry, DBUS_TYPE_BOOLEAN, &flag)) idle = flag ? 1 : 0;
        else if (strcmp(key, "LockedHint") == 0 && read_variant(&entry, DBUS_TYPE_BOOLEAN, &flag)) locked = flag ? 1 : 0;
        else if (strcmp(key, "IdleSinceHint") == 0) read_variant(&entry, DBUS_TYPE_UINT64, &since);
        dbus_message_iter_next(&changed);
    }
    if (locked >= 0) emit_flag(b, SESSION_BUS_LOCK, LOGIN1, locked, 0);
    if (idle >= 0) {
        session_bus_event_t e = blank(SESSION_BUS_IDLE);
        e.flag = idle;
        e.number = since;
        emit(b, &e);
    }
}

/* ---- signals ---- */

static DBusHandlerResult on_message(DBusConnection *connection, DBusMessage *message, void *data) {
    (void)connection;
    session_bus_t *b = data;
    if (dbus_message_get_type(message) != DBUS_MESSAGE_TYPE_SIGNAL) return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
    const char *interface = dbus_message_get_interface(message), *member = dbus_message_get_member(message);
    if (!interface || !member) return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
    dbus_bool_t flag;
    const char *sender = dbus_message_get_sender(message);
    if (dbus_message_is_signal(message, DBUS_INTERFACE_DBUS, "NameOwnerChanged")) {
        const char *name, *old_owner, *new_owner;
        if (!sender || strcmp(sender, DBUS_SERVICE_DBUS) != 0) return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;  /* the bus's word only */
        if (!dbus_message_get_args(message, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old_owner, DBUS_TYPE_STRING,
                                   &new_owner, DBUS_TYPE_INVALID)) return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
        /* The new owner counts at once (a signal it sends before the look-up
         * is its own); the look-up after dispatching confirms it. */
        for (int i = 0; i < SCREENSAVER_COUNT; i++) {
            if (strcmp(name, SCREENSAVERS[i]) == 0) {
                set_owner(b, SERVICE_SCREENSAVER0 + i, new_owner);
                b->rediscover |= i == 0 ? REDISCOVER_SCREENSAVER0 : REDISCOVER_SCREENSAVER1;
            }
        }
        if (strcmp(name, NOTIFICATIONS) == 0) {
            set_owner(b, SERVICE_NOTIFICATIONS, new_owner);
            b->rediscover |= REDISCOVER_NOTIFICATIONS;
        }
        if (strcmp(name, LOGIN1) == 0) {
            set_owner(b, SERVICE_LOGIN1, new_owner);
            b->rediscover |= REDISCOVER_LOGIN1;
        }
    } else if (strcmp(member, "ActiveChanged") == 0 && !b->system) {
        for (int i = 0; i < SCREENSAVER_COUNT; i++) {
            if (strcmp(interface, SCREENSAVERS[i]) == 0 && from_owner(b, message, SERVICE_SCREENSAVER0 + i) &&
                dbus_message_get_args(message, NULL, DBUS_TYPE_BOOLEAN, &flag, DBUS_TYPE_INVALID)) {
                emit_flag(b, SESSION_BUS_SCREENSAVER, SCREENSAVERS[i], flag ? 1 : 0, 0);
            }
        }
    } else if (b->system ? !from_owner(b, message, SERVICE_LOGIN1) : !from_owner(b, message, SERVICE_NOTIFICATIONS)) {
        /* Below: the notification server's signals, or logind's; from anyone else they are forged. */
    } else if (!b->system && dbus_message_is_signal(message, NOTIFICATIONS, "ActionInvoked")) {
        dbus_uint32_t id;
        const char *key;
        if (dbus_message_get_args(message, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_STRING, &key, DBUS_TYPE_INVALID)) {
            session_bus_event_t e = blank(SESSION_BUS_ACTION);
            e.id = id;
            e.text = key;
            emit(b, &e);
        }
    } else if (!b->system && dbus_message_is_signal(message, NOTIFICATIONS, "NotificationClosed")) {
        dbus_uint32_t id, reason;
        if (dbus_message_get_args(message, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_UINT32, &reason, DBUS_TYPE_INVALID)) {
            session_bus_event_t e = blank(SESSION_BUS_CLOSED);
            e.id = id;
            e.number = reason;
            emit(b, &e);
        }
    } else if (b->system && dbus_message_is_signal(message, LOGIN1_MANAGER, "PrepareForSleep")) {
        if (dbus_message_get_args(message, NULL, DBUS_TYPE_BOOLEAN, &flag, DBUS_TYPE_INVALID)) {
            emit_flag(b, SESSION_BUS_SLEEP, LOGIN1, flag ? 1 : 0, 0);
        }
    } else if (b->system && b->login_session && dbus_message_has_path(message, b->login_session)) {
        if (dbus_message_is_signal(message, LOGIN1_SESSION, "Lock")) emit_flag(b, SESSION_BUS_LOCK, LOGIN1, 1, 0);
        else if (dbus_message_is_signal(message, LOGIN1_SESSION, "Unlock")) emit_flag(b, SESSION_BUS_LOCK, LOGIN1, 0, 0);
        else if (dbus_message_is_signal(message, PROPERTIES, "PropertiesChanged")) session_properties(b, message);
    }
    return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void rediscover(session_bus_t *b) {
    while (b->rediscover && b->connection) {
        unsigned wanted = b->rediscover;
        b->rediscover = 0;
        if (wanted & REDISCOVER_SCREENSAVER0) look_at_screensaver(b, 0);
        if (wanted & REDISCOVER_SCREENSAVER1) look_at_screensaver(b, 1);
        if (wanted & REDISCOVER_NOTIFICATIONS) look_at_notifications(b);
        if (wanted & REDISCOVER_LOGIN1) look_at_logind(b);
    }
}

/* ---- the connection ---- */

static void forget_connection(session_bus_t *b) {
    if (!b->connection) return;
    dbus_connection_remove_filter(b->connection, on_message, b);
    dbus_connection_close(b->connection);
    dbus_connection_unref(b->connection);
    b->connection = NULL;
    free(b->login_session);
    b->login_session = NULL;
    for (int i = 0; i < SERVICE_COUNT; i++) set_owner(b, i, NULL);
    b->rediscover = 0;
}

static void disconnected(session_bus_t *b, const char *why) {
    forget_connection(b);
    session_bus_event_t e = blank(SESSION_BUS_DISCONNECTED);
    e.text = why;
    emit(b, &e);
}

static int connect_now(session_bus_t *b) {
    DBusError err;
    dbus_error_init(&err);
    DBusConnection *c = dbus_connection_open_private(b->address, &err);
    if (c && !dbus_bus_register(c, &err)) {
        dbus_connection_close(c);
        dbus_connection_unref(c);
        c = NULL;
    }
    if (!c) {
        char why[512];
        snprintf(why, sizeof why, "%s", err.message ? err.message : "cannot connect");
        dbus_error_free(&err);
        disconnected(b, why);
        return 0;
    }
    dbus_connection_set_exit_on_disconnect(c, FALSE);
    b->connection = c;
    dbus_connection_add_filter(c, on_message, b, NULL);
    b->retry_ms = FIRST_RETRY_MS;
    session_bus_event_t e = blank(SESSION_BUS_CONNECTED);
    e.text = dbus_bus_get_unique_name(c);
    emit(b, &e);
    if (b->system) {
        add_match(b, "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',arg0='" LOGIN1 "'");
        add_match(b, "type='signal',sender='" LOGIN1 "',interface='" LOGIN1_MANAGER "',member='PrepareForSleep'");
        b->rediscover = REDISCOVER_LOGIN1;
    } else {
        for (int i = 0; i < SCREENSAVER_COUNT; i++) {
            char rule[256];
            snprintf(rule, sizeof rule, "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" DBUS_INTERFACE_DBUS
                     "',member='NameOwnerChanged',arg0='%s'", SCREENSAVERS[i]);
            add_match(b, rule);
            /* The bus matches a well-known sender against the name's owner; on_message checks again. */
            snprintf(rule, sizeof rule, "type='signal',sender='%s',interface='%s',member='ActiveChanged'", SCREENSAVERS[i], SCREENSAVERS[i]);
            add_match(b, rule);
        }
        add_match(b, "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',arg0='" NOTIFICATIONS "'");
        add_match(b, "type='signal',sender='" NOTIFICATIONS "',interface='" NOTIFICATIONS "',member='ActionInvoked'");
        add_match(b, "type='signal',sender='" NOTIFICATIONS "',interface='" NOTIFICATIONS "',member='NotificationClosed'");
        b->rediscover = REDISCOVER_SCREENSAVER0 | REDISCOVER_SCREENSAVER1 | REDISCOVER_NOTIFICATIONS;
    }
    return 1;
}

/* ---- notifications ---- */

static void notify_now(session_bus_t *b, job_t *job) {
    if (!b->connection) {
        snprintf(job->error, sizeof job->error, "not connected to the session bus");
        job->result = -1;
        return;
    }
    DBusMessage *m = job->message;
    job->message = NULL;
    DBusMessage *reply = call(b, m, job->error, sizeof job->error);
    if (!reply) {
        job->result = -1;
        return;
    }
    dbus_uint32_t id = 0;
    if (dbus_message_get_args(reply, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID)) {
        job->id = id;
        job->result = 0;
    } else {
        snprintf(job->error, sizeof job->error, "the notification server's answer has no id");
        job->result = -1;
    }
    dbus_message_unref(reply);
}

/* Notify(app, 0, icon, summary, body, actions, hints, timeout); NULL when out of memory. */
static DBusMessage *notify_message(const session_bus_notification_t *n) {
    DBusMessage *m = dbus_message_new_method_call(NOTIFICATIONS, "/org/freedesktop/Notifications", NOTIFICATIONS, "Notify");
    if (!m) return NULL;
    DBusMessageIter iter, array, entry, variant;
    dbus_uint32_t replaces = 0;
    dbus_int32_t expire = n->expire_timeout_ms;
    const char *app = n->app_name ? n->app_name : "", *icon = n->icon ? n->icon : "";
    const char *summary = n->summary ? n->summary : "", *body = n->body ? n->body : "";
    dbus_message_iter_init_append(m, &iter);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &app);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_UINT32, &replaces);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &icon);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &summary);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_STRING, &body);
    dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "s", &array);
    for (size_t i = 0; i < n->action_count * 2; i++) dbus_message_iter_append_basic(&array, DBUS_TYPE_STRING, &n->actions[i]);
    dbus_message_iter_close_container(&iter, &array);
    dbus_message_iter_open_container(&iter, DBUS_TYPE_ARRAY, "{sv}", &array);
    const char *hints[] = {"urgency", "desktop-entry"};
    const char *entry_name = "proctord";
    for (int i = 0; i < 2; i++) {
        dbus_message_iter_open_container(&array, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
        dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &hints[i]);
        dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, i == 0 ? "y" : "s", &variant);
        if (i == 0) dbus_message_iter_append_basic(&variant, DBUS_TYPE_BYTE, &n->urgency);
        else dbus_message_iter_append_basic(&variant, DBUS_TYPE_STRING, &entry_name);
        dbus_message_iter_close_container(&entry, &variant);
        dbus_message_iter_close_container(&array, &entry);
    }
    dbus_message_iter_close_container(&iter, &array);
    dbus_message_iter_append_basic(&iter, DBUS_TYPE_INT32, &expire);
    return m;
}

/* Runs (or, when stopping, fails) every queued job and wakes their callers. */
static void run_jobs(session_bus_t *b, int fail) {
    for (;;) {
        pthread_mutex_lock(&b->lock);
        job_t *job = b->jobs;
        if (job) b->jobs = job->next;
        pthread_mutex_unlock(&b->lock);
        if (!job) return;
        if (fail) {
            snprintf(job->error, sizeof job->error, "the session plugin is stopping");
            job->result = -1;
        } else {
            notify_now(b, job);
        }
        pthread_mutex_lock(&b->lock);
        job->done = 1;
        int abandoned = job->abandoned;
        pthread_cond_broadcast(&b->finished);
        pthread_mutex_unlock(&b->lock);
        if (abandoned) free_job(job);  /* its caller gave up: nobody else holds it */
    }
}

static int is_running(session_bus_t *b) {
    pthread_mutex_lock(&b->lock);
    int running = b->running;
    pthread_mutex_unlock(&b->lock);
    return running;
}

static void drain_wake(session_bus_t *b) {
    uint64_t count;
    while (read(b->wake_fd, &count, sizeof count) < 0 && errno == EINTR) {}
}

/* Sleeps until woken or `ms` pass (-1: until woken); 1 when woken. */
static int wait_for_wake(session_bus_t *b, int fd, short events, int ms, short *revents) {
    struct pollfd fds[2] = {{.fd = b->wake_fd, .events = POLLIN}, {.fd = fd, .events = events}};
    int n;
    do n = poll(fds, fd >= 0 ? 2 : 1, ms); while (n < 0 && errno == EINTR);
    if (revents) *revents = fd >= 0 ? fds[1].revents : 0;
    if (n > 0 && (fds[0].revents & POLLIN)) {
        drain_wake(b);
        return 1;
    }
    return 0;
}

static void *loop(void *data) {
    session_bus_t *b = data;
    while (is_running(b)) {
        if (!b->connection) {
            run_jobs(b, 0);  /* answered at once: not connected */
            if (connect_now(b)) continue;
            wait_for_wake(b, -1, 0, (int)b->retry_ms, NULL);
            b->retry_ms = b->retry_ms * 2 > b->retry_max_ms ? b->retry_max_ms : b->retry_ms * 2;
            continue;
        }
        rediscover(b);
        while (b->connection && dbus_connection_dispatch(b->connection) == DBUS_DISPATCH_DATA_REMAINS) {}
        if (b->rediscover) continue;
        if (!dbus_connection_get_is_connected(b->connection)) {
            disconnected(b, "the bus closed the connection");
            continue;
        }
        int fd = -1;
        dbus_connection_get_unix_fd(b->connection, &fd);
        short events = POLLIN | (dbus_connection_has_messages_to_send(b->connection) ? POLLOUT : 0);
        short revents = 0;
        if (wait_for_wake(b, fd, events, -1, &revents)) run_jobs(b, 0);
        if (revents && b->connection) dbus_connection_read_write(b->connection, 0);
    }
    run_jobs(b, 1);
    forget_connection(b);
    return NULL;
}

/* ---- public ---- */

session_bus_t *session_bus_new(int system, const char *address, unsigned reconnect_max_ms,
                               session_bus_callback_t callback, void *context) {
    dbus_threads_init_default();
    session_bus_t *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (b->wake_fd < 0) {
        free(b);
        return NULL;
    }
    b->system = system;
    b->address = strdup(address ? address : "");
    b->retry_max_ms = reconnect_max_ms < FIRST_RETRY_MS ? FIRST_RETRY_MS : reconnect_max_ms;
    b->retry_ms = FIRST_RETRY_MS;
    b->callback = callback;
    b->callback_context = context;
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);  /* a wall clock that steps must not stretch the wait */
    pthread_cond_init(&b->finished, &attributes);
    pthread_condattr_destroy(&attributes);
    return b;
}

void session_bus_set_context(session_bus_t *b, void *context) { b->callback_context = context; }

static void wake(session_bus_t *b) {
    uint64_t one = 1;
    while (write(b->wake_fd, &one, sizeof one) < 0 && errno == EINTR) {}
}

int session_bus_start(session_bus_t *b) {
    if (b->started) return 0;
    b->running = 1;
    b->retry_ms = FIRST_RETRY_MS;
    if (pthread_create(&b->thread, NULL, loop, b) != 0) {
        b->running = 0;
        return -1;
    }
    pthread_setname_np(b->thread, b->system ? "session-sysbus" : "session-bus");
    b->started = 1;
    return 0;
}

void session_bus_stop(session_bus_t *b) {
    if (!b->started) return;
    pthread_mutex_lock(&b->lock);
    b->running = 0;
    pthread_mutex_unlock(&b->lock);
    wake(b);
    pthread_join(b->thread, NULL);
    b->started = 0;
}

void session_bus_free(session_bus_t *b) {
    if (!b) return;
    session_bus_stop(b);
    close(b->wake_fd);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->finished);
    free(b->address);
    free(b);
}

int session_bus_notify(session_bus_t *b, const session_bus_notification_t *notification, uint32_t *id,
                       char *error, size_t error_size) {
    job_t *job = calloc(1, sizeof *job);
    if (job) job->message = notify_message(notification);
    if (!job || !job->message) {
        if (job) free_job(job);
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    pthread_mutex_lock(&b->lock);
    if (!b->running) {
        pthread_mutex_unlock(&b->lock);
        free_job(job);
        snprintf(error, error_size, "the session plugin is not running");
        return -1;
    }
    job_t **tail = &b->jobs;
    while (*tail) tail = &(*tail)->next;
    *tail = job;
    pthread_mutex_unlock(&b->lock);
    wake(b);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += NOTIFY_WAIT_MS / 1000;
    deadline.tv_nsec += (long)(NOTIFY_WAIT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->lock);
    int timed_out = 0;
    while (!job->done && !timed_out) timed_out = pthread_cond_timedwait(&b->finished, &b->lock, &deadline) == ETIMEDOUT;
    if (!job->done) {
        /* Still queued: take it out. Under way: the link's thread frees it when done. */
        job_t **at = &b->jobs;
        while (*at && *at != job) at = &(*at)->next;
        int queued = *at == job;
        if (queued) *at = job->next;
        else job->abandoned = 1;
        pthread_mutex_unlock(&b->lock);
        if (queued) free_job(job);
        snprintf(error, error_size, "busy: the session bus link did not get to the notification within %d ms", NOTIFY_WAIT_MS);
        return -1;
    }
    pthread_mutex_unlock(&b->lock);
    int result = job->result;
    if (result == 0) *id = job->id;
    else snprintf(error, error_size, "%s", job->error);
    free_job(job);
    return result;
}
