/*
 * fuzz_http.c - libFuzzer harness for every parser mini-httpd runs on the
 * bytes of a request: the head (http_parse.c, http_field.c), the path
 * (files.c), conditional requests and ranges (precond.c), dates
 * (response.c), the escapes of listings and redirects (text.c), the
 * chunked body decoder (chunked.c) and a CGI script's response head
 * (cgi_head.c).
 *
 * Beyond "no crash, no read outside the input, no undefined behaviour":
 * spans lie inside the input, a complete head is no longer than it, a
 * decoded path never climbs above the root nor starts a redirect with
 * "//", a range stays inside the file, a name percent-encoded as a
 * listing prints it decodes back to the same name, a chunked body
 * decodes to the same bytes and the same end whether it comes whole or
 * one byte at a time, and a script's head lies inside what was read.
 *
 *   make fuzz FUZZ=http FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgi_head.h"
#include "chunked.h"
#include "files.h"
#include "http_parse.h"
#include "precond.h"
#include "response.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed "now" (2026-01-01), so that runs are reproducible. */
#define NOW ((time_t)1767225600)

/* Abort unless span s lies inside buf[0..n). */
static void
inside(struct http_span s, const char *buf, size_t n)
{
	if (s.n > 0 && (s.p < buf || s.p + s.n > buf + n))
		abort();
}

/* Abort unless every line of field f lies inside buf[0..n). */
static void
field_inside(const struct http_field *f, const char *buf, size_t n)
{
	int i;

	if (f->n < 0 || f->n > HTTP_FIELD_LINES)
		abort();
	for (i = 0; i < f->n; i++)
		inside(f->v[i], buf, n);
}

/* The target decodes to a path below the root, or to an error status. */
static void
check_path(const struct http_request *req)
{
	struct http_span path, query;
	char rel[512];
	int dir, rc;

	rc = files_target(req->target, 0, rel, sizeof(rel), &path, &query,
	    &dir);
	if (rc != 0) {
		if (rc != 400 && rc != 404 && rc != 414)
			abort();
		return;
	}
	/* No ".." segment survives, nothing absolute, no empty segment
	 * (so "/" + rel + "/" can never start with "//"), no backslash. */
	if (rel[0] == '/' || strstr(rel, "//") != NULL ||
	    strchr(rel, '\\') != NULL || strcmp(rel, "..") == 0 ||
	    strncmp(rel, "../", 3) == 0 || strstr(rel, "/../") != NULL ||
	    (strlen(rel) >= 3 && strcmp(rel + strlen(rel) - 3, "/..") == 0))
		abort();
	if (path.n == 0 || path.p[0] != '/' ||
	    (query.n > 0 && query.p[0] != '?'))
		abort();
}

/* Preconditions give one of their three answers; ranges stay inside. */
static void
check_precond(const struct http_request *req)
{
	static const unsigned long long sizes[] = { 0, 1, 20, 1ULL << 40,
	    ~0ULL >> 1 };
	unsigned long long from, count;
	time_t mtime = NOW - 3600;
	size_t i;
	int rc;

	rc = precond_check(req, "\"1-14-6553f100.5f5e100\"", &mtime, NOW);
	if (rc != 0 && rc != 304 && rc != 412)
		abort();
	rc = precond_check(req, NULL, NULL, NOW);
	if (rc != 0 && rc != 304 && rc != 412)
		abort();
	(void)precond_range_applies(req, "\"1-14-6553f100.5f5e100\"");
	if (req->range.n < 1)
		return;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		rc = precond_range(req->range.v[0], sizes[i], &from, &count);
		if (rc == 1 && (count == 0 || from >= sizes[i] ||
		    count > sizes[i] - from))
			abort();
		if (rc != 0 && rc != 1 && rc != 416)
			abort();
	}
}

/* The raw bytes as a date, a range-set and a file name. */
static void
check_raw(const char *buf, size_t size)
{
	struct http_span path, query, r = { buf, size };
	struct growbuf b = { NULL, 0, 0 };
	unsigned long long from, count;
	char rel[1024];
	time_t t;
	int dir;

	(void)resp_parse_date(buf, size, NOW, &t);
	if (precond_range(r, 20, &from, &count) == 1 &&
	    (count == 0 || from + count > 20))
		abort();
	/* A name a listing would link to decodes back to itself. */
	if (size == 0 || size > 255 || files_name_status(buf, size, 0) != 0)
		return;
	if (text_put(&b, "/", 1) == 0 && text_url(&b, buf, size, "") == 0) {
		if (files_target((struct http_span){ b.p, b.len }, 0, rel,
		    sizeof(rel), &path, &query, &dir) != 0 || dir ||
		    strlen(rel) != size || memcmp(rel, buf, size) != 0)
			abort();
	}
	free(b.p);
}

/* Decode in[0..n) fed in pieces of step bytes: the decoded bytes go to
 * out (at most n), their count to *outlen; the input used to *used. */
static int
decode_in_steps(const char *in, size_t n, size_t step, char *out,
    size_t *outlen, size_t *used)
{
	struct chunked d;
	const char *data;
	size_t off = 0, piece, u, len;
	int rc = CHUNK_MORE;

	chunked_init(&d);
	*outlen = 0;
	while (off < n) {
		piece = n - off < step ? n - off : step;
		rc = chunked_decode(&d, in + off, piece, &u, &data, &len);
		if (u > piece)
			abort();
		if (rc == CHUNK_DATA) {
			if (len == 0 || data < in + off || data + len > in + off + u ||
			    *outlen + len > n)
				abort();
			memcpy(out + *outlen, data, len);
			*outlen += len;
		} else if (u == 0 && rc == CHUNK_MORE && piece > 0) {
			abort();	/* no progress */
		}
		off += u;
		if (rc == CHUNK_DONE || rc == CHUNK_ERROR)
			break;
	}
	*used = off;
	return rc;
}

/* The chunked decoder: the same answer whole and byte by byte. */
static void
check_chunked(const char *buf, size_t n)
{
	char *a = malloc(n ? n : 1), *b = malloc(n ? n : 1);
	size_t alen, blen, aused, bused;
	int ra, rb;

	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return;
	}
	ra = decode_in_steps(buf, n, n ? n : 1, a, &alen, &aused);
	rb = decode_in_steps(buf, n, 1, b, &blen, &bused);
	if (ra == CHUNK_DATA)
		ra = CHUNK_MORE;	/* the input ended inside a chunk */
	if (rb == CHUNK_DATA)
		rb = CHUNK_MORE;
	if (ra != rb || alen != blen || memcmp(a, b, alen) != 0 ||
	    (ra != CHUNK_ERROR && aused != bused))
		abort();
	free(a);
	free(b);
}

/* A script's head: inside the input, a valid status, and the same
 * answer when only the head itself was read. */
static void
check_cgi_head(const char *buf, size_t n)
{
	struct cgi_head h, again;

	if (cgi_parse_head(buf, n, &h) != CGI_COMPLETE)
		return;
	if (h.head_len == 0 || h.head_len > n || h.head_len > CGI_HEAD_MAX ||
	    h.status < 100 || h.status > 599)
		abort();
	inside(h.type, buf, n);
	inside(h.location, buf, n);
	inside(h.reason, buf, n);
	if (cgi_parse_head(buf, h.head_len, &again) != CGI_COMPLETE ||
	    again.head_len != h.head_len || again.status != h.status)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	char *buf = malloc(size ? size : 1);
	int rc;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);	/* an exact-size copy: ASan sees overreads */
	rc = http_parse(buf, size, 8192, &req);
	if (rc == HTTP_COMPLETE) {
		if (req.head_len == 0 || req.head_len > size)
			abort();
		inside(req.method, buf, size);
		inside(req.target, buf, size);
		field_inside(&req.range, buf, size);
		field_inside(&req.if_match, buf, size);
		field_inside(&req.if_none_match, buf, size);
		field_inside(&req.if_modified_since, buf, size);
		field_inside(&req.if_unmodified_since, buf, size);
		field_inside(&req.if_range, buf, size);
		if (req.te && (!req.chunked || req.has_length || req.minor == 0))
			abort();	/* framing that should have been 400 */
		check_path(&req);
		check_precond(&req);
		/* What follows a chunked head is its body. */
		if (req.chunked)
			check_chunked(buf + req.head_len, size - req.head_len);
	} else if (rc == HTTP_ERROR) {
		if (req.status < 400 || req.status > 505)
			abort();
	}
	check_raw(buf, size);
	/* The same bytes as a chunked body, and as a script's output. */
	check_chunked(buf, size);
	check_cgi_head(buf, size);
	free(buf);
	return 0;
}
