/*
 * test_stats.c - udp-receiver --stats (tools/udp-receiver/stats.c): what a
 * sequence of numbered datagrams says about loss, duplicates and order.
 */
#include <stdio.h>
#include <string.h>

#include "dgram.h"
#include "../../tools/udp-receiver/receiver.h"
#include "trace.h"
#include "unit.h"

/* Count datagrams numbered seqs[0..n) of total, as udp-sender --seq
 * writes them ("0/0" stands for a datagram with no header). */
static void
feed(struct seqstats *st, const unsigned long *seqs, size_t n,
    unsigned long total)
{
	char buf[64];
	size_t i, len;

	for (i = 0; i < n; i++) {
		memset(buf, '.', sizeof(buf));
		if (seqs[i] == 0) {
			stats_add(st, "hello\n", 6);
			continue;
		}
		len = dgram_seq_format(buf, dgram_digits(total), seqs[i], total);
		stats_add(st, buf, len + 10);
	}
}

/* A clean run, in order: nothing lost, nothing doubled. */
static void
test_clean(void)
{
	static const unsigned long seqs[] = { 1, 2, 3, 4, 5 };
	struct seqstats st;

	stats_init(&st);
	feed(&st, seqs, 5, 5);
	CHECK(st.received == 5 && st.unique == 5 && st.duplicated == 0);
	CHECK(st.reordered == 0 && st.unnumbered == 0 && stats_lost(&st) == 0);
	CHECK(stats_expected(&st) == 5 && st.bytes == 5 * (2 * 1 + 2 + 10));
	stats_free(&st);
}

/* The case lessons/10 types by hand: 2, 1, 2 again, unnumbered, 4 of 4. */
static void
test_mixed(void)
{
	static const unsigned long seqs[] = { 2, 1, 2, 0, 4 };
	struct seqstats st;
	char text[512];

	stats_init(&st);
	feed(&st, seqs, 5, 4);
	CHECK(st.received == 5 && st.unique == 3);
	CHECK(st.duplicated == 1 && st.reordered == 1 && st.unnumbered == 1);
	CHECK(stats_expected(&st) == 4 && stats_lost(&st) == 1);
	stats_format(&st, text, sizeof(text));
	CHECK(strncmp(text, "received 5, lost 1 (25.00%), duplicated 1, "
	    "reordered 1, unnumbered 1 (numbered up to 4)\n", 86) == 0);
	stats_free(&st);
}

/* Loss at the end is seen only through TOTAL; a sender that gives no
 * total (0) is judged by the highest number that came. */
static void
test_totals(void)
{
	static const unsigned long seqs[] = { 1, 3 };
	struct seqstats st;

	stats_init(&st);
	feed(&st, seqs, 2, 10);
	CHECK(stats_expected(&st) == 10 && stats_lost(&st) == 8);
	stats_free(&st);
	stats_init(&st);
	stats_number(&st, 1, 1, 0);
	stats_number(&st, 1, 3, 0);
	CHECK(stats_expected(&st) == 3 && stats_lost(&st) == 1);
	/* A late, lower number is reordered; a repeat is a duplicate only. */
	stats_number(&st, 1, 2, 0);
	stats_number(&st, 1, 2, 0);
	CHECK(st.reordered == 1 && st.duplicated == 1 && stats_lost(&st) == 0);
	stats_free(&st);
}

/* Numbers outside 1..DGRAM_SEQ_MAX are counted as unnumbered, never
 * remembered; the largest one is, and the bitmap grows to hold it. */
static void
test_limits(void)
{
	struct seqstats st;

	stats_init(&st);
	stats_number(&st, 1, 0, 5);
	stats_number(&st, 1, DGRAM_SEQ_MAX + 1, 5);
	CHECK(st.unnumbered == 2 && st.unique == 0 && st.seen_size == 0);
	stats_number(&st, 1, DGRAM_SEQ_MAX, DGRAM_SEQ_MAX);
	CHECK(st.unique == 1 && st.highest == DGRAM_SEQ_MAX);
	CHECK(stats_lost(&st) == DGRAM_SEQ_MAX - 1);
	stats_free(&st);
	/* No datagram at all: no division by zero, 0 lost of 0. */
	stats_init(&st);
	CHECK(stats_lost(&st) == 0 && stats_expected(&st) == 0);
	{
		char text[512];

		CHECK(stats_format(&st, text, sizeof(text)) > 0);
		CHECK(strncmp(text, "received 0, lost 0 (0.00%)", 26) == 0);
		/* A small buffer is cut, never overrun. */
		CHECK(stats_format(&st, text, 10) == 9 && text[9] == '\0');
	}
	stats_free(&st);
}

int
main(void)
{
	trace_init("unit");
	unit_quiet();
	test_clean();
	test_mixed();
	test_totals();
	test_limits();
	return unit_report("test_stats");
}
