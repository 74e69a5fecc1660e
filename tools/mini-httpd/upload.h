/*
 * upload.h - files stored and deleted in the --upload area: the body
 * goes to a temporary file beside the target (O_EXCL), is fsync'd and
 * renamed into place only once whole, so no one ever sees a partial file.
 */
#ifndef MINI_HTTPD_UPLOAD_H
#define MINI_HTTPD_UPLOAD_H

#include "httpd.h"
#include "job.h"

/* Prepare to store the body of a POST or PUT (put) for rel (decoded,
 * below ROOT): the directory is opened without following symlinks and
 * the temporary file created in it. 0 with j ready, or the status to
 * answer: 403 outside the upload area or for a name a script could have,
 * 409 when the directory is missing or (POST) the file exists, 500. */
int upload_plan(const struct httpd_config *cfg, const char *rel, int put,
    struct job *j);

/* The whole body is in j->fd: fsync it and rename it into place. The
 * status to answer: 201 (created), 204 (PUT replaced a file), 409 (POST:
 * the name was taken meanwhile), 500 (the disk failed: nothing stored). */
int upload_commit(struct job *j);

/* The body will not be whole: remove the temporary file. */
void upload_abort(struct job *j);

/* DELETE rel: 204, 404 (no such file), 403 (outside the upload area, or
 * not a regular file), 500. */
int upload_delete(const struct httpd_config *cfg, const char *rel);

#endif
