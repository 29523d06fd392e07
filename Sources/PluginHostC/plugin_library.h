/* A plugin library opened with dlopen and checked against the ABI, with the
 * same checks and the same words as PluginLibrary
 * (Sources/PluginHosting/Loader/PluginLibrary.swift); the config schema is
 * passed on as text and checked by the agent. */
#ifndef PROCTORD_HOST_C_PLUGIN_LIBRARY_H
#define PROCTORD_HOST_C_PLUGIN_LIBRARY_H

#include <stdbool.h>

#include "byte_buffer.h"
#include "proctor_plugin.h"

typedef struct {
    const char *path;
    const proctor_plugin_descriptor_t *descriptor;
    const char *id;
    const char *const *topics;
    bool answers_requests;
} plugin_library;

/* Opens and checks the library. On failure returns false and puts the
 * reason, naming the path, in `error`. */
bool plugin_library_open(const char *path, plugin_library *library, byte_buffer *error);

/* The hello frame's JSON: the manifest, with `config_schema_text` (the
 * schema as the plugin wrote it) for the agent to parse and check. */
void plugin_library_manifest_json(const plugin_library *library, byte_buffer *out);

/* Whether the plugin declared `topic` (exactly, or under a `prefix.*`). */
bool plugin_library_declares(const plugin_library *library, const char *topic, size_t length);

/* 1-64 bytes of [a-z0-9_], words separated by single dots (Topic.isValid). */
bool topic_is_valid(const char *topic, size_t length);

#endif
