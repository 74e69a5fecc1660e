/*
 * http_field.c - the values of Content-Length, Transfer-Encoding,
 * Connection, Expect and Host: the fields that decide where a request
 * ends and whom it is for, parsed strictly (see http_field.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <limits.h>
#include <string.h>

#include "http_field.h"

/* RFC 9110 tchar: the bytes of a token. */
int
http_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int
http_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Optional white space (RFC 9110 5.6.3). */
static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A hex digit? */
static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Add one Content-Length field line: 0 or 400. */
int
http_field_length(struct http_span v, struct http_request *req)
{
	size_t i = 0, start;

	do {
		unsigned long long x = 0;

		while (i < v.n && is_ows(v.p[i]))
			i++;
		for (start = i; i < v.n && v.p[i] >= '0' && v.p[i] <= '9';
		    i++) {
			unsigned d = (unsigned)(v.p[i] - '0');

			/* Checked before multiplying: a length past any
			 * integer is refused, never wrapped. */
			if (x > (ULLONG_MAX - d) / 10)
				return 400;
			x = x * 10 + d;
		}
		if (i == start)
			return 400;	/* empty, a sign, a comma too many */
		/* Repeated values are allowed only if they all agree. */
		if (req->has_length && req->length != x)
			return 400;
		req->has_length = 1;
		req->length = x;
		while (i < v.n && is_ows(v.p[i]))
			i++;
		if (i < v.n && v.p[i] != ',')
			return 400;
	} while (i++ < v.n);
	return 0;
}

/* The next element of list v at *i (trimmed; n == 0 when empty);
 * 0 at the end of the list. */
static int
next_element(struct http_span v, size_t *i, struct http_span *e)
{
	size_t start;

	if (*i > v.n)
		return 0;
	start = *i;
	while (*i < v.n && v.p[*i] != ',')
		(*i)++;
	e->p = v.p + start;
	e->n = *i - start;
	(*i)++;			/* past the comma (or the end) */
	while (e->n > 0 && is_ows(e->p[0])) {
		e->p++;
		e->n--;
	}
	while (e->n > 0 && is_ows(e->p[e->n - 1]))
		e->n--;
	return 1;
}

/* Add one Transfer-Encoding field line: 0 or 400. */
int
http_field_te(struct http_span v, struct http_request *req)
{
	struct http_span e;
	size_t i = 0;

	req->te = 1;
	while (next_element(v, &i, &e)) {
		if (e.n == 0)
			continue;	/* empty list elements are ignored */
		/* chunked must come last, once; a coding starts with a token. */
		if (req->chunked || !http_tchar((unsigned char)e.p[0]))
			return 400;
		req->chunked = http_span_is(e, "chunked");
	}
	return 0;
}

/* Whether list v holds the token lw. */
int
http_list_has(struct http_span v, const char *lw)
{
	struct http_span e;
	size_t i = 0;

	while (next_element(v, &i, &e))
		if (http_span_is(e, lw))
			return 1;
	return 0;
}

/* RFC 3986 unreserved or sub-delims: a reg-name's bytes besides %XX. */
static int
is_regname(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=", c) != NULL;
}

/* The inside of "[...]": an IPv6 address or an IPvFuture (RFC 3986). */
static int
ip_literal(const char *p, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;
	size_t i = 1;

	if (n > 0 && (p[0] == 'v' || p[0] == 'V')) {
		while (i < n && is_hex(p[i]))
			i++;
		if (i == 1 || i + 1 >= n || p[i++] != '.')
			return 0;
		for (; i < n; i++)
			if (!is_regname((unsigned char)p[i]) && p[i] != ':')
				return 0;
		return 1;
	}
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/* Whether v is uri-host [ ":" port ]. */
int
http_host_valid(struct http_span v, int need_host)
{
	size_t i = 0;

	if (v.n > 0 && v.p[0] == '[') {
		const char *end = memchr(v.p, ']', v.n);

		if (end == NULL || !ip_literal(v.p + 1, (size_t)(end - v.p) - 1))
			return 0;
		i = (size_t)(end - v.p) + 1;
	} else {
		while (i < v.n && v.p[i] != ':') {
			if (v.p[i] == '%') {
				if (i + 2 >= v.n || !is_hex(v.p[i + 1]) ||
				    !is_hex(v.p[i + 2]))
					return 0;
				i += 3;
			} else if (is_regname((unsigned char)v.p[i])) {
				i++;
			} else {
				return 0;
			}
		}
		if (need_host && i == 0)
			return 0;
	}
	if (i == v.n)
		return 1;
	if (v.p[i++] != ':')
		return 0;
	for (; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	return 1;
}
