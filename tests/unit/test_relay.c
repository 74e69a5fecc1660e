/*
 * test_relay.c - net-relay's pure parts (tools/net-relay/impair.c):
 * "P%" and "MS±JITTER" parsing, the PRNG's reproducibility, and the
 * decisions made with it: chances that land where asked, jitter within
 * its bounds, the pace of --rate, the byte counts of the thresholds.
 */
#include <stdint.h>
#include <stdio.h>

#include "../../tools/net-relay/impair.h"
#include "unit.h"

/* Percentages: 0 to 100, "%" optional, at most 4 decimals. */
static void
test_percent(void)
{
	long ppm = -1;

	CHECK(impair_parse_percent("0", &ppm) == 0 && ppm == 0);
	CHECK(impair_parse_percent("100", &ppm) == 0 && ppm == 1000000);
	CHECK(impair_parse_percent("100%", &ppm) == 0 && ppm == 1000000);
	CHECK(impair_parse_percent("12.5%", &ppm) == 0 && ppm == 125000);
	CHECK(impair_parse_percent("0.0001", &ppm) == 0 && ppm == 1);
	CHECK(impair_parse_percent("7.25", &ppm) == 0 && ppm == 72500);
	CHECK(impair_parse_percent("100.0", &ppm) == 0 && ppm == 1000000);
	CHECK(impair_parse_percent("100.0001", &ppm) < 0);
	CHECK(impair_parse_percent("101", &ppm) < 0);
	CHECK(impair_parse_percent("-1", &ppm) < 0);
	CHECK(impair_parse_percent("", &ppm) < 0);
	CHECK(impair_parse_percent("%", &ppm) < 0);
	CHECK(impair_parse_percent("5%%", &ppm) < 0);
	CHECK(impair_parse_percent("1e2", &ppm) < 0);
	CHECK(impair_parse_percent("0.00001", &ppm) < 0);
	CHECK(impair_parse_percent(".5", &ppm) < 0);
	CHECK(impair_parse_percent("5.", &ppm) < 0);
	CHECK(impair_parse_percent(" 5", &ppm) < 0);
	CHECK(impair_parse_percent("nan", &ppm) < 0);
	CHECK(impair_parse_percent("99999999999999999999", &ppm) < 0);
}

/* Delays: "MS", "MS±J", "MS+-J", whole ms up to a minute each. */
static void
test_delay(void)
{
	int ms = -1, j = -1;

	CHECK(impair_parse_delay("0", &ms, &j) == 0 && ms == 0 && j == 0);
	CHECK(impair_parse_delay("100", &ms, &j) == 0 && ms == 100 && j == 0);
	CHECK(impair_parse_delay("100\xc2\xb1" "20", &ms, &j) == 0 &&
	    ms == 100 && j == 20);
	CHECK(impair_parse_delay("5+-5", &ms, &j) == 0 && ms == 5 && j == 5);
	CHECK(impair_parse_delay("60000", &ms, &j) == 0 && ms == 60000);
	CHECK(impair_parse_delay("60001", &ms, &j) < 0);
	CHECK(impair_parse_delay("10+-60001", &ms, &j) < 0);
	CHECK(impair_parse_delay("-5", &ms, &j) < 0);
	CHECK(impair_parse_delay("10+-", &ms, &j) < 0);
	CHECK(impair_parse_delay("10\xc2\xb1", &ms, &j) < 0);
	CHECK(impair_parse_delay("10-5", &ms, &j) < 0);
	CHECK(impair_parse_delay("1.5", &ms, &j) < 0);
	CHECK(impair_parse_delay("10ms", &ms, &j) < 0);
	CHECK(impair_parse_delay("", &ms, &j) < 0);
	CHECK(impair_parse_delay("99999999999999999999999", &ms, &j) < 0);
}

/* Stalls: "BYTES SECS", SECS with up to 3 decimals, 0.001 to 60. */
static void
test_stall(void)
{
	long long bytes = -1;
	int ms = -1;

	CHECK(impair_parse_stall("1000 5", &bytes, &ms) == 0 && bytes == 1000 &&
	    ms == 5000);
	CHECK(impair_parse_stall("0 0.25", &bytes, &ms) == 0 && bytes == 0 &&
	    ms == 250);
	CHECK(impair_parse_stall("7 60", &bytes, &ms) == 0 && ms == 60000);
	CHECK(impair_parse_stall("7 60.001", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("7 0", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("1000", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("1000 ", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("1000  5", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("-1 5", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("1000 5s", &bytes, &ms) < 0);
	CHECK(impair_parse_stall("99999999999999999999 5", &bytes, &ms) < 0);
}

/* The same seed and stream: the same numbers; others: others. */
static void
test_prng(void)
{
	struct prng a, b, c, d;
	int i, same = 1, differ_stream = 0, differ_seed = 0;

	prng_seed(&a, 42, 7);
	prng_seed(&b, 42, 7);
	prng_seed(&c, 42, 8);
	prng_seed(&d, 43, 7);
	for (i = 0; i < 1000; i++) {
		uint64_t x = prng_next(&a);

		same &= x == prng_next(&b);
		differ_stream += x != prng_next(&c);
		differ_seed += x != prng_next(&d);
	}
	CHECK(same);
	CHECK(differ_stream == 1000);
	CHECK(differ_seed == 1000);
	/* Pinned: splitmix64's published first number from state 0, and
	 * ours for seed 1, stream 2, so that a seed printed on one machine
	 * repeats its run on any other. */
	a.state = 0;
	CHECK(prng_next(&a) == 0xe220a8397b1dcdafULL);
	prng_seed(&a, 1, 2);
	CHECK(prng_next(&a) == 0xe06dd043328bd285ULL);
	CHECK(prng_next(&a) == 0xd3e217aa83e35590ULL);
}

/* Chances land within a tenth of a point over a million draws; 0 and
 * 100% are exact and 0 draws nothing. */
static void
test_chance(void)
{
	static const long asked[] = { 10000, 100000, 333333, 500000, 990000 };
	struct prng r, untouched;
	size_t k;
	long hits, i;

	for (k = 0; k < sizeof(asked) / sizeof(asked[0]); k++) {
		prng_seed(&r, 1234 + k, 0);
		for (hits = 0, i = 0; i < 1000000; i++)
			hits += prng_chance(&r, asked[k]);
		CHECK(hits > asked[k] - 1000 && hits < asked[k] + 1000);
	}
	prng_seed(&r, 9, 9);
	untouched = r;
	for (hits = 0, i = 0; i < 1000; i++)
		hits += prng_chance(&r, 0);
	CHECK(hits == 0);
	CHECK(r.state == untouched.state);
	for (hits = 0, i = 0; i < 1000; i++)
		hits += prng_chance(&r, IMPAIR_PPM);
	CHECK(hits == 1000);
}

/* Jitter stays within ms ± jitter, reaches both ends, never below 0. */
static void
test_jitter(void)
{
	struct prng r;
	int i, d, lo = 1000, hi = 0, below = 0;

	prng_seed(&r, 5, 5);
	for (i = 0; i < 100000; i++) {
		d = prng_delay(&r, 100, 20);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	CHECK(lo == 80 && hi == 120);
	for (i = 0; i < 10000; i++)
		below += prng_delay(&r, 5, 50) < 0;
	CHECK(below == 0);
	CHECK(prng_delay(&r, 30, 0) == 30);
}

/* --rate: n bytes at rate push the next send n/rate later; an idle
 * sender earns no credit; one send carries 20 ms worth. */
static void
test_pace(void)
{
	CHECK(impair_pace(0, 1000000, 100, 1000) == 1100000);
	CHECK(impair_pace(1100000, 1050000, 100, 1000) == 1200000);
	CHECK(impair_pace(500000, 9000000, 1, 1000000) == 9000001);
	CHECK(impair_pace(0, 77, 65536, 1) == 77 + 65536LL * 1000000);
	CHECK(impair_rate_piece(1) == 1);
	CHECK(impair_rate_piece(10000) == 200);
	CHECK(impair_rate_piece(1000000000000LL) == 65536);
}

/* Thresholds: bytes that may go before a byte count is reached. */
static void
test_before(void)
{
	CHECK(impair_before(0, 500, -1) == 500);
	CHECK(impair_before(0, 500, 100) == 100);
	CHECK(impair_before(90, 500, 100) == 10);
	CHECK(impair_before(100, 500, 100) == 0);
	CHECK(impair_before(150, 500, 100) == 500);	/* long past */
	CHECK(impair_before(0, 5, 1LL << 62) == 5);
}

int
main(void)
{
	unit_quiet();
	test_percent();
	test_delay();
	test_stall();
	test_prng();
	test_chance();
	test_jitter();
	test_pace();
	test_before();
	return unit_report("test_relay");
}
