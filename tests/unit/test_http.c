/*
 * test_http.c - mini-httpd's pure functions: the request-head parser
 * (http_parse.c, http_field.c), target decoding (files.c), and ranges and
 * preconditions (precond.c), on hand-picked requests with their RFC
 * sections. The fuzzer (tests/fuzz/fuzz_http.c) covers what nobody picks.
 */
#include <time.h>

#include "files.h"
#include "http_parse.h"
#include "precond.h"
#include "trace.h"
#include "unit.h"

/* Parse a NUL-terminated head; the result of http_parse. */
static int
parse(const char *head, struct http_request *req)
{
	return http_parse(head, strlen(head), 8192, req);
}

/* The status of a head that must fail (0 if it did not). */
static int
status_of(const char *head)
{
	struct http_request req;

	return parse(head, &req) == HTTP_ERROR ? req.status : 0;
}

/* Request lines and fields (RFC 9112 2-5, RFC 9110 7.2). */
static void
test_heads(void)
{
	struct http_request req;

	CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &req) ==
	    HTTP_COMPLETE);
	CHECK(req.method_id == HTTP_M_GET && req.minor == 1 && req.keep_alive);
	CHECK(req.head_len == 27 && req.target.n == 1 && req.has_host);
	CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\n", &req) == HTTP_INCOMPLETE);
	CHECK(parse("GET / HTTP/1.0\r\n\r\n", &req) == HTTP_COMPLETE &&
	    req.minor == 0 && !req.keep_alive);
	CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    &req) == HTTP_COMPLETE && !req.keep_alive);
	/* 7.2: HTTP/1.1 needs exactly one valid Host. */
	CHECK(status_of("GET / HTTP/1.1\r\n\r\n") == 400);
	CHECK(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
	CHECK(status_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") == 400);
	CHECK(status_of("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == 505);
	CHECK(status_of("GET /\r\n\r\n") == 400);
	CHECK(status_of("GET  / HTTP/1.1\r\nHost: x\r\n\r\n") == 400);
	/* 5.1: no whitespace between a field name and its colon. */
	CHECK(status_of("GET / HTTP/1.1\r\nHost : x\r\n\r\n") == 400);
	/* 5.2: obsolete line folding is refused. */
	CHECK(status_of("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n") ==
	    400);
	/* A head longer than max_head without its end: 431. */
	CHECK(http_parse("GET / HTTP/1.1\r\nX: aaaaaaaaaaaaaaaaaaaa", 40, 32,
	    &req) == HTTP_ERROR && req.status == 431);
}

/* Framing (RFC 9112 6): Content-Length and Transfer-Encoding. */
static void
test_framing(void)
{
	struct http_request req;

	CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
	    &req) == HTTP_COMPLETE && req.has_length && req.length == 5);
	CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n",
	    &req) == HTTP_COMPLETE && req.length == 5);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n")
	    == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6"
	    "\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5"
	    "\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5"
	    "\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5 6"
	    "\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10"
	    "\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
	    "chunked, gzip\r\n\r\n") == 400);
	CHECK(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n") == 400);
	CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, "
	    "chunked\r\n\r\n", &req) == HTTP_COMPLETE && req.te &&
	    req.chunked);
}

/* Targets: decoding once, dot segments, never above ROOT (files.c). */
static void
test_targets(void)
{
	struct http_span t, path, query;
	char rel[256];
	int dir = -1;

#define TARGET(s) (t.p = (s), t.n = strlen(s), \
	files_target(t, 0, rel, sizeof(rel), &path, &query, &dir))
	CHECK(TARGET("/") == 0 && rel[0] == '\0' && dir == 1);
	CHECK(TARGET("/a/b.html") == 0 && strcmp(rel, "a/b.html") == 0 &&
	    dir == 0);
	CHECK(TARGET("/a/%62.html?x=1") == 0 && strcmp(rel, "a/b.html") == 0 &&
	    query.n == 4);
	/* Above ROOT is refused, encoded or not, never clamped. */
	CHECK(TARGET("/a/../../etc/passwd") == 400);
	CHECK(TARGET("/a/%2e%2e/%2e%2e/etc") == 400);
	CHECK(TARGET("/../x") == 400);
	CHECK(TARGET("/a/../b") == 0 && strcmp(rel, "b") == 0 && dir == 0);
	CHECK(TARGET("/a/b/..") == 0 && strcmp(rel, "a") == 0 && dir == 1);
	CHECK(TARGET("/a%2fb") != 0);		/* an encoded slash */
	CHECK(TARGET("/a%00b") != 0);		/* NUL */
	CHECK(TARGET("/a%zz") == 400);
	CHECK(TARGET("/.hidden") == 404);
	CHECK(TARGET("relative") == 400);
#undef TARGET
	CHECK(strcmp(files_mime("a.html"), "text/html; charset=utf-8") == 0 ||
	    strncmp(files_mime("a.html"), "text/html", 9) == 0);
}

/* Ranges (RFC 9110 14.1.2, 14.2). */
/* The authority of an absolute-form target, and none for other forms. */
static void
test_authority(void)
{
	struct http_span a;

	a = http_authority((struct http_span){ "http://h:80/x", 13 });
	CHECK(a.n == 4 && memcmp(a.p, "h:80", 4) == 0);
	a = http_authority((struct http_span){ "HTTPS://h?q", 11 });
	CHECK(a.n == 1 && a.p[0] == 'h');
	a = http_authority((struct http_span){ "http://", 7 });
	CHECK(a.p != NULL && a.n == 0);
	CHECK(http_authority((struct http_span){ "/x", 2 }).p == NULL);
	CHECK(http_authority((struct http_span){ "http:/", 6 }).p == NULL);
	CHECK(http_authority((struct http_span){ "ftp://h/", 8 }).p == NULL);
}

static void
test_ranges(void)
{
	struct http_span r;
	unsigned long long from = 0, count = 0;

#define RANGE(s, size) (r.p = (s), r.n = strlen(s), \
	precond_range(r, (size), &from, &count))
	CHECK(RANGE("bytes=0-9", 100) == 1 && from == 0 && count == 10);
	CHECK(RANGE("bytes=90-", 100) == 1 && from == 90 && count == 10);
	CHECK(RANGE("bytes=-10", 100) == 1 && from == 90 && count == 10);
	CHECK(RANGE("bytes=-1000", 100) == 1 && from == 0 && count == 100);
	CHECK(RANGE("bytes=50-1000", 100) == 1 && from == 50 && count == 50);
	CHECK(RANGE("bytes=100-", 100) == 416);
	CHECK(RANGE("bytes=9-0", 100) == 0);
	CHECK(RANGE("bytes=0-99999999999999999999999", 100) == 1 &&
	    count == 100);
	CHECK(RANGE("bytes=99999999999999999999999-", 100) == 416);
	CHECK(RANGE("bytes=0-1,5-6", 100) == 0);	/* several: 200 */
	CHECK(RANGE("items=0-1", 100) == 0);
	CHECK(RANGE("bytes=", 100) == 0);
	CHECK(RANGE("bytes=0-9", 0) == 0);
#undef RANGE
}

/* Preconditions (RFC 9110 13.2.2): order and weak comparison. */
static void
test_preconditions(void)
{
	struct http_request req;
	time_t mtime = 1700000000, now = 1800000000;

	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: W/\"a\"\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 304);
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"b\"\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 0);
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 304);
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-Match: \"b\"\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 412);
	/* If-Match uses the strong comparison: a weak tag never matches. */
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-Match: W/\"a\"\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 412);
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "
	    "Sun, 06 Nov 2033 08:49:37 GMT\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 304);
	/* An invalid date is ignored. */
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: soon\r\n\r\n",
	    &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 0);
	/* If-None-Match wins over If-Modified-Since (13.2.2 step 3 first). */
	parse("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"b\"\r\n"
	    "If-Modified-Since: Sun, 06 Nov 2033 08:49:37 GMT\r\n\r\n", &req);
	CHECK(precond_check(&req, "\"a\"", &mtime, now) == 0);
	/* If-Range: only the same strong tag lets Range apply. */
	parse("GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n"
	    "If-Range: \"a\"\r\n\r\n", &req);
	CHECK(precond_range_applies(&req, "\"a\""));
	CHECK(!precond_range_applies(&req, "\"b\""));
}

int
main(void)
{
	trace_init("unit");
	unit_quiet();
	test_heads();
	test_framing();
	test_targets();
	test_authority();
	test_ranges();
	test_preconditions();
	return unit_report("test_http");
}
