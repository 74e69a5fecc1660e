/*
 * receiver.h - what the parts of udp-receiver share.
 */
#ifndef UDP_RECEIVER_H
#define UDP_RECEIVER_H

#include <stddef.h>
#include <time.h>

struct options {
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *port;	/* PORT as given (0: the kernel picks) */
	int family;		/* -4 / -6, else AF_UNSPEC */
	unsigned long count;	/* -c: stop after this many, 0 for never */
	int idle_ms;		/* -w: stop after this long idle, -1 never */
	int show;		/* --show: one line per datagram */
	int reply;		/* --reply: send each datagram back */
	int stats;		/* --stats: count loss, duplicates, reorder */
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
/* Count one datagram (numbered or not). */
void stats_add(struct seqstats *st, const void *buf, size_t len);
/* Note the arrival time of a batch. */
void stats_clock(struct seqstats *st);
/* Write the --stats report to stdout; 0, or -1 with errno. */
int stats_report(const struct seqstats *st);
/* Free what stats_add allocated. */
void stats_free(struct seqstats *st);

/* Steps 8 (and 7 with --reply) until -c, -w or a signal ends them
 * (receive.c); returns the exit status. */
int receive_loop(int fd, const struct options *opt, struct seqstats *st);

#endif
