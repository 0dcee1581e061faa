/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "root.h"

static enum log_level max_level = LOG_LEVEL_NOTICE;
static struct root *kmsg_root;

void log_set_level(enum log_level max)
{
        max_level = max;
}

void log_set_kmsg(struct root *r)
{
        kmsg_root = r;
}

/* Length of the valid UTF-8 sequence at S (2..4), or 0. */
static unsigned utf8_len(const unsigned char *s)
{
        unsigned n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
        if (s[0] >= 0xf5)
                return 0;
        for (unsigned i = 1; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        /* C1 controls (U+0080..U+009F) act on some terminals: not passed through. */
        if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
                return 0;
        return n;
}

const char *sanitize(const char *s, char *buf, unsigned size)
{
        const unsigned char *p = (const unsigned char *)(s ? s : "(null)");
        unsigned i = 0;

        while (*p && i + 1 < size) {
                unsigned n = *p >= 0x80 ? utf8_len(p) : 0;
                if (n > 0 && i + n < size) {
                        memcpy(buf + i, p, n);
                        i += n;
                        p += n;
                        continue;
                }
                buf[i++] = (*p < 0x20 || *p >= 0x7f) ? '?' : (char)*p;
                p++;
        }
        buf[i] = '\0';
        return buf;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        char raw[1024], line[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        /* Messages quote names read from the tree (drivers, devices): whatever a caller passed,
         * no control sequence reaches the terminal or the kernel log. */
        sanitize(raw, line, sizeof(line));

        /* The boot log keeps every decision, whatever -q says on the terminal. */
        if (kmsg_root && level <= LOG_LEVEL_INFO) {
                char rec[1100];
                snprintf(rec, sizeof(rec), "<%d>vfio-prep: %s\n", (int)level, line);
                (void)root_append(kmsg_root, "/dev/kmsg", rec);
        }
        if (level <= max_level)
                fprintf(stderr, "vfio-prep: %s\n", line);
}
