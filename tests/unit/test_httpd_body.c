/*
 * test_httpd_body.c - mini-httpd's decoders of what comes after a head:
 * the chunked transfer coding (chunked.c, RFC 9112 7.1) and a CGI
 * script's response head (cgi_head.c, RFC 3875 6). Every chunked body is
 * also fed cut at every byte, and one byte at a time: the result must
 * not depend on how the network cut it.
 */
#include <stdlib.h>

#include "cgi_head.h"
#include "chunked.h"
#include "unit.h"

/* Decode body in pieces of step bytes (0: all at once) into out; the
 * result (CHUNK_DONE / CHUNK_MORE / CHUNK_ERROR), *rest the bytes left
 * after the body's end. */
static int
decode(const char *body, size_t n, size_t step, char *out, size_t *out_len,
    size_t *rest)
{
	struct chunked d;
	size_t off = 0, piece, used, len;
	const char *data;
	int rc = CHUNK_MORE;

	chunked_init(&d);
	*out_len = 0;
	*rest = 0;
	while (off < n) {
		piece = step == 0 || n - off < step ? n - off : step;
		while (piece > 0) {
			rc = chunked_decode(&d, body + off, piece, &used, &data,
			    &len);
			off += used;
			piece -= used;
			if (rc == CHUNK_DATA) {
				memcpy(out + *out_len, data, len);
				*out_len += len;
				continue;
			}
			if (rc == CHUNK_ERROR)
				return rc;
			if (rc == CHUNK_DONE) {
				*rest = n - off;
				return rc;
			}
		}
	}
	return rc == CHUNK_DATA ? CHUNK_MORE : rc;
}

/* body decodes to want (with rest bytes after it) however it is cut. */
static int
decodes_to(const char *body, const char *want, size_t rest_want)
{
	size_t n = strlen(body), step, len, rest;
	char out[512];

	for (step = 0; step <= n; step++) {
		if (decode(body, n, step, out, &len, &rest) != CHUNK_DONE ||
		    len != strlen(want) || memcmp(out, want, len) != 0 ||
		    rest != rest_want)
			return 0;
	}
	return 1;
}

/* The result of decoding body at once. */
static int
result(const char *body)
{
	char out[512];
	size_t len, rest;

	return decode(body, strlen(body), 0, out, &len, &rest);
}

/* The chunked coding, valid forms (RFC 9112 7.1). */
static void
test_chunked_valid(void)
{
	CHECK(decodes_to("5\r\nhello\r\n0\r\n\r\n", "hello", 0));
	CHECK(decodes_to("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
	    "hello world", 0));
	CHECK(decodes_to("0\r\n\r\n", "", 0));
	CHECK(decodes_to("000\r\n\r\n", "", 0));
	/* Hex in either case, leading zeros free. */
	CHECK(decodes_to("A\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0));
	CHECK(decodes_to("a\r\n0123456789\r\n0\r\n\r\n", "0123456789", 0));
	CHECK(decodes_to("0000000000000000000003\r\nabc\r\n0\r\n\r\n", "abc", 0));
	/* Extensions, with BWS before ';', are read and dropped (7.1.1). */
	CHECK(decodes_to("3;name=val\r\nabc\r\n0;x\r\n\r\n", "abc", 0));
	CHECK(decodes_to("3 ;a=\"q;\"\r\nabc\r\n0\r\n\r\n", "abc", 0));
	/* Trailers are read and dropped (7.1.2). */
	CHECK(decodes_to("3\r\nabc\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n", "abc", 0));
	/* A lone LF ends a line (2.2). */
	CHECK(decodes_to("3\nabc\n0\n\n", "abc", 0));
	/* What follows the body is the next request's. */
	CHECK(decodes_to("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "abc", 16));
	/* Data may hold CR, LF and NUL: only its size counts. */
	CHECK(decodes_to("4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", 0));
}

/* The chunked coding, broken forms: each is an error, never data. */
static void
test_chunked_broken(void)
{
	char big[CHUNK_EXT_MAX + 64], trailer[CHUNK_TRAILER_MAX + 64];

	CHECK(result("\r\n") == CHUNK_ERROR);		/* no size */
	CHECK(result("x\r\n") == CHUNK_ERROR);		/* not hex */
	CHECK(result("-1\r\n") == CHUNK_ERROR);
	CHECK(result("+1\r\nx\r\n0\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("0x5\r\nhello\r\n0\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("5 \r\nhello\r\n0\r\n\r\n") == CHUNK_ERROR);  /* BWS, no ';' */
	CHECK(result(" 5\r\nhello\r\n0\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("5\rhello\r\n0\r\n\r\n") == CHUNK_ERROR);	/* bare CR */
	CHECK(result("3\r\nabcd\r\n0\r\n\r\n") == CHUNK_ERROR);	/* too long */
	CHECK(result("3\r\nabc\rX0\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("3;a\x01\r\nabc\r\n0\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("0\r\n folded: no\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("0\r\nX: a\rb\r\n\r\n") == CHUNK_ERROR);
	CHECK(result("0\r\n\rX") == CHUNK_ERROR);
	/* 2^64 and more: an overflow, not a wrap to a small size. */
	CHECK(result("10000000000000000\r\n") == CHUNK_ERROR);
	CHECK(result("ffffffffffffffff\r\n") == CHUNK_MORE);
	CHECK(result("fffffffffffffffff\r\n") == CHUNK_ERROR);
	/* Bounded: an endless extension, endless leading zeros, trailers. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "1;", 2);
	big[sizeof(big) - 1] = '\0';
	CHECK(result(big) == CHUNK_ERROR);
	memset(big, '0', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	CHECK(result(big) == CHUNK_ERROR);
	memset(trailer, 'a', sizeof(trailer));
	memcpy(trailer, "0\r\nX:", 5);
	trailer[sizeof(trailer) - 1] = '\0';
	CHECK(result(trailer) == CHUNK_ERROR);
	/* Incomplete is not an error. */
	CHECK(result("5\r\nhel") == CHUNK_MORE);
	CHECK(result("5\r\nhello\r\n0\r\n") == CHUNK_MORE);
}

/* Parse a NUL-terminated script head. */
static int
cgi(const char *text, struct cgi_head *h)
{
	return cgi_parse_head(text, strlen(text), h);
}

/* The script's head (RFC 3875 6.2, 6.3). */
static void
test_cgi_head(void)
{
	struct cgi_head h;
	char big[CGI_HEAD_MAX + 16];

	CHECK(cgi("Content-Type: text/plain\n\nhi", &h) == CGI_COMPLETE);
	CHECK(h.status == 200 && h.head_len == 26 && h.type.n == 10);
	CHECK(cgi("Status: 201 Created\r\nContent-Type: application/json\r\n"
	    "X-Cgi: honoured\r\n\r\n{}", &h) == CGI_COMPLETE);
	CHECK(h.status == 201 && h.reason.n == 7 && h.head_len == 72);
	CHECK(cgi("Status: 404\n\n", &h) == CGI_COMPLETE && h.status == 404 &&
	    h.reason.n == 0);
	/* Location alone: a local path is served by the server (6.2.2), a
	 * URL sends the client there (6.2.3, 6.2.4). */
	CHECK(cgi("Location: /hello.txt\n\n", &h) == CGI_COMPLETE &&
	    h.local_redirect && h.status == 302);
	CHECK(cgi("Location: http://x/\n\n", &h) == CGI_COMPLETE &&
	    !h.local_redirect && h.status == 302);
	CHECK(cgi("Location: //evil/\n\n", &h) == CGI_COMPLETE &&
	    !h.local_redirect);
	CHECK(cgi("Status: 301 Moved\nLocation: /x\n\n", &h) == CGI_COMPLETE &&
	    !h.local_redirect && h.status == 301);
	CHECK(cgi("Content-Type: a/b\nContent-Length: 12\n\n", &h) ==
	    CGI_COMPLETE && h.has_length && h.length == 12);
	CHECK(cgi("Content-Type: text/plain\n", &h) == CGI_INCOMPLETE);
	CHECK(cgi("", &h) == CGI_INCOMPLETE);
	/* Bad gateways. */
	CHECK(cgi("\n", &h) == CGI_BAD);			/* no CGI field */
	CHECK(cgi("X-Only: 1\n\n", &h) == CGI_BAD);
	CHECK(cgi("hello world\n\n", &h) == CGI_BAD);
	CHECK(cgi("Status: 99 Low\n\n", &h) == CGI_BAD);
	CHECK(cgi("Status: 600\n\n", &h) == CGI_BAD);
	CHECK(cgi("Status: 2000\n\n", &h) == CGI_BAD);
	CHECK(cgi("Status: abc\n\n", &h) == CGI_BAD);
	CHECK(cgi("Status: 200\nStatus: 500\n\n", &h) == CGI_BAD);
	CHECK(cgi("Content-Type: a\nContent-Type: b\n\n", &h) == CGI_BAD);
	CHECK(cgi("Content-Type: a\rb\n\n", &h) == CGI_BAD);
	CHECK(cgi("Content-Type: a\x01\n\n", &h) == CGI_BAD);
	CHECK(cgi(" Content-Type: a\n\n", &h) == CGI_BAD);
	CHECK(cgi("Content-Type: a\nContent-Length: -1\n\n", &h) == CGI_BAD);
	CHECK(cgi("Content-Type: a\nContent-Length: 99999999999999999999\n\n",
	    &h) == CGI_BAD);
	memset(big, 'a', sizeof(big));
	memcpy(big, "X: ", 3);
	big[sizeof(big) - 1] = '\0';
	CHECK(cgi(big, &h) == CGI_BAD);
	/* Framing fields are the server's own. */
	CHECK(cgi_own_field((struct http_span){ "Transfer-Encoding", 17 }));
	CHECK(cgi_own_field((struct http_span){ "connection", 10 }));
	CHECK(!cgi_own_field((struct http_span){ "X-Cgi", 5 }));
}

int
main(void)
{
	unit_quiet();
	test_chunked_valid();
	test_chunked_broken();
	test_cgi_head();
	return unit_report("test_httpd_body");
}
