/*
 * precond.h - conditional requests and byte ranges (RFC 9110, 13 and 14).
 */
#ifndef MINI_HTTPD_PRECOND_H
#define MINI_HTTPD_PRECOND_H

#include <time.h>

#include "http_parse.h"

/* The preconditions of a GET or HEAD (RFC 9110 13.2.2, in its order:
 * If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since) for a
 * representation with this strong etag (NULL: it has none) and
 * Last-Modified time (NULL: none). 0 to answer as usual, 304 (the
 * client's copy is current) or 412 (the client's copy is not). now reads
 * two-digit years. */
int precond_check(const struct http_request *req, const char *etag,
    const time_t *mtime, time_t now);

/* True when the Range header should be honoured: the method is GET, there
 * is one Range line, and If-Range is absent or names this strong etag.
 * A date in If-Range never matches: a file can change twice within the
 * second a date names, so a date is not a strong validator here. */
int precond_range_applies(const struct http_request *req, const char *etag);

/* The "bytes=" range-set r of a size-byte representation: 1 with *from
 * and *count set when exactly one range-spec is satisfiable; 416 when
 * none is; 0 to ignore the header (bad syntax, another unit, an empty
 * representation, or several satisfiable ranges, which would need
 * multipart/byteranges). Numbers of any length are read without
 * overflow. */
int precond_range(struct http_span r, unsigned long long size,
    unsigned long long *from, unsigned long long *count);

#endif
