/*
 * receiver.h - what the parts of udp-receiver share.
 */
#ifndef UDP_RECEIVER_H
#define UDP_RECEIVER_H

#include <stddef.h>
#include <time.h>

#include "cli.h"

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v */
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *port;	/* PORT as given (0: the kernel picks) */
	int count;		/* -c: stop after this many, 0 for never */
	int idle_ms;		/* -w: stop after this long idle, -1 never */
	int show;		/* --show: one line per datagram */
	int reply;		/* --reply: send each datagram back */
	int stats;		/* --stats: count loss, duplicates, reorder */
	int one_by_one;		/* --one-by-one: a recvfrom per datagram */
	int rcvbuf;		/* --rcvbuf: SO_RCVBUF, 0 for the default */
	const char *group;	/* --group: multicast group to join */
	const char *mcast_if;	/* --mcast-if: interface for the group */
};

/* Sequence bookkeeping for --stats (stats.c). */
struct seqstats {
	unsigned long received;		/* every datagram */
	unsigned long long bytes;	/* their payload bytes */
	unsigned long unique;		/* numbered, first copy */
	unsigned long duplicated;	/* numbered, seen before */
	unsigned long reordered;	/* came after a higher number */
	unsigned long unnumbered;	/* no "SEQ/TOTAL" header */
	unsigned long highest;		/* highest number seen */
	unsigned long total;		/* what the sender said it sends */
	unsigned char *seen;		/* one bit per number */
	size_t seen_size;		/* bytes in seen */
	struct timespec first, last;	/* first and last arrival */
};

/* Start counting. */
void stats_init(struct seqstats *st);
/* Count one datagram of len bytes that carried number seq of total
 * (1 <= seq <= DGRAM_SEQ_MAX): new, duplicate, reordered. */
void stats_number(struct seqstats *st, size_t len, unsigned long seq,
    unsigned long total);
/* Count one datagram, numbered ("SEQ/TOTAL " header) or not. */
void stats_add(struct seqstats *st, const void *buf, size_t len);
/* The numbers expected (TOTAL, or the highest seen if larger) and how
 * many of them never came. */
unsigned long stats_expected(const struct seqstats *st);
unsigned long stats_lost(const struct seqstats *st);
/* Note the arrival time of a batch. */
void stats_clock(struct seqstats *st);
/* The --stats report, two lines, into text; its length. */
size_t stats_format(const struct seqstats *st, char *text, size_t size);
/* Write the --stats report to stdout; 0, or -1 with errno. */
int stats_report(const struct seqstats *st);
/* Free what stats_add allocated. */
void stats_free(struct seqstats *st);

/* Steps 8 (and 7 with --reply) until -c, -w or a caught signal ends
 * them (receive.c); the exit status, after saying why. */
int receive_loop(int fd, const struct options *opt, struct seqstats *st);

#endif
