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
	{ 200, "OK" }, { 206, "Partial Content" },
	{ 301, "Moved Permanently" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
	{ 413, "Content Too Large" }, { 414, "URI Too Long" },
	{ 416, "Range Not Satisfiable" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" }, { 505, "HTTP Version Not Supported" },
};

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
    "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

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
static long
days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

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

/* Parse "Sun, 06 Nov 1994 08:49:37 GMT" (29 bytes). */
int
resp_parse_date(const char *p, size_t n, time_t *t)
{
	int day, year, hh, mm, ss, mon;

	if (n != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' ||
	    p[11] != ' ' || p[16] != ' ' || p[19] != ':' || p[22] != ':' ||
	    memcmp(p + 25, " GMT", 4) != 0)
		return -1;
	for (mon = 0; mon < 12; mon++)
		if (memcmp(p + 8, months[mon], 3) == 0)
			break;
	if (mon == 12 || digits(p + 5, 2, &day) || digits(p + 12, 4, &year) ||
	    digits(p + 17, 2, &hh) || digits(p + 20, 2, &mm) ||
	    digits(p + 23, 2, &ss) || day < 1 || day > 31 || hh > 23 ||
	    mm > 59 || ss > 60)
		return -1;
	*t = (time_t)(days_from_civil(year, mon + 1, day) * 86400L +
	    hh * 3600L + mm * 60L + ss);
	return 0;
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
