/*
 * impair.h - net-relay's pure parts, with no socket in sight: reading
 * "MS±JITTER" and "P%", the seeded random numbers, and the decisions made
 * with them (drop this datagram? how long does this piece wait? when may
 * the next byte leave at this rate?). tests/unit/test_relay.c tests them.
 */
#ifndef NET_RELAY_IMPAIR_H
#define NET_RELAY_IMPAIR_H

#include <stddef.h>
#include <stdint.h>

/* A percentage is kept in parts per million: 12.5% is 125000. */
#define IMPAIR_PPM 1000000L
/* The longest delay or jitter (ms), and the longest stall: a minute. */
#define IMPAIR_MAX_MS 60000

/* Read a percentage "P" or "P%" from 0 to 100, at most 4 decimals, into
 * *ppm; 0, or -1 if text is anything else. */
int impair_parse_percent(const char *text, long *ppm);

/* Read "MS", "MS±JITTER" or "MS+-JITTER" (whole milliseconds, each at
 * most IMPAIR_MAX_MS) into *ms and *jitter; 0, or -1. */
int impair_parse_delay(const char *text, int *ms, int *jitter);

/* Read "BYTES SECS" (as --stall-after takes them; SECS may have decimals,
 * at most IMPAIR_MAX_MS / 1000) into *bytes and *ms; 0, or -1. */
int impair_parse_stall(const char *text, long long *bytes, int *ms);

/* A small random number generator of our own (splitmix64): the same seed
 * gives the same numbers on every machine, unlike rand(). */
struct prng {
	uint64_t state;
};

/* Start r for stream number stream of seed: each direction of each
 * connection has its own stream, so what one does cannot shift the
 * choices of another. */
void prng_seed(struct prng *r, uint64_t seed, uint64_t stream);
/* The next 64 random bits. */
uint64_t prng_next(struct prng *r);
/* 1 with probability ppm / IMPAIR_PPM, else 0 (0 ppm draws no number). */
int prng_chance(struct prng *r, long ppm);
/* ms plus a uniform jitter in -jitter .. +jitter, never below 0 (no
 * number is drawn when jitter is 0). */
int prng_delay(struct prng *r, int ms, int jitter);

/* The time (µs) the bytes after these n may leave, at rate bytes/s, when
 * these were allowed to leave at next_us and left at now_us. An idle
 * sender earns no credit for later: a token bucket one piece deep. */
long long impair_pace(long long next_us, long long now_us, size_t n,
    long long rate);
/* The most bytes one send may carry at rate bytes/s: 20 ms worth, at
 * least 1, so that a slow rate trickles instead of bursting. */
size_t impair_rate_piece(long long rate);

/* Of n bytes, how many may go before the first threshold (a byte count,
 * -1 for none) above passed is reached: n, or less. */
size_t impair_before(long long passed, size_t n, long long threshold);

#endif
