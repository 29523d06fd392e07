#include "relay_queue.h"

void relay_queue_init(relay_queue *queue) {
    *queue = (relay_queue){0};
    pthread_mutex_init(&queue->lock, NULL);
    pthread_cond_init(&queue->wake, NULL);
}

/* Called with the lock held; the writer is signalled after it is released,
 * so it does not wake only to wait for the lock again. */
static void unlock_and_wake(relay_queue *queue) {
    bool wake = queue->writer_waiting;
    pthread_mutex_unlock(&queue->lock);
    if (wake) pthread_cond_signal(&queue->wake);
}

void relay_queue_push_control(relay_queue *queue, uint8_t kind, const void *payload, size_t length) {
    pthread_mutex_lock(&queue->lock);
    buffer_append_frame(&queue->control, kind, payload, length);
    unlock_and_wake(queue);
}

bool relay_queue_push_event(relay_queue *queue, uint8_t kind, const void *head, size_t head_length,
                            const void *body, size_t body_length) {
    pthread_mutex_lock(&queue->lock);
    if (queue->events.length >= RELAY_EVENT_LANE_LIMIT || queue->closed) {
        queue->dropped++;
        pthread_mutex_unlock(&queue->lock);
        return false;
    }
    buffer_append_u32(&queue->events, (uint32_t)(1 + head_length + body_length));
    buffer_append_byte(&queue->events, kind);
    buffer_append(&queue->events, head, head_length);
    buffer_append(&queue->events, body, body_length);
    unlock_and_wake(queue);
    return true;
}

void relay_queue_set_health(relay_queue *queue, uint8_t health, const char *reason, size_t reason_length) {
    pthread_mutex_lock(&queue->lock);
    queue->health.length = 0;
    buffer_append_u32(&queue->health, (uint32_t)(2 + reason_length));
    buffer_append_byte(&queue->health, 0x06);
    buffer_append_byte(&queue->health, health);
    buffer_append(&queue->health, reason, reason_length);
    unlock_and_wake(queue);
}

bool relay_queue_take(relay_queue *queue, byte_buffer *out, uint64_t *dropped) {
    pthread_mutex_lock(&queue->lock);
    while (queue->control.length == 0 && queue->health.length == 0 && queue->events.length == 0 && !queue->closed) {
        queue->writer_waiting = true;
        pthread_cond_wait(&queue->wake, &queue->lock);
        queue->writer_waiting = false;
    }
    if (queue->control.length == 0 && queue->health.length == 0 && queue->events.length == 0) {
        pthread_mutex_unlock(&queue->lock);
        return false;
    }
    out->length = 0;
    /* Health first: a plugin that reports it cannot see during start must be
     * degraded from the moment its start is announced, not running first. */
    buffer_append(out, queue->health.data, queue->health.length);
    queue->health.length = 0;
    buffer_append(out, queue->control.data, queue->control.length);
    queue->control.length = 0;
    buffer_append(out, queue->events.data, queue->events.length);
    queue->events.length = 0;
    *dropped = queue->dropped;
    pthread_mutex_unlock(&queue->lock);
    return true;
}

void relay_queue_close(relay_queue *queue) {
    pthread_mutex_lock(&queue->lock);
    queue->closed = true;
    pthread_cond_signal(&queue->wake);
    pthread_mutex_unlock(&queue->lock);
}
