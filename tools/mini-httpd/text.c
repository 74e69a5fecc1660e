/*
 * text.c - the growable buffer and the HTML and URL escapes (text.h).
 */
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Append n bytes to b, growing it. */
int
text_put(struct growbuf *b, const char *s, size_t n)
{
	if (n > (size_t)-1 / 4 - b->len)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';	/* always a C string too */
	return 0;
}

/* Append a C string. */
int
text_puts(struct growbuf *b, const char *s)
{
	return text_put(b, s, strlen(s));
}

/* Append s with & < > " ' as HTML character references. */
int
text_html(struct growbuf *b, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		switch (s[i]) {
		case '&': rc = text_puts(b, "&amp;"); break;
		case '<': rc = text_puts(b, "&lt;"); break;
		case '>': rc = text_puts(b, "&gt;"); break;
		case '"': rc = text_puts(b, "&quot;"); break;
		case '\'': rc = text_puts(b, "&#39;"); break;
		default: rc = text_put(b, s + i, 1);
		}
	}
	return rc;
}

/* Append s percent-encoded, keeping unreserved bytes and those in keep. */
int
text_url(struct growbuf *b, const char *s, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c != '\0' &&
		    (strchr("-._~", c) != NULL || strchr(keep, c) != NULL))) {
			rc = text_put(b, s + i, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		rc = text_put(b, e, 3);
	}
	return rc;
}
