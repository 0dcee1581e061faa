/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Shared by the libFuzzer harnesses in tests/fuzz/. A harness feeds its input to one parser
 * and then asserts properties that must hold for every input (round trips, bounds, messages
 * free of control bytes): a violated property aborts, which libFuzzer reports as a crash
 * like any sanitizer finding.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                                              \
        do {                                                                                                           \
                if (!(cond)) {                                                                                         \
                        fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond);                  \
                        abort();                                                                                       \
                }                                                                                                      \
        } while (0)

/* The input as a C string in a buffer of exactly SIZE + 1 bytes (an over-read hits the redzone).
 * A NUL inside the input ends the string there, as it would for a real caller. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        FUZZ_ASSERT(s);
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* Whether S holds no control byte (what a message shown to a user or logged must satisfy). */
static inline int fuzz_printable(const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return 0;
        return 1;
}
