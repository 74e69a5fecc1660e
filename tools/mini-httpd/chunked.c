/*
 * chunked.c - the chunked transfer coding, decoded one byte of framing at
 * a time (RFC 9112, section 7.1), so that a body cut anywhere by the
 * network decodes the same as one that arrives whole.
 *
 * Strict where two programs could disagree about where the body ends
 * (request smuggling): a bare CR, white space that is not before a ';',
 * a size that is not hex, bytes after a chunk's data, an obs-fold line in
 * the trailers are all errors. Extensions and trailer fields are read and
 * dropped: nothing here needs them.
 */
#include <limits.h>

#include "chunked.h"
#include "http_field.h"

enum {
	S_SIZE,			/* the chunk size's hex digits */
	S_SIZE_WS,		/* white space after them: only before ';' */
	S_EXT,			/* ";name=value..." up to the line's end */
	S_SIZE_LF,		/* CR seen: the size line's LF */
	S_DATA,			/* chunk-data: d->left bytes */
	S_DATA_CR,		/* the CRLF after the data */
	S_DATA_LF,
	S_TRAILER_START,	/* the start of a trailer line, or the end */
	S_TRAILER,		/* a trailer field line */
	S_TRAILER_LF,
	S_FINAL_LF,		/* CR of the empty line seen: its LF */
	S_DONE
};

/* Start decoding a new body. */
void
chunked_init(struct chunked *d)
{
	d->state = S_SIZE;
	d->left = 0;
	d->digits = 0;
	d->line = 0;
	d->trailer = 0;
}

/* True for bytes no extension or field value may hold (HTAB may). */
static int
control(unsigned char c)
{
	return (c < ' ' && c != '\t') || c == 0x7f;
}

/* The size line is over: data follows, or the trailers after "0". */
static int
size_done(struct chunked *d)
{
	d->line = 0;
	return d->left > 0 ? S_DATA : S_TRAILER_START;
}

/* One byte of the size line (S_SIZE, S_SIZE_WS, S_EXT); the next
 * state, or -1 when malformed. */
static int
size_byte(struct chunked *d, unsigned char c)
{
	int v = http_hexval(c);

	if (++d->line > CHUNK_EXT_MAX)
		return -1;	/* leading zeros or extensions without end */
	if (d->state == S_SIZE && v >= 0) {
		if (d->left > (ULLONG_MAX >> 4))
			return -1;	/* more than 64 bits */
		d->left = d->left * 16 + (unsigned)v;
		d->digits++;
		return S_SIZE;
	}
	if (d->digits == 0)
		return -1;	/* no digit at all */
	if (d->state == S_SIZE_WS)
		return c == ' ' || c == '\t' ? S_SIZE_WS : c == ';' ? S_EXT : -1;
	if (c == '\r')
		return S_SIZE_LF;
	if (c == '\n')
		return size_done(d);
	if (d->state == S_EXT)
		return control(c) ? -1 : S_EXT;
	if (c == ';')
		return S_EXT;
	/* BWS is allowed only before a ';' (RFC 9112 7.1.1). */
	return c == ' ' || c == '\t' ? S_SIZE_WS : -1;
}

/* One byte of the trailer section; the next state, or -1. */
static int
trailer_byte(struct chunked *d, unsigned char c)
{
	if (++d->trailer > CHUNK_TRAILER_MAX)
		return -1;
	switch (d->state) {
	case S_TRAILER_START:
		if (c == '\r')
			return S_FINAL_LF;
		if (c == '\n')
			return S_DONE;
		/* A field line starts with its name: no obs-fold. */
		return http_tchar(c) ? S_TRAILER : -1;
	case S_TRAILER:
		if (c == '\r')
			return S_TRAILER_LF;
		if (c == '\n')
			return S_TRAILER_START;
		return control(c) ? -1 : S_TRAILER;
	case S_TRAILER_LF:
		return c == '\n' ? S_TRAILER_START : -1;
	default:	/* S_FINAL_LF */
		return c == '\n' ? S_DONE : -1;
	}
}

/* Decode in[0..n) (see chunked.h). */
int
chunked_decode(struct chunked *d, const char *in, size_t n, size_t *used,
    const char **data, size_t *len)
{
	size_t i = 0, take;
	unsigned char c;
	int next;

	while (i < n && d->state != S_DONE) {
		if (d->state == S_DATA) {
			take = n - i < d->left ? n - i : (size_t)d->left;
			d->left -= take;
			if (d->left == 0)
				d->state = S_DATA_CR;
			*data = in + i;
			*len = take;
			*used = i + take;
			return CHUNK_DATA;
		}
		c = (unsigned char)in[i++];
		switch (d->state) {
		case S_SIZE:
		case S_SIZE_WS:
		case S_EXT:
			next = size_byte(d, c);
			break;
		case S_SIZE_LF:
			next = c == '\n' ? size_done(d) : -1;
			break;
		case S_DATA_CR:
			next = c == '\r' ? S_DATA_LF : c == '\n' ? S_SIZE : -1;
			break;
		case S_DATA_LF:
			next = c == '\n' ? S_SIZE : -1;
			break;
		default:
			next = trailer_byte(d, c);
			break;
		}
		if (next < 0)
			return *used = i, CHUNK_ERROR;
		if (next == S_SIZE && d->state != S_SIZE) {
			d->left = 0;
			d->digits = 0;
			d->line = 0;
		}
		d->state = next;
	}
	*used = i;
	return d->state == S_DONE ? CHUNK_DONE : CHUNK_MORE;
}
