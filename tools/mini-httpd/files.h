/*
 * files.h - from a request target to an open file that is surely inside
 * ROOT, and the MIME type to send it with.
 */
#ifndef MINI_HTTPD_FILES_H
#define MINI_HTTPD_FILES_H

#include <stddef.h>

#include "http_parse.h"
#include "httpd.h"

/* Decode the target's path (percent-decoding once, dot segments removed,
 * never above the root) into rel: "" for ROOT itself, else "a/b.html"
 * without a leading slash. path gets the raw (still encoded) path part
 * and *slash whether it ends in '/'. Pure: 0, or an error status (400,
 * 404 for a hidden dotfile, 414). */
int files_target(struct http_span target, int dotfiles, char *rel,
    size_t size, struct http_span *path, int *slash);

/* Open rel below cfg->root_fd read-only; symlinks that lead out of ROOT
 * are refused unless cfg->follow_symlinks. 0 with *fd set, or an error
 * status (403, 404, 414, 500). */
int files_open(const struct httpd_config *cfg, const char *rel, int *fd);

/* The Content-Type for a file name, by its extension. */
const char *files_mime(const char *name);

#endif
