/*
 * cgi_head.h - the head of a CGI script's response (RFC 3875, section
 * 6): header lines up to an empty line, with three fields the server
 * reads itself (Status, Content-Type, Location) and the others passed
 * on to the client. A pure function over the bytes read so far.
 */
#ifndef MINI_HTTPD_CGI_HEAD_H
#define MINI_HTTPD_CGI_HEAD_H

#include <stddef.h>

#include "http_parse.h"

/* The largest script head read; a longer one is a bad gateway (502). */
#define CGI_HEAD_MAX 8192

/* Results of cgi_parse_head(), as http_parse(). */
enum { CGI_BAD = -1, CGI_INCOMPLETE = 0, CGI_COMPLETE = 1 };

struct cgi_head {
	size_t head_len;	/* bytes up to and including the empty line */
	int status;		/* from Status (100-599), else 200 or 302 */
	struct http_span reason;	/* Status's reason phrase, if any */
	struct http_span type;	/* Content-Type's value */
	struct http_span location;	/* Location's value */
	int local_redirect;	/* Location "/path" alone (6.2.2) */
	int has_length;		/* the script sent Content-Length ... */
	unsigned long long length;	/* ... with this value */
};

/* Parse the script's head at buf[0..len). CGI_COMPLETE (h filled;
 * the body starts at buf + h->head_len), CGI_INCOMPLETE (read more; a
 * head longer than CGI_HEAD_MAX is CGI_BAD), or CGI_BAD: a line that is
 * not "name: value", a control byte, a bad Status, repeated fields,
 * or neither Content-Type, Location nor Status (RFC 3875 6.2). */
int cgi_parse_head(const char *buf, size_t len, struct cgi_head *h);

/* Whether the header line name is one the server writes itself (Status,
 * Content-Length, Connection, Transfer-Encoding ... never copied from a
 * script). */
int cgi_own_field(struct http_span name);

#endif
