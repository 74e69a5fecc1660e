/*
 * precond.h - conditional requests and byte ranges (RFC 9110, 13 and 14).
 */
#ifndef MINI_HTTPD_PRECOND_H
#define MINI_HTTPD_PRECOND_H

#include <time.h>

#include "http_parse.h"

/* True when If-None-Match (or, without it, If-Modified-Since) says the
 * client's copy with this etag and mtime is current: answer 304. */
int precond_not_modified(const struct http_request *req, const char *etag,
    time_t mtime);

/* True when the Range header should be honoured: there is one, and
 * If-Range is absent or names this etag or Last-Modified date. */
int precond_range_applies(const struct http_request *req, const char *etag,
    const char *modified);

/* A single "bytes=first-last" range of a size-byte file: 1 with *from and
 * *count set, 0 to ignore the header (bad syntax, several ranges), or 416
 * when it cannot be satisfied. */
int precond_range(struct http_span r, unsigned long long size,
    unsigned long long *from, unsigned long long *count);

#endif
