/*
 * impair.c - net-relay's pure parts: parsers, the PRNG, the decisions.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "impair.h"

/* Read at most max_digits decimal digits at *p into *v (no sign, no
 * spaces); the number of digits read (0: none, or too many). */
static int
digits(const char **p, int max_digits, long long *v)
{
	int n = 0;

	*v = 0;
	while (**p >= '0' && **p <= '9') {
		if (++n > max_digits)
			return 0;
		*v = *v * 10 + (**p - '0');
		(*p)++;
	}
	return n;
}

/* Read a whole number from 0 to max that fills [*p, its end): 0 or -1. */
static int
whole(const char **p, long long max, long long *v)
{
	if (digits(p, 18, v) == 0 || *v > max)
		return -1;
	return 0;
}

/* Read a percentage "P" or "P%", 0 to 100, at most 4 decimals. */
int
impair_parse_percent(const char *text, long *ppm)
{
	const char *p = text;
	long long units, frac = 0;
	int n = 0;

	if (digits(&p, 3, &units) == 0)
		return -1;
	if (*p == '.') {
		p++;
		n = digits(&p, 4, &frac);
		if (n == 0)
			return -1;
	}
	while (n++ < 4)
		frac *= 10;	/* 4 decimals of a percent are ppm */
	if (*p == '%')
		p++;
	if (*p != '\0' || units * 10000 + frac > IMPAIR_PPM)
		return -1;
	*ppm = (long)(units * 10000 + frac);
	return 0;
}

/* Read "MS", "MS±JITTER" or "MS+-JITTER". */
int
impair_parse_delay(const char *text, int *ms, int *jitter)
{
	const char *p = text;
	long long d, j = 0;

	if (whole(&p, IMPAIR_MAX_MS, &d) < 0)
		return -1;
	if (strncmp(p, "\xc2\xb1", 2) == 0 || strncmp(p, "+-", 2) == 0) {
		p += 2;
		if (whole(&p, IMPAIR_MAX_MS, &j) < 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	*ms = (int)d;
	*jitter = (int)j;
	return 0;
}

/* Read "BYTES SECS": a byte count, one space, seconds with decimals. */
int
impair_parse_stall(const char *text, long long *bytes, int *ms)
{
	const char *p = text;
	long long secs, frac = 0;
	int n = 0;

	if (whole(&p, INT64_MAX / 4, bytes) < 0 || *p++ != ' ')
		return -1;
	if (digits(&p, 2, &secs) == 0)
		return -1;
	if (*p == '.') {
		p++;
		if ((n = digits(&p, 3, &frac)) == 0)
			return -1;
	}
	while (n++ < 3)
		frac *= 10;
	if (*p != '\0' || secs * 1000 + frac > IMPAIR_MAX_MS ||
	    secs * 1000 + frac == 0)
		return -1;
	*ms = (int)(secs * 1000 + frac);
	return 0;
}

/* splitmix64's mixing function: every input bit moves every output bit. */
static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Start r for one stream of seed. */
void
prng_seed(struct prng *r, uint64_t seed, uint64_t stream)
{
	r->state = seed ^ mix(stream + 0x9e3779b97f4a7c15ULL);
}

/* The next 64 random bits (splitmix64: a counter, mixed). */
uint64_t
prng_next(struct prng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix(r->state);
}

/* 1 with probability ppm / 1,000,000. */
int
prng_chance(struct prng *r, long ppm)
{
	if (ppm <= 0)
		return 0;
	if (ppm >= IMPAIR_PPM)
		return 1;
	/* 2^64 is no multiple of 10^6, but the bias is below 10^-13. */
	return prng_next(r) % (uint64_t)IMPAIR_PPM < (uint64_t)ppm;
}

/* ms, plus or minus a uniform jitter, never below 0. */
int
prng_delay(struct prng *r, int ms, int jitter)
{
	long long d = ms;

	if (jitter > 0)
		d += (long long)(prng_next(r) % (uint64_t)(2 * jitter + 1)) -
		    jitter;
	return d < 0 ? 0 : (int)d;
}

/* When the bytes after these n may leave, at rate bytes/s. */
long long
impair_pace(long long next_us, long long now_us, size_t n, long long rate)
{
	long long from = next_us > now_us ? next_us : now_us;

	if (rate <= 0)
		return now_us;
	/* n < 2^31 and rate >= 1: n * 10^6 cannot overflow. */
	return from + (long long)n * 1000000 / rate;
}

/* The most bytes one send may carry at rate: 20 ms worth, at least 1. */
size_t
impair_rate_piece(long long rate)
{
	long long n = rate / 50;

	if (n < 1)
		return 1;
	return n > 65536 ? 65536 : (size_t)n;
}

/* Of n bytes, how many may go before threshold is reached. */
size_t
impair_before(long long passed, size_t n, long long threshold)
{
	if (threshold < 0 || threshold < passed)
		return n;
	return (unsigned long long)(threshold - passed) < n ?
	    (size_t)(threshold - passed) : n;
}
