/*
 * response.c - status lines, header fields, HTTP dates and error pages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "response.h"

#ifndef SOCKLAB_VERSION
#define SOCKLAB_VERSION "unknown"
#endif

struct reason {
	int status;
	const char *text;
};

/* The statuses mini-httpd sends (RFC 9110, section 15). */
static const struct reason reasons[] = {
	{ 100, "Continue" }, { 200, "OK" }, { 201, "Created" },
	{ 202, "Accepted" }, { 204, "No Content" },
	{ 206, "Partial Content" }, { 301, "Moved Permanently" },
	{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
	{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
	{ 411, "Length Required" }, { 412, "Precondition Failed" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 416, "Range Not Satisfiable" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
    "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const long_days[7] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };

/* The reason phrase for status. */
const char *
resp_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].text;
	return "Unknown";
}

/* Add one header line, printf-style; a full buffer sets overflow. */
void
resp_add(struct head *h, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (h->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(h->buf + h->len, h->size - h->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 >= h->size - h->len) {
		h->overflow = 1;
		return;
	}
	h->len += (size_t)n;
	memcpy(h->buf + h->len, "\r\n", 2);
	h->len += 2;
}

/* Add bytes that are already formatted header lines. */
void
resp_raw(struct head *h, const char *lines, size_t n)
{
	if (h->overflow || n >= h->size - h->len) {
		h->overflow = 1;
		return;
	}
	memcpy(h->buf + h->len, lines, n);
	h->len += n;
}

/* Start a head with the status line, Server and Date. */
void
resp_start(struct head *h, char *buf, size_t size, int status)
{
	h->buf = buf;
	h->size = size;
	h->len = 0;
	h->overflow = 0;
	resp_add(h, "HTTP/1.1 %d %s\r\nServer: mini-httpd/%s\r\nDate: %s",
	    status, resp_reason(status), SOCKLAB_VERSION, resp_date_now());
}

/* End the head with Connection and the empty line. */
void
resp_end(struct head *h, int close, int http10_keep)
{
	if (close)
		resp_add(h, "Connection: close");
	else if (http10_keep)
		resp_add(h, "Connection: keep-alive");
	resp_add(h, "%s", "");
}

/* Format t as an IMF-fixdate. */
void
resp_date(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, HTTP_DATE_LEN, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The current time as an IMF-fixdate, cached for the second. */
const char *
resp_date_now(void)
{
	static char text[HTTP_DATE_LEN];
	static time_t when = -1;
	time_t now = time(NULL);

	if (now != when) {
		resp_date(now, text);
		when = now;
	}
	return text;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Read exactly n digits at p into *v; 0 or -1. */
static int
digits(const char *p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

/* The index of the 3-letter name at p in names (case-sensitive), or -1. */
static int
name_index(const char *p, const char (*names)[4], int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (memcmp(p, names[i], 3) == 0)
			return i;
	return -1;
}

/* "08:49:37" at p into its three numbers; 0 or -1. */
static int
time_of_day(const char *p, int *hh, int *mm, int *ss)
{
	if (p[2] != ':' || p[5] != ':' || digits(p, 2, hh) ||
	    digits(p + 3, 2, mm) || digits(p + 6, 2, ss))
		return -1;
	return 0;
}

/* A calendar date and time (mon 0-11) as a time_t; -1 if there is no
 * such moment ("Feb 30", "25:00") or time_t cannot hold it. */
static int
to_time(int year, int mon, int day, int hh, int mm, int ss, time_t *t)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	long long v;

	if (mon < 0 || day < 1 || day > mdays[mon] + (mon == 1 && leap) ||
	    hh > 23 || mm > 59 || ss > 60)
		return -1;
	v = days_from_civil(year, mon + 1, day) * 86400 + hh * 3600LL +
	    mm * 60LL + ss;
	*t = (time_t)v;
	return (long long)*t == v ? 0 : -1;
}

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". */
static int
imf_fixdate(const char *p, size_t n, time_t *t)
{
	int day, year, hh, mm, ss;

	if (n != 29 || name_index(p, days, 7) < 0 || p[3] != ',' ||
	    p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' ||
	    memcmp(p + 25, " GMT", 4) != 0 || digits(p + 5, 2, &day) ||
	    digits(p + 12, 4, &year) || time_of_day(p + 17, &hh, &mm, &ss))
		return -1;
	return to_time(year, name_index(p + 8, months, 12), day, hh, mm, ss, t);
}

/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; a year that would be more
 * than 50 years ahead of now is the last such year in the past. */
static int
rfc850_date(const char *p, size_t n, time_t now, time_t *t)
{
	int i, day, yy, year, hh, mm, ss;
	size_t d = 0;
	struct tm tm;

	for (i = 0; i < 7; i++) {
		d = strlen(long_days[i]);
		if (n > d && memcmp(p, long_days[i], d) == 0 && p[d] == ',')
			break;
	}
	if (i == 7 || n - d - 1 != 23)
		return -1;
	p += d + 1;
	if (p[0] != ' ' || p[3] != '-' || p[7] != '-' || p[10] != ' ' ||
	    memcmp(p + 19, " GMT", 4) != 0 || digits(p + 1, 2, &day) ||
	    digits(p + 8, 2, &yy) || time_of_day(p + 11, &hh, &mm, &ss) ||
	    gmtime_r(&now, &tm) == NULL)
		return -1;
	year = tm.tm_year + 1900 - (tm.tm_year + 1900) % 100 + yy;
	if (year > tm.tm_year + 1900 + 50)
		year -= 100;
	return to_time(year, name_index(p + 4, months, 12), day, hh, mm, ss, t);
}

/* asctime: "Sun Nov  6 08:49:37 1994". */
static int
asctime_date(const char *p, size_t n, time_t *t)
{
	int day, year, hh, mm, ss;

	if (n != 24 || name_index(p, days, 7) < 0 || p[3] != ' ' ||
	    p[7] != ' ' || p[10] != ' ' || p[19] != ' ' ||
	    (p[8] == ' ' ? digits(p + 9, 1, &day) : digits(p + 8, 2, &day)) ||
	    time_of_day(p + 11, &hh, &mm, &ss) || digits(p + 20, 4, &year))
		return -1;
	return to_time(year, name_index(p + 4, months, 12), day, hh, mm, ss, t);
}

/* Parse an HTTP-date in any of its three forms. */
int
resp_parse_date(const char *p, size_t n, time_t now, time_t *t)
{
	if (n == 29 && p[3] == ',')
		return imf_fixdate(p, n, t);
	if (n == 24 && p[3] == ' ')
		return asctime_date(p, n, t);
	return rfc850_date(p, n, now, t);
}

/* The small HTML page for an error status. */
size_t
resp_error_page(char *buf, size_t size, int status)
{
	const char *r = resp_reason(status);
	int n = snprintf(buf, size, "<!DOCTYPE html>\n<html><head><title>%d %s"
	    "</title></head>\n<body><h1>%d %s</h1><hr><p>mini-httpd</p>"
	    "</body></html>\n", status, r, status, r);

	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}
