/*
 * stats.c - udp-receiver --stats: what the sequence numbers tell.
 *
 * udp-sender --seq starts each datagram with "SEQ/TOTAL ". One bit per
 * number says whether it has been seen, so every datagram is exactly one
 * of: new (unique), a duplicate, or unnumbered; a new one that comes after
 * a higher number is also counted as reordered. Lost is what never came:
 * TOTAL (or the highest number, if the sender gave no total) - unique.
 * Everything but stats_clock and stats_report is pure counting, tested
 * by tests/unit/test_stats.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dgram.h"
#include "io.h"
#include "receiver.h"

/* Start counting. */
void
stats_init(struct seqstats *st)
{
	memset(st, 0, sizeof(*st));
}

/* Make room for bit seq; 0, or -1 when memory runs out. */
static int
grow(struct seqstats *st, unsigned long seq)
{
	size_t need = seq / 8 + 1, size = st->seen_size ? st->seen_size : 4096;
	unsigned char *p;

	if (need <= st->seen_size)
		return 0;
	while (size < need)
		size *= 2;
	p = realloc(st->seen, size);
	if (p == NULL)
		return -1;
	memset(p + st->seen_size, 0, size - st->seen_size);
	st->seen = p;
	st->seen_size = size;
	return 0;
}

/* Count one datagram that carried number seq of total. */
void
stats_number(struct seqstats *st, size_t len, unsigned long seq,
    unsigned long total)
{
	unsigned char bit;

	st->received++;
	st->bytes += len;
	/* No room to remember it: counted, but as unnumbered. */
	if (seq == 0 || seq > DGRAM_SEQ_MAX || grow(st, seq) < 0) {
		st->unnumbered++;
		return;
	}
	if (total > st->total)
		st->total = total;
	bit = (unsigned char)(1u << (seq % 8));
	if (st->seen[seq / 8] & bit) {
		st->duplicated++;
		return;
	}
	st->seen[seq / 8] |= bit;
	st->unique++;
	if (seq < st->highest)
		st->reordered++;
	else
		st->highest = seq;
}

/* Count one datagram (numbered or not). */
void
stats_add(struct seqstats *st, const void *buf, size_t len)
{
	unsigned long seq, total;

	if (dgram_seq_parse(buf, len, &seq, &total))
		stats_number(st, len, seq, total);
	else
		stats_number(st, len, 0, 0);
}

/* The numbers expected: TOTAL, or the highest seen if that is larger. */
unsigned long
stats_expected(const struct seqstats *st)
{
	return st->total > st->highest ? st->total : st->highest;
}

/* How many of the expected numbers never came. */
unsigned long
stats_lost(const struct seqstats *st)
{
	unsigned long expected = stats_expected(st);

	return expected > st->unique ? expected - st->unique : 0;
}

/* Note the arrival time of a batch. */
void
stats_clock(struct seqstats *st)
{
	clock_gettime(CLOCK_MONOTONIC, &st->last);
	if (st->first.tv_sec == 0 && st->first.tv_nsec == 0)
		st->first = st->last;
}

/* The --stats report, two lines, into text; its length. */
size_t
stats_format(const struct seqstats *st, char *text, size_t size)
{
	unsigned long expected = stats_expected(st), lost = stats_lost(st);
	double secs = (double)(st->last.tv_sec - st->first.tv_sec) +
	    (double)(st->last.tv_nsec - st->first.tv_nsec) / 1e9;
	/* n datagrams arrive over n - 1 gaps: no rate from fewer than two. */
	double rate = secs > 0 && st->received > 1 ?
	    (double)(st->received - 1) / secs : 0;
	int n;

	n = snprintf(text, size,
	    "received %lu, lost %lu (%.2f%%), duplicated %lu, reordered %lu, "
	    "unnumbered %lu (numbered up to %lu)\n"
	    "%lu datagrams, %llu bytes in %.3f s (first to last): "
	    "%.0f datagrams/s, %.1f Mbit/s\n",
	    st->received, lost, expected ? 100.0 * (double)lost /
	    (double)expected : 0.0, st->duplicated, st->reordered,
	    st->unnumbered, expected, st->received, st->bytes, secs, rate,
	    secs > 0 ? (double)st->bytes * 8 / secs / 1e6 : 0.0);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* Write the --stats report to stdout; 0, or -1 with errno. */
int
stats_report(const struct seqstats *st)
{
	char text[512];
	size_t len = stats_format(st, text, sizeof(text));

	return io_write_all(STDOUT_FILENO, text, len);
}

/* Free what stats_add allocated. */
void
stats_free(struct seqstats *st)
{
	free(st->seen);
	st->seen = NULL;
	st->seen_size = 0;
}
