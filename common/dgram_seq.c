/*
 * dgram_seq.c - the sequence header udp-sender --seq writes at the start
 * of a datagram ("SEQ/TOTAL ") and udp-receiver --stats reads: a pure
 * formatter and a parser that never overflows (tests/unit/test_addr.c).
 */
#include <stddef.h>

#include "dgram.h"

/* Digits in n (at least 1). */
unsigned
dgram_digits(unsigned long n)
{
	unsigned d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Write v as exactly width digits, zero-padded, at p. */
static void
put_digits(char *p, unsigned width, unsigned long v)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Write the header "SEQ/TOTAL " into buf; returns its length. */
size_t
dgram_seq_format(char *buf, unsigned width, unsigned long seq,
    unsigned long total)
{
	put_digits(buf, width, seq);
	buf[width] = '/';
	put_digits(buf + width + 1, width, total);
	buf[2 * width + 1] = ' ';
	return 2 * (size_t)width + 2;
}

/* Read decimal digits at *p (at most 10); -1 if there are none. */
static long
get_number(const unsigned char **p, const unsigned char *end)
{
	unsigned long v = 0;
	int digits = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		if (++digits > 10)
			return -1;
		v = v * 10 + (unsigned long)(**p - '0');
		(*p)++;
	}
	if (digits == 0 || v > DGRAM_SEQ_MAX)
		return -1;
	return (long)v;
}

/* Read a "SEQ/TOTAL" header from the start of a datagram: 1, or 0. */
int
dgram_seq_parse(const void *buf, size_t len, unsigned long *seq,
    unsigned long *total)
{
	const unsigned char *p = buf, *end = p + len;
	long s, t;

	s = get_number(&p, end);
	if (s < 1 || p == end || *p++ != '/')
		return 0;
	t = get_number(&p, end);
	if (t < 0 || (p < end && *p != ' ' && *p != '\n'))
		return 0;
	*seq = (unsigned long)s;
	*total = (unsigned long)t;
	return 1;
}
