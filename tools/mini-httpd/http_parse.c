/*
 * http_parse.c - the request-head parser: a pure function over a buffer.
 *
 * It is strict where leniency lets two programs disagree about where a
 * request ends (request smuggling): bare CR, NUL and other control bytes,
 * obs-fold continuation lines, Content-Length together with
 * Transfer-Encoding, and differing Content-Length values are all 400.
 * A lone LF is accepted as a line end, as RFC 9112 section 2.2 allows.
 * The values of the framing fields and Host are read by http_field.c.
 */
#include <string.h>

#include "http_field.h"
#include "http_parse.h"

/* Lowercase an ASCII letter. */
static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive comparison of a span with a lowercase C string. */
int
http_span_is(struct http_span s, const char *lw)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (lw[i] == '\0' || lower((unsigned char)s.p[i]) != (unsigned char)lw[i])
			return 0;
	return lw[i] == '\0';
}

/* Find the next line in buf[pos..len): sets *end to the index of its LF;
 * 0 if there is none yet. */
static int
next_line(const char *buf, size_t pos, size_t len, size_t *end)
{
	const char *lf = memchr(buf + pos, '\n', len - pos);

	if (lf == NULL)
		return 0;
	*end = (size_t)(lf - buf);
	return 1;
}

/* The line buf[start..lf) without its CR; -1 if a CR is anywhere else. */
static long
line_length(const char *buf, size_t start, size_t lf)
{
	size_t n = lf - start;

	if (n > 0 && buf[lf - 1] == '\r')
		n--;
	if (memchr(buf + start, '\r', n) != NULL)
		return -1;
	return (long)n;
}

/* Which method a token names. */
static int
method_id(struct http_span m)
{
	static const char *const names[] = { "", "GET", "HEAD", "POST",
	    "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH" };
	size_t i;

	/* Methods are case-sensitive: "get" is not GET. */
	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == m.n && memcmp(names[i], m.p, m.n) == 0)
			return (int)i;
	return HTTP_M_UNKNOWN;
}

/* "METHOD SP target SP HTTP/1.x": 0, or the error status. */
static int
parse_request_line(const char *p, size_t n, struct http_request *req)
{
	size_t i = 0, t;

	while (i < n && http_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ' ')
		return 400;
	req->method.p = p;
	req->method.n = i;
	req->method_id = method_id(req->method);
	t = ++i;
	while (i < n && (unsigned char)p[i] > ' ' && (unsigned char)p[i] < 0x7f)
		i++;
	if (i - t > HTTP_MAX_TARGET)
		return 414;
	if (i == t || i >= n || p[i] != ' ')
		return 400;
	req->target.p = p + t;
	req->target.n = i - t;
	i++;
	if (n - i != 8 || memcmp(p + i, "HTTP/", 5) != 0 ||
	    p[i + 5] < '0' || p[i + 5] > '9' || p[i + 6] != '.' ||
	    p[i + 7] < '0' || p[i + 7] > '9')
		return 400;
	if (p[i + 5] != '1')
		return 505;
	req->minor = p[i + 7] == '0' ? 0 : 1;
	return 0;
}

struct http_span
http_authority(struct http_span t)
{
	size_t skip, i;

	if (t.n >= 7 && http_span_is((struct http_span){ t.p, 7 }, "http://"))
		skip = 7;
	else if (t.n >= 8 && http_span_is((struct http_span){ t.p, 8 },
	    "https://"))
		skip = 8;
	else
		return (struct http_span){ NULL, 0 };
	for (i = skip; i < t.n && t.p[i] != '/' && t.p[i] != '?' &&
	    t.p[i] != '#'; i++)
		continue;
	return (struct http_span){ t.p + skip, i - skip };
}

/* An absolute-form target's authority must name a host and carry no
 * userinfo (RFC 9110, 4.2.1 and 4.2.4): 0 or 400. */
static int
check_authority(struct http_span t)
{
	struct http_span a = http_authority(t);

	if (a.p == NULL)
		return 0;
	return http_host_valid(a, 1) ? 0 : 400;
}

/* Note one more line of a field that may repeat: 0, or 431 beyond
 * HTTP_FIELD_LINES of it. */
static int
add_line(struct http_field *f, struct http_span v)
{
	if (f->n >= HTTP_FIELD_LINES)
		return 431;
	f->v[f->n++] = v;
	return 0;
}

/* The field of req that a conditional or Range field name fills, or NULL. */
static struct http_field *
kept_field(struct http_span name, struct http_request *req)
{
	if (http_span_is(name, "range"))
		return &req->range;
	if (http_span_is(name, "if-match"))
		return &req->if_match;
	if (http_span_is(name, "if-none-match"))
		return &req->if_none_match;
	if (http_span_is(name, "if-modified-since"))
		return &req->if_modified_since;
	if (http_span_is(name, "if-unmodified-since"))
		return &req->if_unmodified_since;
	if (http_span_is(name, "if-range"))
		return &req->if_range;
	return NULL;
}

/* One "name: value" line (without CR LF): 0, or the error status. */
static int
parse_header(const char *p, size_t n, struct http_request *req, int *close,
    int *keep)
{
	struct http_field *f;
	struct http_span name, v;
	size_t i = 0;

	/* A line starting with white space continues the previous one
	 * (obs-fold): refused, as RFC 9112 section 5.2 allows. */
	while (i < n && http_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return 400;
	name.p = p;
	name.n = i++;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (n > i && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	v.p = p + i;
	v.n = n - i;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return 400;
	}
	switch (lower((unsigned char)name.p[0])) {
	case 'c':
		if (http_span_is(name, "content-length"))
			return http_field_length(v, req);
		if (http_span_is(name, "connection")) {
			*close |= http_list_has(v, "close");
			*keep |= http_list_has(v, "keep-alive");
		}
		break;
	case 'e':
		if (http_span_is(name, "expect"))
			req->expect_continue |= http_list_has(v, "100-continue");
		break;
	case 'h':
		/* Exactly one Host, and a valid one (RFC 9112 3.2). */
		if (http_span_is(name, "host")) {
			if (req->has_host || !http_host_valid(v, 0))
				return 400;
			req->has_host = 1;
		}
		break;
	case 'i':
	case 'r':
		if ((f = kept_field(name, req)) != NULL)
			return add_line(f, v);
		break;
	case 't':
		if (http_span_is(name, "transfer-encoding"))
			return http_field_te(v, req);
		break;
	}
	return 0;
}

/* Parse the request head at the start of buf[0..len). */
int
http_parse(const char *buf, size_t len, size_t max_head,
    struct http_request *req)
{
	size_t pos = 0, lf;
	long n;
	int close = 0, keep = 0, rc;

	memset(req, 0, sizeof(*req));
	req->status = 400;
	/* Empty lines before a request are skipped (RFC 9112 section 2.2). */
	while (pos < len && (buf[pos] == '\n' ||
	    (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')))
		pos += buf[pos] == '\r' ? 2 : 1;
	if (pos >= len || (buf[pos] == '\r' && pos + 1 == len))
		return len >= max_head ? (req->status = 431, HTTP_ERROR) :
		    HTTP_INCOMPLETE;
	if (!next_line(buf, pos, len, &lf)) {
		/* A request line that alone fills the buffer: its target is
		 * what is too long. */
		if (len - pos > HTTP_MAX_TARGET + 64 || len >= max_head)
			return req->status = 414, HTTP_ERROR;
		return HTTP_INCOMPLETE;
	}
	n = line_length(buf, pos, lf);
	if (n < 0)
		return HTTP_ERROR;
	req->line.p = buf + pos;
	req->line.n = (size_t)n;
	if ((rc = parse_request_line(buf + pos, (size_t)n, req)) != 0 ||
	    (rc = check_authority(req->target)) != 0)
		return req->status = rc, HTTP_ERROR;

	/* Header lines up to the empty line that ends the head. */
	for (pos = lf + 1;; pos = lf + 1) {
		if (!next_line(buf, pos, len, &lf))
			return len >= max_head ? (req->status = 431,
			    HTTP_ERROR) : HTTP_INCOMPLETE;
		if ((n = line_length(buf, pos, lf)) < 0)
			return HTTP_ERROR;
		if (n == 0)
			break;
		if ((rc = parse_header(buf + pos, (size_t)n, req, &close,
		    &keep)) != 0)
			return req->status = rc, HTTP_ERROR;
	}
	req->head_len = lf + 1;
	if (req->head_len > max_head)
		return req->status = 431, HTTP_ERROR;

	/* Framing must be unambiguous (RFC 9112 section 6.1 and 6.3): a
	 * Transfer-Encoding in HTTP/1.0, beside a Content-Length, or whose
	 * final coding is not chunked leaves the body's end unknown. */
	if (req->te && (req->minor == 0 || req->has_length || !req->chunked))
		return HTTP_ERROR;
	if (req->minor == 1 && !req->has_host)
		return HTTP_ERROR;
	req->keep_alive = !close && (req->minor == 1 || keep);
	req->status = 200;
	return HTTP_COMPLETE;
}
