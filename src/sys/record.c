/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "machine.h"
#include "macro.h"
#include "root.h"

#define RECORD_DIR "/run/vfio-prep"
#define RECORD_PATH RECORD_DIR "/state.json"
#define RECORD_VERSION 1
#define RECORD_MAX_SIZE (1024 * 1024)
/* Bounds for what a damaged or hostile file can make the reader do. */
#define RECORD_MAX_DEPTH 32
#define RECORD_MAX_STRING 4096

int record_format(const struct record_entry *entries, size_t n, char **ret)
{
        char *buf = NULL;
        size_t len = 0;
        struct json j;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return -ENOMEM;
        json_init(&j, f);
        json_object_begin(&j);
        json_key(&j, "version");
        json_int(&j, RECORD_VERSION);
        json_key(&j, "devices");
        json_array_begin(&j);
        for (size_t i = 0; i < n; i++) {
                json_object_begin(&j);
                json_key(&j, "address");
                json_string(&j, entries[i].name);
                json_key(&j, "bound");
                json_bool(&j, entries[i].bound);
                json_key(&j, "pass");
                json_int(&j, entries[i].pass > 1 ? entries[i].pass : 1);
                json_key(&j, "reason");
                json_string(&j, entries[i].reason);
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        json_finish(&j);
        bool bad = ferror(f);
        if (fclose(f) != 0 || bad) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/*
 * A strict reader for state.json: RFC 8259 syntax (numbers checked, strings valid UTF-8 without
 * control characters or NUL), bounded nesting and string length; unknown keys skipped.
 */
struct parser {
        const char *p;
        unsigned depth;
};

static void skip_ws(struct parser *ps)
{
        while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
                ps->p++;
}

static int expect(struct parser *ps, char c)
{
        skip_ws(ps);
        if (*ps->p != c)
                return -EINVAL;
        ps->p++;
        return 0;
}

static int enter(struct parser *ps, char open)
{
        if (++ps->depth > RECORD_MAX_DEPTH)
                return -EINVAL;
        return expect(ps, open);
}

struct sbuf {
        char *s;
        size_t len, cap;
};

static int sbuf_put(struct sbuf *b, const char *c, size_t n)
{
        if (b->len + n > RECORD_MAX_STRING)
                return -EINVAL;
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 32;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *s = realloc(b->s, cap);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->cap = cap;
        }
        memcpy(b->s + b->len, c, n);
        b->len += n;
        b->s[b->len] = '\0';
        return 0;
}

static int utf8_encode(uint32_t cp, char out[static 4])
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | cp >> 6);
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | cp >> 12);
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | cp >> 18);
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

/* Length of the valid UTF-8 sequence at S (a non-ASCII lead byte), 0 when invalid. */
static size_t utf8_valid(const unsigned char *s)
{
        uint32_t cp;
        size_t n;

        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, cp = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, cp = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, cp = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates, beyond Unicode. */
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return n;
}

static int hex4(struct parser *ps, uint32_t *ret)
{
        uint32_t v = 0;

        for (int i = 0; i < 4; i++) {
                char c = *ps->p;
                unsigned d;
                if (c >= '0' && c <= '9')
                        d = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        return -EINVAL;
                v = v << 4 | d;
                ps->p++;
        }
        *ret = v;
        return 0;
}

/* \uXXXX after the "\u", a surrogate pair joined; NUL is refused (it cannot live in a C string). */
static int unicode_escape(struct parser *ps, struct sbuf *b)
{
        uint32_t cp, lo;
        char out[4];

        if (hex4(ps, &cp) < 0)
                return -EINVAL;
        if (cp >= 0xdc00 && cp <= 0xdfff)
                return -EINVAL;
        if (cp >= 0xd800 && cp <= 0xdbff) {
                if (ps->p[0] != '\\' || ps->p[1] != 'u')
                        return -EINVAL;
                ps->p += 2;
                if (hex4(ps, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                        return -EINVAL;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (cp == 0)
                return -EINVAL;
        return sbuf_put(b, out, (size_t)utf8_encode(cp, out));
}

static int escape(struct parser *ps, struct sbuf *b)
{
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        char c = *ps->p++;

        if (c == 'u')
                return unicode_escape(ps, b);
        const char *e = c ? strchr(from, c) : NULL;
        if (!e)
                return -EINVAL;
        return sbuf_put(b, &to[e - from], 1);
}

static int string_char(struct parser *ps, struct sbuf *b)
{
        const unsigned char *u = (const unsigned char *)ps->p;

        if (*u == '\\') {
                ps->p++;
                return escape(ps, b);
        }
        if (*u < 0x20)
                return -EINVAL; /* control characters, and the end of the text */
        size_t n = *u < 0x80 ? 1 : utf8_valid(u);
        if (n == 0)
                return -EINVAL;
        ps->p += n;
        return sbuf_put(b, (const char *)u, n);
}

static int parse_string(struct parser *ps, char **ret)
{
        struct sbuf b = { 0 };
        int k = expect(ps, '"');

        while (k >= 0 && *ps->p != '"')
                k = string_char(ps, &b);
        if (k < 0) {
                free(b.s);
                return k;
        }
        ps->p++;
        if (!b.s && !(b.s = strdup("")))
                return -ENOMEM;
        *ret = b.s;
        return 0;
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* A JSON number; RET_INT tells whether it is an integer that fits RET. */
static int parse_number(struct parser *ps, long long *ret, bool *ret_int)
{
        bool neg = false, integer = true;
        long long v = 0;

        skip_ws(ps);
        if (*ps->p == '-')
                neg = true, ps->p++;
        if (!is_digit(*ps->p))
                return -EINVAL;
        if (*ps->p == '0' && is_digit(ps->p[1]))
                return -EINVAL; /* no leading zeros */
        for (; is_digit(*ps->p); ps->p++) {
                int d = *ps->p - '0';
                if (v > (LLONG_MAX - d) / 10)
                        integer = false;
                else
                        v = v * 10 + d;
        }
        if (*ps->p == '.') {
                integer = false;
                if (!is_digit(*++ps->p))
                        return -EINVAL;
                while (is_digit(*ps->p))
                        ps->p++;
        }
        if (*ps->p == 'e' || *ps->p == 'E') {
                integer = false;
                ps->p++;
                if (*ps->p == '+' || *ps->p == '-')
                        ps->p++;
                if (!is_digit(*ps->p))
                        return -EINVAL;
                while (is_digit(*ps->p))
                        ps->p++;
        }
        *ret = neg ? -v : v;
        *ret_int = integer;
        return 0;
}

static int parse_literal(struct parser *ps, const char *word)
{
        size_t n = strlen(word);

        skip_ws(ps);
        if (strncmp(ps->p, word, n) != 0)
                return -EINVAL;
        ps->p += n;
        return 0;
}

static int parse_bool(struct parser *ps, bool *ret)
{
        skip_ws(ps);
        if (parse_literal(ps, "true") >= 0) {
                *ret = true;
                return 0;
        }
        if (parse_literal(ps, "false") >= 0) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

/*
 * Iterators over a container whose opening bracket was consumed: 1 when another member
 * (positioned after its key and colon) or element follows, 0 after the closing bracket.
 */
static int next_item(struct parser *ps, bool *first, char close)
{
        skip_ws(ps);
        if (*ps->p == close) {
                ps->p++;
                ps->depth--;
                return 0;
        }
        if (!*first && expect(ps, ',') < 0)
                return -EINVAL;
        *first = false;
        return 1;
}

static int object_next(struct parser *ps, bool *first, char **ret_key)
{
        int k = next_item(ps, first, '}');

        if (k <= 0)
                return k;
        k = parse_string(ps, ret_key);
        if (k < 0)
                return k;
        k = expect(ps, ':');
        if (k < 0) {
                free(*ret_key);
                return k;
        }
        return 1;
}

static int skip_value(struct parser *ps);

static int skip_object(struct parser *ps)
{
        bool first = true;
        char *key;
        int k = enter(ps, '{');

        while (k >= 0 && (k = object_next(ps, &first, &key)) > 0) {
                free(key);
                k = skip_value(ps);
        }
        return k;
}

static int skip_array(struct parser *ps)
{
        bool first = true;
        int k = enter(ps, '[');

        while (k >= 0 && (k = next_item(ps, &first, ']')) > 0)
                k = skip_value(ps);
        return k;
}

static int skip_value(struct parser *ps)
{
        long long n;
        bool integer;
        char *s;

        skip_ws(ps);
        switch (*ps->p) {
        case '{':
                return skip_object(ps);
        case '[':
                return skip_array(ps);
        case '"': {
                int k = parse_string(ps, &s);
                if (k >= 0)
                        free(s);
                return k;
        }
        case 't':
                return parse_literal(ps, "true");
        case 'f':
                return parse_literal(ps, "false");
        case 'n':
                return parse_literal(ps, "null");
        default:
                return parse_number(ps, &n, &integer);
        }
}

static int parse_address(struct parser *ps, char name[static PCI_ADDR_STRLEN])
{
        _cleanup_free_ char *s = NULL;
        struct pci_addr a;
        int k = parse_string(ps, &s);

        if (k < 0)
                return k;
        if (strlen(s) >= PCI_ADDR_STRLEN || pci_addr_parse(s, &a) < 0)
                return -EINVAL;
        pci_addr_format(&a, name);
        return 0;
}

static int parse_reason(struct parser *ps, char **reason)
{
        char *s;

        skip_ws(ps);
        if (*ps->p == 'n') {
                s = NULL;
                if (parse_literal(ps, "null") < 0)
                        return -EINVAL;
        } else if (parse_string(ps, &s) < 0)
                return -EINVAL;
        free(*reason);
        *reason = s;
        return 0;
}

/* "pass": 1 or 2; a record written before there were two passes has none (the first). */
static int parse_pass(struct parser *ps, int *ret)
{
        long long v;
        bool integer;
        int k = parse_number(ps, &v, &integer);

        if (k < 0)
                return k;
        if (!integer || v < 1 || v > 2)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

static int entry_member(struct parser *ps, const char *key, struct boot_record_entry *e, unsigned *seen)
{
        if (strcmp(key, "address") == 0) {
                *seen |= 1;
                return parse_address(ps, e->name);
        }
        if (strcmp(key, "bound") == 0) {
                *seen |= 2;
                return parse_bool(ps, &e->bound);
        }
        if (strcmp(key, "reason") == 0)
                return parse_reason(ps, &e->reason);
        if (strcmp(key, "pass") == 0)
                return parse_pass(ps, &e->pass);
        return skip_value(ps);
}

/* One device: address and bound are required, reason is optional. */
static int parse_entry(struct parser *ps, struct boot_record_entry *ret)
{
        struct boot_record_entry e = { .pass = 1 };
        bool first = true;
        unsigned seen = 0;
        char *key;
        int k = enter(ps, '{');

        while (k >= 0 && (k = object_next(ps, &first, &key)) > 0) {
                k = entry_member(ps, key, &e, &seen);
                free(key);
        }
        if (k >= 0 && seen != 3)
                k = -EINVAL;
        if (k < 0) {
                free(e.reason);
                return k;
        }
        *ret = e;
        return 0;
}

static void entries_free(struct boot_record_entry *e, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(e[i].reason);
        free(e);
}

static int entries_grow(struct boot_record_entry **e, size_t n, size_t *cap)
{
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 8;
        struct boot_record_entry *ne = realloc(*e, ncap * sizeof(*ne));
        if (!ne)
                return -ENOMEM;
        *e = ne;
        *cap = ncap;
        return 0;
}

static int parse_devices(struct parser *ps, struct boot_record *rec)
{
        struct boot_record_entry *e = NULL;
        size_t n = 0, cap = 0;
        bool first = true;
        int k = enter(ps, '[');

        while (k >= 0 && (k = next_item(ps, &first, ']')) > 0) {
                k = entries_grow(&e, n, &cap);
                if (k >= 0)
                        k = parse_entry(ps, &e[n]);
                if (k >= 0)
                        n++;
        }
        if (k < 0) {
                entries_free(e, n);
                return k;
        }
        rec->entries = e;
        rec->n_entries = n;
        return 0;
}

static int parse_version(struct parser *ps)
{
        long long v;
        bool integer;
        int k = parse_number(ps, &v, &integer);

        if (k < 0)
                return k;
        return integer && v == RECORD_VERSION ? 0 : -EINVAL;
}

static int document_member(struct parser *ps, const char *key, struct boot_record *rec, unsigned *seen)
{
        if (strcmp(key, "version") == 0) {
                *seen |= 1;
                return parse_version(ps);
        }
        if (strcmp(key, "devices") == 0) {
                if (*seen & 2)
                        return -EINVAL; /* twice: which one is true? */
                *seen |= 2;
                return parse_devices(ps, rec);
        }
        return skip_value(ps);
}

int record_parse(const char *text, struct boot_record *ret)
{
        struct parser ps = { .p = text };
        struct boot_record rec = { .found = true };
        bool first = true;
        unsigned seen = 0;
        char *key;

        if (!text)
                return -EINVAL;
        int k = enter(&ps, '{');
        while (k >= 0 && (k = object_next(&ps, &first, &key)) > 0) {
                k = document_member(&ps, key, &rec, &seen);
                free(key);
        }
        if (k >= 0 && seen != 3)
                k = -EINVAL;
        if (k >= 0) {
                skip_ws(&ps);
                if (*ps.p != '\0')
                        k = -EINVAL;
        }
        if (k < 0) {
                entries_free(rec.entries, rec.n_entries);
                return k;
        }
        *ret = rec;
        return 0;
}

static size_t entry_find(const struct record_entry *e, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(e[i].name, name) == 0)
                        return i;
        return NONE;
}

int record_merge(const struct boot_record *old, const struct record_entry *add, size_t n_add, struct record_entry **ret,
                 size_t *ret_n)
{
        size_t n_old = old && old->found ? old->n_entries : 0, n = 0;
        struct record_entry *out = calloc(n_old + n_add + 1, sizeof(*out));

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n_old; i++) {
                const struct boot_record_entry *o = &old->entries[i];
                struct record_entry *e = &out[n++];
                *e = (struct record_entry){ .bound = o->bound, .reason = o->reason, .pass = o->pass };
                snprintf(e->name, sizeof(e->name), "%s", o->name);
        }
        for (size_t i = 0; i < n_add; i++) {
                size_t at = entry_find(out, n, add[i].name);
                if (at == NONE)
                        out[n++] = add[i];
                else if (!(out[at].bound && add[i].bound))
                        out[at] = add[i];
        }
        *ret = out;
        *ret_n = n;
        return 0;
}

int record_write(struct root *r, const struct record_entry *entries, size_t n)
{
        _cleanup_free_ char *text = NULL;
        int k = record_format(entries, n, &text);

        if (k < 0)
                return k;
        k = root_mkdir_p(r, RECORD_DIR, 0755);
        if (k < 0)
                return k;
        return root_create_file(r, RECORD_PATH, text, strlen(text), 0644);
}

int boot_record_load(struct root *r, struct machine *m)
{
        _cleanup_free_ char *text = NULL;
        struct boot_record rec;
        size_t len;
        int k = root_read_file(r, RECORD_PATH, RECORD_MAX_SIZE, &text, &len);

        if (k == -ENOENT) {
                m->record.found = false;
                return 0;
        }
        if (k < 0)
                return k;
        if (strlen(text) != len)
                return -EINVAL; /* a NUL inside */
        k = record_parse(text, &rec);
        if (k < 0)
                return k;
        entries_free(m->record.entries, m->record.n_entries);
        m->record = rec;
        return 0;
}
