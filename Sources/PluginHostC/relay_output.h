/* The plugin's host callbacks in the C plugin host: checks each event as the
 * agent will (EmitCheck) and queues it for the agent without blocking; the C
 * twin of RelayOutput (Sources/PluginHosting/PluginProcess). */
#ifndef PROCTORD_HOST_C_RELAY_OUTPUT_H
#define PROCTORD_HOST_C_RELAY_OUTPUT_H

#include <stdatomic.h>

#include "plugin_library.h"
#include "relay_queue.h"

typedef struct {
    proctor_host_t host; /* first, so the callbacks find the rest from the host pointer */
    proctor_host_paths_t paths;
    const plugin_library *library;
    relay_queue *queue;
    atomic_bool stopped;
    pthread_mutex_t health_lock;
    bool health_reported;
    bool last_degraded;
    char *last_reason;
} relay_output;

/* Fills in the host struct the plugin is given. The strings must outlive it. */
void relay_output_init(relay_output *output, const plugin_library *library, relay_queue *queue,
                       const char *state_dir, const char *runtime_dir, const char *data_dir);

#endif
