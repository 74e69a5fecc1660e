/*
 * response.h - the response head: status line and header fields written
 * into one buffer (sent with the body in one writev), HTTP dates, and
 * the small HTML error pages.
 */
#ifndef MINI_HTTPD_RESPONSE_H
#define MINI_HTTPD_RESPONSE_H

#include <stddef.h>
#include <time.h>

/* Room for an IMF-fixdate such as "Sun, 06 Nov 1994 08:49:37 GMT". */
#define HTTP_DATE_LEN 32

/* A head being written: buf[0..len) of size bytes; len stops growing
 * (and overflow is set) when it is full. */
struct head {
	char *buf;
	size_t len, size;
	int overflow;
};

/* "Not Found" for 404; "Unknown" for a status not in the table. */
const char *resp_reason(int status);

/* Start a head: "HTTP/1.1 STATUS Reason", Server, Date. */
void resp_start(struct head *h, char *buf, size_t size, int status);
/* Add one header line, printf-style: resp_add(h, "Content-Length: %d", n). */
void resp_add(struct head *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add bytes that are already formatted header lines (each with CR LF). */
void resp_raw(struct head *h, const char *lines, size_t n);
/* End the head: Connection (close or keep-alive) and the empty line.
 * http10_keep says the client is HTTP/1.0 and asked for keep-alive. */
void resp_end(struct head *h, int close, int http10_keep);

/* Format t as an IMF-fixdate into out (HTTP_DATE_LEN bytes). */
void resp_date(time_t t, char *out);
/* The current time as an IMF-fixdate, formatted at most once a second. */
const char *resp_date_now(void);
/* Parse an HTTP-date in any of its three forms (RFC 9110 5.6.7):
 * IMF-fixdate, RFC 850 (its two-digit year read relative to now) and
 * asctime. 0, or -1 when it is not a valid date (then it is ignored). */
int resp_parse_date(const char *p, size_t n, time_t now, time_t *t);

/* Write the small HTML page for an error status into buf; its length. */
size_t resp_error_page(char *buf, size_t size, int status);

#endif
