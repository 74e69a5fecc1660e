/*
 * cgi_head.c - reading a CGI script's response head (RFC 3875, 6.2-6.3).
 *
 * A script speaks "CGI", not HTTP: header lines, then an empty line,
 * then the body. Status ("201 Created") gives the status, Location a
 * redirect, Content-Type the body's type; every other field goes to the
 * client as it is, except the ones that frame the connection, which only
 * the server may write. Lines end in LF or CRLF (scripts print "\n").
 */
#include <string.h>

#include "cgi_head.h"
#include "http_field.h"

/* Fields whose meaning belongs to the connection, not to the script. */
int
cgi_own_field(struct http_span name)
{
	static const char *const own[] = { "status", "connection",
	    "keep-alive", "transfer-encoding", "content-length", "date",
	    "server", "upgrade", "trailer", "te", "proxy-connection" };
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (http_span_is(name, own[i]))
			return 1;
	return 0;
}

/* "201 Created" or "201": 0 with h->status set, or -1. */
static int
parse_status(struct http_span v, struct cgi_head *h)
{
	size_t i;

	if (v.n < 3 || (v.n > 3 && v.p[3] != ' '))
		return -1;
	for (i = 0; i < 3; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
	h->status = (v.p[0] - '0') * 100 + (v.p[1] - '0') * 10 + (v.p[2] - '0');
	if (h->status < 100 || h->status > 599)
		return -1;
	h->reason.p = v.p + (v.n > 3 ? 4 : 3);
	h->reason.n = v.n > 3 ? v.n - 4 : 0;
	return 0;
}

/* A Content-Length the script promises: digits only, no overflow. */
static int
parse_length(struct http_span v, struct cgi_head *h)
{
	unsigned long long n = 0;
	size_t i;

	if (v.n == 0 || v.n > 18 || h->has_length)
		return -1;
	for (i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		n = n * 10 + (unsigned)(v.p[i] - '0');
	}
	h->has_length = 1;
	h->length = n;
	return 0;
}

/* Set *field to v, once: a field given twice is ambiguous. */
static int
once(struct http_span *field, struct http_span v)
{
	if (field->p != NULL)
		return -1;
	*field = v;
	return 0;
}

/* One "name: value" line (without its line end): 0, or -1. */
static int
parse_line(const char *p, size_t n, struct cgi_head *h, int *has_status)
{
	struct http_span name, v;
	size_t i = 0;

	while (i < n && http_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return -1;
	name = (struct http_span){ p, i++ };
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (n > i && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	v = (struct http_span){ p + i, n - i };
	for (; i < n; i++)
		if (((unsigned char)p[i] < ' ' && p[i] != '\t') || p[i] == 0x7f)
			return -1;
	if (http_span_is(name, "status")) {
		if (*has_status)
			return -1;
		*has_status = 1;
		return parse_status(v, h);
	}
	if (http_span_is(name, "content-type"))
		return v.n == 0 ? -1 : once(&h->type, v);
	if (http_span_is(name, "location"))
		return v.n == 0 ? -1 : once(&h->location, v);
	if (http_span_is(name, "content-length"))
		return parse_length(v, h);
	return 0;
}

/* Parse the script's head at buf[0..len) (see cgi_head.h). */
int
cgi_parse_head(const char *buf, size_t len, struct cgi_head *h)
{
	size_t pos = 0, n;
	const char *lf;
	int has_status = 0;

	memset(h, 0, sizeof(*h));
	for (;;) {
		lf = memchr(buf + pos, '\n', len - pos);
		if (lf == NULL)
			return len >= CGI_HEAD_MAX ? CGI_BAD : CGI_INCOMPLETE;
		n = (size_t)(lf - (buf + pos));
		if (n > 0 && buf[pos + n - 1] == '\r')
			n--;
		if (memchr(buf + pos, '\r', n) != NULL)
			return CGI_BAD;	/* a bare CR */
		if (n == 0)
			break;
		if (parse_line(buf + pos, n, h, &has_status) < 0)
			return CGI_BAD;
		pos = (size_t)(lf - buf) + 1;
	}
	h->head_len = (size_t)(lf - buf) + 1;
	if (h->head_len > CGI_HEAD_MAX)
		return CGI_BAD;
	/* At least one CGI field (6.2); a body needs its type (6.3.1). */
	if (h->type.p == NULL && h->location.p == NULL && !has_status)
		return CGI_BAD;
	if (h->location.p != NULL && !has_status) {
		/* "Location: /path" alone asks the server to serve that path
		 * instead (local redirect); a URL redirects the client. */
		h->local_redirect = h->location.p[0] == '/' &&
		    (h->location.n < 2 || h->location.p[1] != '/');
		h->status = 302;
	} else if (!has_status) {
		h->status = 200;
	}
	return CGI_COMPLETE;
}
