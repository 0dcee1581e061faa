/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "suggest.h"

#include <stdint.h>
#include <string.h>

#define WORD_MAX 64

static char fold(char c)
{
        if (c == '_')
                return '-';
        return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static size_t min3(size_t a, size_t b, size_t c)
{
        size_t m = a < b ? a : b;
        return m < c ? m : c;
}

/* Optimal string alignment distance over three rows of the matrix. */
size_t suggest_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        size_t r0[WORD_MAX + 1], r1[WORD_MAX + 1], r2[WORD_MAX + 1];
        size_t *pp = r0, *p = r1, *c = r2;

        if (la > WORD_MAX || lb > WORD_MAX)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                p[j] = j;
        for (size_t i = 1; i <= la; i++) {
                c[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
                        c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
                        if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
                            pp[j - 2] + 1 < c[j])
                                c[j] = pp[j - 2] + 1;
                }
                size_t *t = pp;
                pp = p;
                p = c;
                c = t;
        }
        return p[lb];
}

const char *suggest_closest(const char *s, const char *const *words, size_t n)
{
        size_t len = strlen(s), limit = len / 3 > 1 ? len / 3 : 1, best = SIZE_MAX;
        const char *hit = NULL;

        for (size_t i = 0; i < n; i++) {
                size_t d = suggest_distance(s, words[i]);
                if (d < best) {
                        best = d;
                        hit = words[i];
                }
        }
        return best <= limit ? hit : NULL;
}
