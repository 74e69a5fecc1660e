/*
 * chunked.h - the decoder of the chunked transfer coding (RFC 9112,
 * section 7.1), incremental: feed it bytes as they arrive, however they
 * are cut, and it hands back the body's data and says where the body
 * ends. A pure function over the caller's bytes: no I/O, no allocation.
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 */
#ifndef MINI_HTTPD_CHUNKED_H
#define MINI_HTTPD_CHUNKED_H

#include <stddef.h>

/* Limits that keep a hostile body from costing more than its data:
 * a chunk size must fit in 64 bits (16 significant hex digits), one
 * chunk-size line (leading zeros and extensions) and the whole trailer
 * section are bounded. */
#define CHUNK_EXT_MAX 1024
#define CHUNK_TRAILER_MAX 8192

/* Results of chunked_decode(). */
enum {
	CHUNK_ERROR = -1,	/* malformed: answer 400 and close */
	CHUNK_MORE = 0,		/* all input used; give it more */
	CHUNK_DATA = 1,		/* *data holds body bytes (inside the input) */
	CHUNK_DONE = 2		/* the body is over; the rest is the next request */
};

struct chunked {
	int state;		/* where in the grammar we are (chunked.c) */
	unsigned long long left;	/* chunk-data bytes still to come */
	unsigned digits;	/* hex digits of the chunk size so far */
	size_t line;		/* bytes of the current chunk-size line */
	size_t trailer;		/* bytes of the trailer section so far */
};

/* Start decoding a new body. */
void chunked_init(struct chunked *d);

/* Decode in[0..n). *used is set to the bytes consumed. CHUNK_DATA: the
 * body bytes *data .. *data + *len (within the consumed input); call
 * again with the rest. CHUNK_MORE: everything was consumed and the body
 * goes on. CHUNK_DONE: the body ended at in + *used. CHUNK_ERROR: the
 * framing is broken (bare CR, a size that is not hex or over 64 bits, bytes
 * after the data, control bytes in an extension or trailer, a trailer
 * too large). A lone LF ends a line, as RFC 9112 section 2.2 allows. */
int chunked_decode(struct chunked *d, const char *in, size_t n, size_t *used,
    const char **data, size_t *len);

#endif
