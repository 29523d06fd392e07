/* What the child sends to the agent, waiting for the writer thread: the C
 * twin of OutboundQueue (Sources/PluginHosting/PluginProcess). Control frames
 * (hello, responses, pongs) go first and are never dropped; events and logs
 * share a lane bounded in bytes, and what does not fit is dropped and
 * counted, so emit never blocks the plugin; health is one slot that only its
 * latest value fills. */
#ifndef PROCTORD_HOST_C_RELAY_QUEUE_H
#define PROCTORD_HOST_C_RELAY_QUEUE_H

#include <pthread.h>
#include <stdbool.h>

#include "byte_buffer.h"

/* As OutboundQueue.eventLaneLimit. */
#define RELAY_EVENT_LANE_LIMIT (4u << 20)

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    byte_buffer control;
    byte_buffer events;
    byte_buffer health; /* one whole frame, or empty */
    bool writer_waiting;
    bool closed;
    uint64_t dropped;
} relay_queue;

void relay_queue_init(relay_queue *queue);
void relay_queue_push_control(relay_queue *queue, uint8_t kind, const void *payload, size_t length);
/* Queues an event (u8 topic length, topic, data) or a log frame; false when dropped. */
bool relay_queue_push_event(relay_queue *queue, uint8_t kind, const void *head, size_t head_length,
                            const void *body, size_t body_length);
/* Replaces the health frame not yet sent, if any. */
void relay_queue_set_health(relay_queue *queue, uint8_t health, const char *reason, size_t reason_length);
/* Blocks until there is something to send and moves it into `out` (health,
 * then control, then events); sets *dropped. False once closed and drained. */
bool relay_queue_take(relay_queue *queue, byte_buffer *out, uint64_t *dropped);
/* Lets the writer drain what is queued and return. */
void relay_queue_close(relay_queue *queue);

#endif
