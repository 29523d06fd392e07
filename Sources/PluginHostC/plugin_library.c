#include "plugin_library.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Lists longer than this are cut, as PluginLibrary cuts them. */
#define LIST_LIMIT 256

static bool fail(byte_buffer *error, const char *format, ...) {
    char text[2048];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    error->length = 0;
    buffer_append_text(error, text);
    return false;
}

bool topic_is_valid(const char *topic, size_t length) {
    if (length == 0 || length > 64) return false;
    bool previous_was_dot = true;
    for (size_t i = 0; i < length; i++) {
        char c = topic[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
            previous_was_dot = false;
        } else if (c == '.') {
            if (previous_was_dot) return false;
            previous_was_dot = true;
        } else {
            return false;
        }
    }
    return !previous_was_dot;
}

/* A declared topic: a valid topic, or one followed by ".*" (not "*" alone). */
static bool pattern_is_valid(const char *pattern) {
    size_t length = strlen(pattern);
    if (length > 2 && strcmp(pattern + length - 2, ".*") == 0) return topic_is_valid(pattern, length - 2);
    return topic_is_valid(pattern, length);
}

bool plugin_library_declares(const plugin_library *library, const char *topic, size_t length) {
    if (library->topics == NULL) return false;
    for (int i = 0; i < LIST_LIMIT && library->topics[i] != NULL; i++) {
        const char *pattern = library->topics[i];
        size_t pattern_length = strlen(pattern);
        if (pattern_length > 2 && strcmp(pattern + pattern_length - 2, ".*") == 0) {
            /* "gaze.*" covers every topic under "gaze.", at any depth. */
            if (length > pattern_length - 1 && memcmp(topic, pattern, pattern_length - 1) == 0) return true;
        } else if (pattern_length == length && memcmp(topic, pattern, length) == 0) {
            return true;
        }
    }
    return false;
}

static bool id_is_valid(const char *id) {
    size_t length = strlen(id);
    if (length == 0 || length > 32) return false;
    for (size_t i = 0; i < length; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    return true;
}

static bool list_contains(const char *const *list, const char *item) {
    for (int i = 0; list != NULL && i < LIST_LIMIT && list[i] != NULL; i++) {
        if (strcmp(list[i], item) == 0) return true;
    }
    return false;
}

bool plugin_library_open(const char *path, plugin_library *library, byte_buffer *error) {
    if (access(path, F_OK) != 0) {
        return fail(error, "%s: no such plugin library (build it, or fix \"library\" / \"plugin_dir\" in the config)", path);
    }
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        if (reason == NULL) reason = "unknown error";
        size_t path_length = strlen(path);
        /* dlerror repeats the path. */
        if (strncmp(reason, path, path_length) == 0 && strncmp(reason + path_length, ": ", 2) == 0) reason += path_length + 2;
        return fail(error, "%s: cannot be loaded: %s", path, reason);
    }
    void *symbol = dlsym(handle, PROCTOR_ENTRY_SYMBOL);
    if (symbol == NULL) {
        for (int major = 0; major < 32; major++) {
            char name[64];
            snprintf(name, sizeof name, "proctor_plugin_entry_v%d", major);
            if (major != PROCTOR_ABI_MAJOR && dlsym(handle, name) != NULL) {
                return fail(error, "%s: ABI major mismatch: the plugin was built for ABI %d.x, this proctord speaks ABI %d.x; rebuild the plugin against this proctord's proctor_plugin.h",
                            path, major, PROCTOR_ABI_MAJOR);
            }
        }
        return fail(error, "%s: not a proctord plugin: it exports no proctor_plugin_entry_v* symbol", path);
    }
    proctor_plugin_entry_fn entry;
    memcpy(&entry, &symbol, sizeof entry);
    const proctor_plugin_descriptor_t *d = entry(PROCTOR_ABI_MAJOR, PROCTOR_ABI_MINOR);
    if (d == NULL) {
        return fail(error, "%s: the plugin refused to run under ABI %d.%d (it was probably built for a newer proctord)",
                    path, PROCTOR_ABI_MAJOR, PROCTOR_ABI_MINOR);
    }
    /* Every field of ABI 1.0 must be present; later minors append. */
    if (d->struct_size < sizeof(proctor_plugin_descriptor_t)) {
        return fail(error, "%s: malformed plugin descriptor: struct_size %u is smaller than ABI 1.0's %zu",
                    path, d->struct_size, sizeof(proctor_plugin_descriptor_t));
    }
    if (d->abi_major != PROCTOR_ABI_MAJOR) {
        return fail(error, "%s: ABI major mismatch: the plugin was built for ABI %u.x, this proctord speaks ABI %d.x; rebuild the plugin against this proctord's proctor_plugin.h",
                    path, d->abi_major, PROCTOR_ABI_MAJOR);
    }
    if (d->abi_minor > PROCTOR_ABI_MINOR) {
        return fail(error, "%s: the plugin needs ABI %u.%u, newer than this proctord's ABI %d.%d; update proctord",
                    path, d->abi_major, d->abi_minor, PROCTOR_ABI_MAJOR, PROCTOR_ABI_MINOR);
    }
    if (d->id == NULL || !id_is_valid(d->id)) {
        return fail(error, "%s: malformed plugin descriptor: id must be 1-32 characters of [a-z0-9_-]", path);
    }
    if (d->create == NULL || d->start == NULL || d->stop == NULL || d->destroy == NULL || d->last_error == NULL) {
        return fail(error, "%s: malformed plugin descriptor: create, start, stop, destroy and last_error are required", path);
    }
    bool requests = list_contains(d->capabilities, "requests");
    if (requests && d->request == NULL) {
        return fail(error, "%s: malformed plugin descriptor: declares \"requests\" but has no request function", path);
    }
    for (int i = 0; d->topics != NULL && i < LIST_LIMIT && d->topics[i] != NULL; i++) {
        if (!pattern_is_valid(d->topics[i])) {
            byte_buffer quoted = {0};
            buffer_append_json_string(&quoted, d->topics[i]);
            buffer_append_byte(&quoted, 0);
            fail(error, "%s: malformed plugin descriptor: topic %s is not a dotted lowercase topic", path, (const char *)quoted.data);
            buffer_free(&quoted);
            return false;
        }
    }
    *library = (plugin_library){
        .path = path, .descriptor = d, .id = d->id, .topics = d->topics, .answers_requests = requests,
    };
    return true;
}

static void append_list(byte_buffer *out, const char *const *list) {
    buffer_append_byte(out, '[');
    for (int i = 0; list != NULL && i < LIST_LIMIT && list[i] != NULL; i++) {
        if (i > 0) buffer_append_byte(out, ',');
        buffer_append_json_string(out, list[i]);
    }
    buffer_append_byte(out, ']');
}

void plugin_library_manifest_json(const plugin_library *library, byte_buffer *out) {
    const proctor_plugin_descriptor_t *d = library->descriptor;
    char abi[32];
    snprintf(abi, sizeof abi, "%u.%u", d->abi_major, d->abi_minor);
    /* "id" first and compact: the agent checks a restarted child's hello by `"id":"<id>"`. */
    buffer_append_text(out, "{\"id\":");
    buffer_append_json_string(out, d->id);
    buffer_append_text(out, ",\"name\":");
    buffer_append_json_string(out, d->name != NULL ? d->name : d->id);
    buffer_append_text(out, ",\"version\":");
    buffer_append_json_string(out, d->version != NULL ? d->version : "0");
    buffer_append_text(out, ",\"summary\":");
    buffer_append_json_string(out, d->description != NULL ? d->description : "");
    buffer_append_text(out, ",\"abi\":");
    buffer_append_json_string(out, abi);
    buffer_append_text(out, ",\"library\":");
    buffer_append_json_string(out, library->path);
    buffer_append_text(out, ",\"capabilities\":");
    append_list(out, d->capabilities);
    buffer_append_text(out, ",\"topics\":");
    append_list(out, d->topics);
    buffer_append_text(out, ",\"config_schema_text\":");
    buffer_append_json_string(out, d->config_schema != NULL ? d->config_schema : "{\"type\":\"object\"}");
    buffer_append_byte(out, '}');
}
