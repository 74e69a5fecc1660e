/*
 * http_parse.c - the request-head parser: a pure function over a buffer.
 *
 * It is strict where leniency lets two programs disagree about where a
 * request ends (request smuggling): bare CR, NUL and other control bytes,
 * obs-fold continuation lines, Content-Length together with
 * Transfer-Encoding, and differing Content-Length values are all 400.
 * A lone LF is accepted as a line end, as RFC 9112 section 2.2 allows.
 */
#include <string.h>

#include "http_parse.h"

/* RFC 9110 tchar: the bytes of a token (method, header name). */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

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

	while (i < n && is_tchar((unsigned char)p[i]))
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

/* Add one Content-Length value list ("42" or "42, 42"): 0 or 400. */
static int
parse_length(struct http_span v, struct http_request *req)
{
	size_t i = 0;

	while (i < v.n) {
		unsigned long long x = 0;
		size_t digits = 0;

		while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9') {
			if (++digits > 18)
				return 400;
			x = x * 10 + (unsigned)(v.p[i++] - '0');
		}
		if (digits == 0)
			return 400;
		/* Repeated values are allowed only if they all agree. */
		if (req->has_length && req->length != x)
			return 400;
		req->has_length = 1;
		req->length = x;
		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
			i++;
		if (i < v.n && v.p[i++] != ',')
			return 400;
		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
			i++;
	}
	return 0;
}

/* The last comma-separated element of v, trimmed. */
static struct http_span
last_element(struct http_span v)
{
	struct http_span e = v;
	const char *comma = NULL;
	size_t i;

	for (i = 0; i < v.n; i++)
		if (v.p[i] == ',')
			comma = v.p + i;
	if (comma != NULL) {
		e.p = comma + 1;
		e.n = v.n - (size_t)(e.p - v.p);
	}
	while (e.n > 0 && (e.p[0] == ' ' || e.p[0] == '\t')) {
		e.p++;
		e.n--;
	}
	return e;
}

/* Note the Connection options "close" and "keep-alive". */
static void
parse_connection(struct http_span v, int *close, int *keep)
{
	size_t i = 0, start;

	while (i < v.n) {
		struct http_span tok;

		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' ||
		    v.p[i] == ','))
			i++;
		start = i;
		while (i < v.n && v.p[i] != ',' && v.p[i] != ' ' &&
		    v.p[i] != '\t')
			i++;
		tok.p = v.p + start;
		tok.n = i - start;
		if (http_span_is(tok, "close"))
			*close = 1;
		else if (http_span_is(tok, "keep-alive"))
			*keep = 1;
	}
}

/* One "name: value" line (without CR LF): 0, or the error status. */
static int
parse_header(const char *p, size_t n, struct http_request *req, int *close,
    int *keep, int *te)
{
	struct http_span name, v;
	size_t i = 0;

	/* A line starting with white space continues the previous one
	 * (obs-fold): refused, as RFC 9112 section 5.2 allows. */
	while (i < n && is_tchar((unsigned char)p[i]))
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
			return parse_length(v, req);
		if (http_span_is(name, "connection"))
			parse_connection(v, close, keep);
		break;
	case 'h':
		if (http_span_is(name, "host")) {
			if (req->has_host)
				return 400;
			req->has_host = 1;
		}
		break;
	case 'i':
		if (http_span_is(name, "if-modified-since"))
			req->if_modified_since = v;
		else if (http_span_is(name, "if-none-match"))
			req->if_none_match = v;
		else if (http_span_is(name, "if-range"))
			req->if_range = v;
		break;
	case 'r':
		if (http_span_is(name, "range")) {
			if (req->range.p != NULL)
				req->range.n = 0;	/* two ranges: ignore */
			else
				req->range = v;
		}
		break;
	case 't':
		if (http_span_is(name, "transfer-encoding")) {
			/* The final coding of a request must be chunked. */
			*te = 1;
			req->chunked = http_span_is(last_element(v), "chunked");
			if (!req->chunked)
				return 400;
		}
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
	int close = 0, keep = 0, te = 0, rc;

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
	if ((rc = parse_request_line(buf + pos, (size_t)n, req)) != 0)
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
		if ((rc = parse_header(buf + pos, (size_t)n, req, &close, &keep,
		    &te)) != 0)
			return req->status = rc, HTTP_ERROR;
	}
	req->head_len = lf + 1;
	if (req->head_len > max_head)
		return req->status = 431, HTTP_ERROR;

	/* Framing must be unambiguous (RFC 9112 section 6.1 and 6.3). */
	if ((te && req->has_length) || (te && req->minor == 0))
		return HTTP_ERROR;
	if (req->minor == 1 && !req->has_host)
		return HTTP_ERROR;
	req->keep_alive = !close && (req->minor == 1 || keep);
	req->status = 200;
	return HTTP_COMPLETE;
}
