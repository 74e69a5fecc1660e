/*
 * http_parse.h - the HTTP/1.1 request-head parser (RFC 9112, section 2-3).
 *
 * A pure function over a byte buffer: no I/O, no globals, no allocation.
 * Give it everything received so far; it says whether the head is
 * complete, needs more bytes, or is malformed (with the status to send).
 * Spans in the result point into the caller's buffer, so they are valid
 * while that buffer is left unchanged.
 */
#ifndef MINI_HTTPD_HTTP_PARSE_H
#define MINI_HTTPD_HTTP_PARSE_H

#include <stddef.h>

/* A request target longer than this is refused with 414. */
#define HTTP_MAX_TARGET 4096

/* Results of http_parse(). */
enum { HTTP_ERROR = -1, HTTP_INCOMPLETE = 0, HTTP_COMPLETE = 1 };

/* Methods we know by name (RFC 9110, section 9); others are unknown. */
enum http_method {
	HTTP_M_UNKNOWN, HTTP_M_GET, HTTP_M_HEAD, HTTP_M_POST, HTTP_M_PUT,
	HTTP_M_DELETE, HTTP_M_CONNECT, HTTP_M_OPTIONS, HTTP_M_TRACE,
	HTTP_M_PATCH
};

/* Bytes inside the caller's buffer; n == 0 when absent. */
struct http_span {
	const char *p;
	size_t n;
};

/* Lines kept of a field that may repeat; more lines of one field: 431. */
#define HTTP_FIELD_LINES 4

/* The values of a field that may come on several lines: a list field's
 * lines form one list (RFC 9110 5.3); a field that is not a list is
 * valid only when n == 1. */
struct http_field {
	struct http_span v[HTTP_FIELD_LINES];
	int n;			/* lines received (0: absent) */
};

struct http_request {
	size_t head_len;	/* bytes up to and including the empty line */
	struct http_span line;	/* the request line, for the access log */
	struct http_span method, target;
	int method_id;		/* enum http_method */
	int minor;		/* 0: HTTP/1.0, 1: HTTP/1.1 (or a later 1.x) */
	int keep_alive;		/* the client allows another request after this */
	int has_host;		/* a Host header was present */
	int te;			/* Transfer-Encoding was present */
	int chunked;		/* ... and its final coding is chunked */
	int expect_continue;	/* Expect: 100-continue */
	int has_length;		/* Content-Length was present */
	unsigned long long length;	/* its value */
	struct http_field if_match, if_none_match, if_modified_since,
	    if_unmodified_since, if_range, range;
	int status;		/* with HTTP_ERROR: 400, 414, 431 or 505 */
};

/* Parse the request head at the start of buf[0..len). max_head is the
 * largest head accepted (a buffer that full without an end gives 431).
 * Returns HTTP_COMPLETE (req filled), HTTP_INCOMPLETE (read more), or
 * HTTP_ERROR (req->status says which error; answer it and close). */
int http_parse(const char *buf, size_t len, size_t max_head,
    struct http_request *req);

/* Case-insensitive comparison of a span with a lowercase C string. */
int http_span_is(struct http_span s, const char *lower);

/* The authority of an absolute-form target "http://host:port/path" (RFC
 * 9112, 3.2.2): "host:port", or { NULL, 0 } for any other form. */
struct http_span http_authority(struct http_span t);

#endif
