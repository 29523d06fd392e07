#include "json_syntax.h"

#include <string.h>

typedef struct {
    const uint8_t *bytes;
    size_t length;
    size_t index;
    int depth;
    int maximum_depth;
} scanner;

static int peek(const scanner *s) { return s->index < s->length ? s->bytes[s->index] : -1; }

static void skip_whitespace(scanner *s) {
    while (s->index < s->length) {
        uint8_t b = s->bytes[s->index];
        if (b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09) return;
        s->index++;
    }
}

static bool is_digit(int b) { return b >= '0' && b <= '9'; }
static bool is_hex(int b) { return is_digit(b) || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'); }

size_t utf8_sequence_length(const uint8_t *bytes, size_t left) {
    uint8_t lead = bytes[0], low = 0x80, high = 0xBF;
    size_t length;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) { length = 3; low = 0xA0; }
    else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) length = 3;
    else if (lead == 0xED) { length = 3; high = 0x9F; }
    else if (lead == 0xF0) { length = 4; low = 0x90; }
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else if (lead == 0xF4) { length = 4; high = 0x8F; }
    else return 0;
    if (length > left) return 0;
    if (bytes[1] < low || bytes[1] > high) return 0;
    for (size_t i = 2; i < length; i++) {
        if ((bytes[i] & 0xC0) != 0x80) return 0;
    }
    return length;
}

static bool value(scanner *s);

static bool string(scanner *s) {
    s->index++;
    while (s->index < s->length) {
        uint8_t b = s->bytes[s->index];
        if (b == '"') {
            s->index++;
            return true;
        }
        if (b == '\\') {
            s->index++;
            int escaped = peek(s);
            if (escaped < 0) return false;
            s->index++;
            if (escaped == 'u') {
                for (int i = 0; i < 4; i++) {
                    if (!is_hex(peek(s))) return false;
                    s->index++;
                }
            } else if (escaped == 0 || !strchr("\"\\/bfnrt", escaped)) {
                return false;
            }
        } else if (b < 0x20) {
            return false;
        } else if (b < 0x80) {
            s->index++;
        } else {
            size_t n = utf8_sequence_length(s->bytes + s->index, s->length - s->index);
            if (n == 0) return false;
            s->index += n;
        }
    }
    return false;
}

static bool word(scanner *s, const char *text) {
    size_t n = strlen(text);
    if (s->index + n > s->length || memcmp(s->bytes + s->index, text, n) != 0) return false;
    s->index += n;
    return true;
}

static void digits(scanner *s) {
    while (is_digit(peek(s))) s->index++;
}

static bool number(scanner *s) {
    if (peek(s) == '-') s->index++;
    int first = peek(s);
    if (!is_digit(first)) return false;
    s->index++;
    if (first != '0') digits(s);
    if (peek(s) == '.') {
        s->index++;
        if (!is_digit(peek(s))) return false;
        digits(s);
    }
    if (peek(s) == 'e' || peek(s) == 'E') {
        s->index++;
        if (peek(s) == '+' || peek(s) == '-') s->index++;
        if (!is_digit(peek(s))) return false;
        digits(s);
    }
    return true;
}

static bool container(scanner *s, uint8_t close, bool keyed) {
    if (++s->depth > s->maximum_depth) return false;
    s->index++;
    skip_whitespace(s);
    if (peek(s) == close) {
        s->index++;
        s->depth--;
        return true;
    }
    for (;;) {
        skip_whitespace(s);
        if (keyed) {
            if (peek(s) != '"' || !string(s)) return false;
            skip_whitespace(s);
            if (peek(s) != ':') return false;
            s->index++;
            skip_whitespace(s);
        }
        if (!value(s)) return false;
        skip_whitespace(s);
        int b = peek(s);
        if (b < 0) return false;
        s->index++;
        if (b == close) {
            s->depth--;
            return true;
        }
        if (b != ',') return false;
    }
}

static bool value(scanner *s) {
    switch (peek(s)) {
    case -1: return false;
    case '{': return container(s, '}', true);
    case '[': return container(s, ']', false);
    case '"': return string(s);
    case 't': return word(s, "true");
    case 'f': return word(s, "false");
    case 'n': return word(s, "null");
    default: return number(s);
    }
}

bool json_is_object(const uint8_t *bytes, size_t length, int maximum_depth) {
    scanner s = {.bytes = bytes, .length = length, .maximum_depth = maximum_depth};
    skip_whitespace(&s);
    if (peek(&s) != '{' || !value(&s)) return false;
    skip_whitespace(&s);
    return s.index == length;
}
