/*
 * precond.c - conditional requests (RFC 9110 section 13: If-None-Match,
 * If-Modified-Since, If-Range) and single byte ranges (section 14).
 * Pure functions over the parsed request.
 */
#include <string.h>
#include <time.h>

#include "precond.h"
#include "response.h"

/* Is the span exactly the C string s? */
static int
span_eq(struct http_span a, const char *s)
{
	return a.n == strlen(s) && memcmp(a.p, s, a.n) == 0;
}

/* Does one entity-tag in the If-None-Match list match ours (weakly)? */
static int
etag_matches(struct http_span list, const char *etag)
{
	size_t i = 0, n = strlen(etag), start;

	while (i < list.n) {
		while (i < list.n && (list.p[i] == ' ' || list.p[i] == ','))
			i++;
		if (i < list.n && list.p[i] == '*')
			return 1;
		if (i + 2 <= list.n && list.p[i] == 'W' && list.p[i + 1] == '/')
			i += 2;
		start = i;
		while (i < list.n && list.p[i] != ',')
			i++;
		while (i > start && list.p[i - 1] == ' ')
			i--;
		if (i - start == n && memcmp(list.p + start, etag, n) == 0)
			return 1;
		while (i < list.n && list.p[i] != ',')
			i++;
	}
	return 0;
}

/* True when the conditional headers say the client's copy is current. */
int
precond_not_modified(const struct http_request *req, const char *etag,
    time_t mtime)
{
	time_t since;

	if (req->if_none_match.n > 0)
		return etag_matches(req->if_none_match, etag);
	return req->if_modified_since.n > 0 &&
	    resp_parse_date(req->if_modified_since.p,
	    req->if_modified_since.n, &since) == 0 && mtime <= since;
}

/* True when a Range header applies: no If-Range, or one that matches. */
int
precond_range_applies(const struct http_request *req, const char *etag,
    const char *modified)
{
	return req->range.n > 0 && (req->if_range.n == 0 ||
	    span_eq(req->if_range, etag) || span_eq(req->if_range, modified));
}

/* Read a decimal number at *p (advancing it); -1 if there is none. */
static long long
number(const char **p, const char *end)
{
	long long v = 0;
	int any = 0;

	while (*p < end && **p >= '0' && **p <= '9' && v < (1LL << 60)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		any = 1;
	}
	return any ? v : -1;
}

/* A single "bytes=first-last" range: 1 with *from and *count set, 0 to
 * ignore the header (bad syntax, several ranges), 416 if unsatisfiable. */
int
precond_range(struct http_span r, unsigned long long size,
    unsigned long long *from, unsigned long long *count)
{
	const char *p = r.p + 6, *end = r.p + r.n;
	long long first, last;

	if (r.n < 7 || !http_span_is((struct http_span){ r.p, 6 }, "bytes="))
		return 0;
	first = number(&p, end);
	if (p >= end || *p++ != '-')
		return 0;
	last = number(&p, end);
	if (p != end || (first < 0 && last < 0))
		return 0;
	if (first < 0) {		/* "-N": the last N bytes */
		if (last == 0 || size == 0)
			return 416;
		*from = (unsigned long long)last >= size ? 0 :
		    size - (unsigned long long)last;
		*count = size - *from;
		return 1;
	}
	if (last >= 0 && last < first)
		return 0;
	if ((unsigned long long)first >= size)
		return 416;
	if (last < 0 || (unsigned long long)last >= size)
		last = (long long)size - 1;
	*from = (unsigned long long)first;
	*count = (unsigned long long)(last - first + 1);
	return 1;
}

