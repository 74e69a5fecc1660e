/*
 * files.h - from a request target to an open file that is surely inside
 * ROOT, and the MIME type to send it with.
 */
#ifndef MINI_HTTPD_FILES_H
#define MINI_HTTPD_FILES_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stddef.h>
#include <time.h>

#include "http_parse.h"
#include "httpd.h"

/* Room for an ETag: quotes, inode, size, seconds and nanoseconds in hex. */
#define FILES_ETAG_LEN 64

/* Decode the target's path (percent-decoding once, dot segments removed,
 * never above the root) into rel: "" for ROOT itself, else "a/b.html"
 * without a leading slash. path gets the raw (still encoded) path part,
 * query the raw "?..." after it (n == 0 if none), and *dir whether the
 * resolved path ends in '/' ("/a/", "/a/.", "/a/b/.." all do): it names
 * a directory. Pure: 0, or an error status (400, 404 for a hidden
 * dotfile, 414). */
int files_target(struct http_span target, int dotfiles, char *rel,
    size_t size, struct http_span *path, struct http_span *query, int *dir);

/* Whether a single decoded name (one path segment) would be served:
 * 0, or the status a request for it gets (400, 404 for a hidden dotfile).
 * files_target() applies it to every segment; listings to every entry. */
int files_name_status(const char *name, size_t n, int dotfiles);

/* The validators of a file (RFC 9110, 8.8): an ETag from its inode, size
 * and nanosecond mtime, so that any rewrite changes it, and into *mtime
 * its modification time, never later than now (8.8.2). */
void files_validators(const struct stat *st, time_t now,
    char etag[FILES_ETAG_LEN], time_t *mtime);

/* Open rel below cfg->root_fd read-only; symlinks that lead out of ROOT
 * are refused unless cfg->follow_symlinks. 0 with *fd set, or an error
 * status (403, 404, 414, 500). */
int files_open(const struct httpd_config *cfg, const char *rel, int *fd);

/* The Content-Type for a file name, by its extension. */
const char *files_mime(const char *name);

#endif
