/*
 * precond.c - conditional requests (RFC 9110 section 13: If-Match,
 * If-Unmodified-Since, If-None-Match, If-Modified-Since, If-Range) and
 * byte ranges (section 14). Pure functions over the parsed request.
 */
#include <limits.h>
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

/* Optional white space (RFC 9110 5.6.3). */
static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* etagc: the bytes between an entity-tag's quotes (RFC 9110 8.8.3). */
static int
is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

/* One line of an entity-tag list: 1 if a tag in it matches etag (weak:
 * by the weak comparison, else by the strong one), 0 if none does, -1 if
 * the line is not a list of entity-tags. */
static int
tag_list(struct http_span v, const char *etag, int weak)
{
	size_t i = 0, start, n = etag != NULL ? strlen(etag) : 0;
	int found = 0, is_weak;

	for (;;) {
		while (i < v.n && (is_ows(v.p[i]) || v.p[i] == ','))
			i++;	/* empty list elements are allowed */
		if (i == v.n)
			return found;
		is_weak = i + 1 < v.n && v.p[i] == 'W' && v.p[i + 1] == '/';
		if (is_weak)
			i += 2;
		if (i >= v.n || v.p[i] != '"')
			return -1;
		start = i++;
		while (i < v.n && is_etagc((unsigned char)v.p[i]))
			i++;
		if (i >= v.n || v.p[i++] != '"')
			return -1;
		if (etag != NULL && i - start == n &&
		    memcmp(v.p + start, etag, n) == 0 && (weak || !is_weak))
			found = 1;
		while (i < v.n && is_ows(v.p[i]))
			i++;
		if (i < v.n && v.p[i] != ',')
			return -1;
	}
}

/* If-Match or If-None-Match over all its lines: 1 when "*" (we have a
 * current representation) or a listed tag matches, 0 when none does,
 * -1 when the field is not valid. */
static int
field_match(const struct http_field *f, const char *etag, int weak)
{
	int i, rc, found = 0;

	if (f->n == 1 && span_eq(f->v[0], "*"))
		return 1;
	for (i = 0; i < f->n; i++) {
		if ((rc = tag_list(f->v[i], etag, weak)) < 0)
			return -1;
		found |= rc;
	}
	return found;
}

/* The date of a field that must be exactly one HTTP-date; 0, or -1 when
 * it is not (then the field is ignored: RFC 9110 13.1.3, 13.1.4). */
static int
field_date(const struct http_field *f, time_t now, time_t *t)
{
	if (f->n != 1)
		return -1;
	return resp_parse_date(f->v[0].p, f->v[0].n, now, t);
}

/* The preconditions of a GET or HEAD, in RFC 9110's order. */
int
precond_check(const struct http_request *req, const char *etag,
    const time_t *mtime, time_t now)
{
	time_t date;

	/* Steps 1-2: is the client's idea of the file still true? */
	if (req->if_match.n > 0) {
		/* Strong comparison; an invalid field is false. */
		if (field_match(&req->if_match, etag, 0) != 1)
			return 412;
	} else if (req->if_unmodified_since.n > 0 && mtime != NULL &&
	    field_date(&req->if_unmodified_since, now, &date) == 0 &&
	    *mtime > date) {
		return 412;
	}
	/* Steps 3-4: does the client already have it? */
	if (req->if_none_match.n > 0)
		return field_match(&req->if_none_match, etag, 1) == 1 ? 304 : 0;
	if (req->if_modified_since.n > 0 && mtime != NULL &&
	    field_date(&req->if_modified_since, now, &date) == 0 &&
	    *mtime <= date)
		return 304;
	return 0;
}

/* True when a Range header applies (see precond.h). */
int
precond_range_applies(const struct http_request *req, const char *etag)
{
	const struct http_field *ir = &req->if_range;

	/* GET is the only method with ranges (RFC 9110 14.2). */
	if (req->method_id != HTTP_M_GET || req->range.n != 1)
		return 0;
	return ir->n == 0 ||
	    (ir->n == 1 && etag != NULL && span_eq(ir->v[0], etag));
}

/* Read the decimal numeral at p[*i..n) into *v, saturating at ULLONG_MAX
 * (a bound that large is past any file, and means the same); sets
 * *digits to its length. */
static void
number(const char *p, size_t n, size_t *i, unsigned long long *v,
    size_t *digits)
{
	size_t start = *i;

	for (*v = 0; *i < n && p[*i] >= '0' && p[*i] <= '9'; (*i)++) {
		unsigned d = (unsigned)(p[*i] - '0');

		*v = *v > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : *v * 10 + d;
	}
	*digits = *i - start;
}

/* Is the numeral a[0..an) less than b[0..bn)? Exact at any length. */
static int
numeral_less(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	return an != bn ? an < bn : memcmp(a, b, an) < 0;
}

/* One range-spec p[0..n) against size > 0: -1 invalid, 0 unsatisfiable,
 * 1 satisfiable with *from and *count set (RFC 9110 14.1.2). */
static int
range_spec(const char *p, size_t n, unsigned long long size,
    unsigned long long *from, unsigned long long *count)
{
	unsigned long long first, last;
	size_t i = 0, fn, ln;

	number(p, n, &i, &first, &fn);
	if (i >= n || p[i++] != '-')
		return -1;
	number(p, n, &i, &last, &ln);
	if (i != n || (fn == 0 && ln == 0))
		return -1;
	if (fn == 0) {		/* "-N": the last N bytes */
		if (last == 0)
			return 0;
		*from = last >= size ? 0 : size - last;
		*count = size - *from;
		return 1;
	}
	if (ln > 0 && numeral_less(p + fn + 1, ln, p, fn))
		return -1;	/* last before first: invalid */
	if (first >= size)
		return 0;
	if (ln == 0 || last >= size)
		last = size - 1;
	*from = first;
	*count = last - first + 1;
	return 1;
}

/* The range-set of a Range header (see precond.h). */
int
precond_range(struct http_span r, unsigned long long size,
    unsigned long long *from, unsigned long long *count)
{
	unsigned long long f = 0, c = 0, first_from = 0, first_count = 0;
	size_t i = 6, start, end;
	int specs = 0, good = 0, rc;

	/* An empty file has no byte to point at: MAY ignore (14.2). */
	if (size == 0 || r.n < 6 ||
	    !http_span_is((struct http_span){ r.p, 6 }, "bytes="))
		return 0;
	while (i <= r.n) {
		for (start = i; i < r.n && r.p[i] != ','; i++)
			continue;
		end = i++;
		while (start < end && is_ows(r.p[start]))
			start++;
		while (end > start && is_ows(r.p[end - 1]))
			end--;
		if (start == end)
			continue;	/* an empty list element */
		specs++;
		rc = range_spec(r.p + start, end - start, size, &f, &c);
		if (rc < 0)
			return 0;	/* one invalid spec voids the header */
		if (rc == 1 && good++ == 0) {
			first_from = f;
			first_count = c;
		}
	}
	if (specs == 0 || good > 1)
		return 0;
	if (good == 0)
		return 416;
	*from = first_from;
	*count = first_count;
	return 1;
}
