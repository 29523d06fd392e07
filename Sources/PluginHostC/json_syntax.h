/* The same checks as the agent's JSONSyntax (Sources/JSON/JSONSyntax.swift):
 * one well-formed JSON object in valid UTF-8, without building it. */
#ifndef PROCTORD_HOST_C_JSON_SYNTAX_H
#define PROCTORD_HOST_C_JSON_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when `bytes` hold exactly one JSON object (whitespace around it
 * allowed), nested at most `maximum_depth` deep, in valid UTF-8. */
bool json_is_object(const uint8_t *bytes, size_t length, int maximum_depth);

/* The length of the valid multi-byte UTF-8 sequence at `bytes` (2-4), or 0
 * when it is not one (overlongs and surrogates are not). */
size_t utf8_sequence_length(const uint8_t *bytes, size_t left);

#endif
