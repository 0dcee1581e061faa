/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A small streaming JSON writer: commas and escaping handled, pretty-printed two spaces deep.
 * It gathers the text in its own buffer and hands it to the stream a block at a time, since
 * --list --json writes a line per attribute of thousands of devices: nothing reaches the
 * stream before json_finish() except whole blocks. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
        FILE *f;
        int depth;
        bool first[JSON_MAX_DEPTH];
        bool after_key;
        size_t len;
        char buf[4096];
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s); /* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Ends the document with a newline, and hands the rest of it to the stream. */
void json_finish(struct json *j);
