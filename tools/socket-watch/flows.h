/*
 * flows.h - the packet lines socket-watch prints, with sequence numbers
 * made relative: each direction of a connection remembers the first
 * sequence number it was seen with (its SYN's: the initial sequence
 * number, ISN, RFC 9293 3.4.1), and every later seq and ack is shown as
 * an offset from it, as tcpdump does:
 *
 *   12:00:00.000100  tcp  127.0.0.1:51234 > 127.0.0.1:7000  SYN      seq 0 win 65495
 *   12:00:00.000120  tcp  127.0.0.1:7000 > 127.0.0.1:51234  SYN+ACK  seq 0 ack 1 win 65483
 *   12:00:00.000200  tcp  127.0.0.1:51234 > 127.0.0.1:7000  PSH+ACK  seq 1:6 ack 1 win 512 len 5 "hello"
 *
 * The table of directions is a fixed-size cache: a connection pushed out
 * by many newer ones starts again from its next segment.
 */
#ifndef SOCKET_WATCH_FLOWS_H
#define SOCKET_WATCH_FLOWS_H

#include "packet.h"

struct flows;

/* A new table, or NULL (ENOMEM). */
struct flows *flows_new(void);
void flows_free(struct flows *f);

/* The sequence numbers of p relative to its directions' first ones. */
struct relative {
	uint32_t seq, ack;
	int ack_known;		/* the other direction has been seen */
};
void flows_relative(struct flows *f, const struct packet *p,
    struct relative *r);

/* Print p's line on stdout, and its --trace line, at time t_us: dir says
 * "in" or "out" (the kernel's view), port the watched port or 0, preview
 * how many payload bytes to show. */
void flows_tell(struct flows *f, const struct packet *p, long long t_us,
    const char *dir, unsigned port, int preview);

#endif
