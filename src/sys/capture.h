/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * --capture DIR: replay the journal of a root (every file read, link met and directory listed
 * while loading the model) into the empty directory DIR, so that --root DIR gives the same
 * results. Links are copied as links with their relative targets. With CMDLINE (--cmdline),
 * that is what the capture's /proc/cmdline says: it is what vfio-prep read instead.
 */

struct root;

int capture_write(struct root *src, const char *dir, const char *cmdline);
