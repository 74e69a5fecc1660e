/*
 * text.h - a growable byte buffer and the two escapes that keep a name
 * from changing the meaning of what it is put into: HTML character
 * references for page text, percent-encoding for URLs.
 */
#ifndef MINI_HTTPD_TEXT_H
#define MINI_HTTPD_TEXT_H

#include <stddef.h>

/* A growable byte buffer, kept between requests so that it is allocated
 * once and reused. */
struct growbuf {
	char *p;
	size_t len, cap;
};

/* Append n bytes to b, growing it; 0 or -1 (out of memory). */
int text_put(struct growbuf *b, const char *s, size_t n);
/* Append a C string. */
int text_puts(struct growbuf *b, const char *s);
/* Append s[0..n) with & < > " ' as HTML character references. */
int text_html(struct growbuf *b, const char *s, size_t n);
/* Append s[0..n) percent-encoded: RFC 3986 unreserved bytes and those in
 * keep stay as they are, every other byte becomes %XX. */
int text_url(struct growbuf *b, const char *s, size_t n, const char *keep);

#endif
