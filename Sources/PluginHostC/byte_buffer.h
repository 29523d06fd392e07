/* A growable byte buffer: frames are built and queued in these. */
#ifndef PROCTORD_HOST_C_BYTE_BUFFER_H
#define PROCTORD_HOST_C_BYTE_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;
    size_t length;
    size_t capacity;
} byte_buffer;

/* Appends `length` bytes; aborts when memory runs out (as Swift's arrays do). */
void buffer_append(byte_buffer *buffer, const void *bytes, size_t length);
void buffer_append_byte(byte_buffer *buffer, uint8_t byte);
void buffer_append_u32(byte_buffer *buffer, uint32_t value);
void buffer_append_u64(byte_buffer *buffer, uint64_t value);
void buffer_append_text(byte_buffer *buffer, const char *text);
/* Appends `text` as a JSON string, quoted and escaped. */
void buffer_append_json_string(byte_buffer *buffer, const char *text);
/* Appends one whole frame: little-endian u32 length of kind + payload, the kind, the payload. */
void buffer_append_frame(byte_buffer *buffer, uint8_t kind, const void *payload, size_t length);
void buffer_free(byte_buffer *buffer);

#endif
