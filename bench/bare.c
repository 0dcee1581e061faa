/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench/bare ROOT: for scale beside --check at 2000 devices (bench/run.sh), the reads that no
 * check of a whole machine can do without, and nothing else: each device's 64-byte config
 * header (its IDs and class), its driver and iommu_group links, and each group's type (the
 * IOMMU's mode). Plain openat(2) from two directory descriptors: no confinement to ROOT, no
 * parsing, no other attribute, no output but a count. Exits 1 when ROOT has no PCI devices.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static long read_some(int dirfd, const char *name, const char *attr, size_t size)
{
        char path[PATH_MAX], buf[4096];
        long got = 0;

        snprintf(path, sizeof(path), "%s/%s", name, attr);
        int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                got = (long)read(fd, buf, size < sizeof(buf) ? size : sizeof(buf));
                close(fd);
        }
        return got;
}

static long read_link(int dirfd, const char *name, const char *attr)
{
        char path[PATH_MAX], target[PATH_MAX];

        snprintf(path, sizeof(path), "%s/%s", name, attr);
        return (long)readlinkat(dirfd, path, target, sizeof(target));
}

/* FN for each entry of DIR below ROOT but "." and "..": how many there were. */
static long each(int root, const char *dir, long (*fn)(int dirfd, const char *name))
{
        int fd = openat(root, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        struct dirent *e;
        long n = 0;

        if (!d) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        while ((e = readdir(d)))
                if (e->d_name[0] != '.') {
                        (void)fn(dirfd(d), e->d_name);
                        n++;
                }
        closedir(d);
        return n;
}

static long device(int dirfd, const char *name)
{
        return read_some(dirfd, name, "config", 64) + read_link(dirfd, name, "driver") +
               read_link(dirfd, name, "iommu_group");
}

static long group(int dirfd, const char *name)
{
        return read_some(dirfd, name, "type", 64);
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: bare ROOT\n");
                return 2;
        }
        int root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                perror(argv[1]);
                return 2;
        }
        long devices = each(root, "sys/bus/pci/devices", device);
        long groups = each(root, "sys/kernel/iommu_groups", group);
        printf("%ld devices, %ld groups\n", devices, groups);
        return devices > 0 ? 0 : 1;
}
