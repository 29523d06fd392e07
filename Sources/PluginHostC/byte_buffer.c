#include "byte_buffer.h"
#include "json_syntax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buffer_append(byte_buffer *buffer, const void *bytes, size_t length) {
    if (length == 0) return;
    if (buffer->length + length > buffer->capacity) {
        size_t capacity = buffer->capacity < 256 ? 256 : buffer->capacity;
        while (capacity < buffer->length + length) capacity *= 2;
        uint8_t *grown = realloc(buffer->data, capacity);
        if (grown == NULL) abort();
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, length);
    buffer->length += length;
}

void buffer_append_byte(byte_buffer *buffer, uint8_t byte) { buffer_append(buffer, &byte, 1); }

void buffer_append_u32(byte_buffer *buffer, uint32_t value) {
    uint8_t bytes[4];
    for (int i = 0; i < 4; i++) bytes[i] = (uint8_t)(value >> (8 * i));
    buffer_append(buffer, bytes, 4);
}

void buffer_append_u64(byte_buffer *buffer, uint64_t value) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(value >> (8 * i));
    buffer_append(buffer, bytes, 8);
}

void buffer_append_text(byte_buffer *buffer, const char *text) { buffer_append(buffer, text, strlen(text)); }

void buffer_append_json_string(byte_buffer *buffer, const char *text) {
    buffer_append_byte(buffer, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p != 0; p++) {
        switch (*p) {
        case '"': buffer_append_text(buffer, "\\\""); break;
        case '\\': buffer_append_text(buffer, "\\\\"); break;
        case '\n': buffer_append_text(buffer, "\\n"); break;
        case '\r': buffer_append_text(buffer, "\\r"); break;
        case '\t': buffer_append_text(buffer, "\\t"); break;
        default:
            if (*p < 0x20) {
                char escaped[8];
                snprintf(escaped, sizeof escaped, "\\u%04x", *p);
                buffer_append_text(buffer, escaped);
            } else if (*p < 0x80) {
                buffer_append_byte(buffer, *p);
            } else {
                // Invalid UTF-8 becomes U+FFFD, as Swift's String(cString:) makes it.
                size_t n = utf8_sequence_length(p, strlen((const char *)p));
                if (n == 0) {
                    buffer_append_text(buffer, "\xEF\xBF\xBD");
                } else {
                    buffer_append(buffer, p, n);
                    p += n - 1;
                }
            }
        }
    }
    buffer_append_byte(buffer, '"');
}

void buffer_append_frame(byte_buffer *buffer, uint8_t kind, const void *payload, size_t length) {
    buffer_append_u32(buffer, (uint32_t)(1 + length));
    buffer_append_byte(buffer, kind);
    buffer_append(buffer, payload, length);
}

void buffer_free(byte_buffer *buffer) {
    free(buffer->data);
    *buffer = (byte_buffer){0};
}
