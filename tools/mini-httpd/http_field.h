/*
 * http_field.h - the values of the header fields that frame a request or
 * name its host (RFC 9110 and RFC 9112), for http_parse.c. Pure functions
 * over a span of the caller's buffer.
 */
#ifndef MINI_HTTPD_HTTP_FIELD_H
#define MINI_HTTPD_HTTP_FIELD_H

#include "http_parse.h"

/* RFC 9110 tchar: the bytes of a token (method, field name, coding). */
int http_tchar(unsigned char c);

/* The value of a hex digit (a chunk size, a %XX escape), or -1. */
int http_hexval(unsigned char c);

/* Add one Content-Length field line ("42", or "42, 42"): 0, or 400 for an
 * empty, signed, non-decimal or too long value, or one that differs from
 * a length already seen (RFC 9110 8.6, RFC 9112 6.3). */
int http_field_length(struct http_span v, struct http_request *req);

/* Add one Transfer-Encoding field line: 0, or 400 when a coding follows
 * chunked (chunked must be the final coding, applied once: RFC 9112 6.1). */
int http_field_te(struct http_span v, struct http_request *req);

/* Whether the comma-separated list v holds the token lw (lowercase),
 * compared case-insensitively: Connection options, Expect. */
int http_list_has(struct http_span v, const char *lw);

/* Whether v is a valid Host value, uri-host [ ":" port ] (RFC 9110 7.2,
 * RFC 3986 3.2.2); need_host refuses an empty host (an "http" URI's
 * authority: RFC 9110 4.2.1). No userinfo, no spaces, port all digits. */
int http_host_valid(struct http_span v, int need_host);

#endif
