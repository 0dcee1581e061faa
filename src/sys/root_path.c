/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Path text below the root, worked out without a system call (root_internal.h). */
#include "root_internal.h"

#include <errno.h>
#include <string.h>

#include "strjoin.h"

size_t root_path_hash(const char *s, size_t n)
{
        uint64_t h = 0xcbf29ce484222325ull;

        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
        return (size_t)h;
}

const char *root_rel_of(const char *abs)
{
        abs += strspn(abs, "/");
        return *abs ? abs : ".";
}

/* PATH without "." or ".." components or repeated slashes, into BUF; -EINVAL when it has any
 * of those, or is not absolute. */
int root_plain_path(const char *path, char *buf, size_t size)
{
        size_t len = 0;

        if (path[0] != '/')
                return -EINVAL;
        for (const char *p = path; *p;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 0)
                        break;
                if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                if (len + 1 + n + 1 > size)
                        return -ENAMETOOLONG;
                buf[len++] = '/';
                memmove(buf + len, p, n); /* BUF may be PATH */
                len += n;
                p += n;
        }
        if (len == 0)
                buf[len++] = '/';
        buf[len] = '\0';
        return 0;
}

bool root_one_component(const char *name)
{
        return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* BASE (canonical) joined with TARGET, a link in BASE, as the walk would join them when no
 * component after TARGET's leading ".." is a link: -EINVAL when TARGET is absolute, climbs
 * above the root, or has "." or ".." further on (the walk decides those). */
int root_lexical_join(const char *base, const char *target, char *buf, size_t size)
{
        char tmp[PATH_MAX];
        size_t len;
        const char *p = target;

        if (target[0] == '/' || strlen(base) >= sizeof(tmp))
                return -EINVAL;
        strcpy(tmp, strcmp(base, "/") ? base : "");
        len = strlen(tmp);
        for (;;) {
                p += strspn(p, "/");
                if (!(p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')))
                        break;
                char *slash = memrchr(tmp, '/', len);
                if (!slash)
                        return -EINVAL;
                len = (size_t)(slash - tmp);
                tmp[len] = '\0';
                p += 2;
        }
        if (str_join(buf, size, tmp, "/", p, NULL) < 0)
                return -EINVAL;
        return root_plain_path(buf, buf, size);
}
