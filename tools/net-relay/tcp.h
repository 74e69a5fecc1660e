/*
 * tcp.h - a relayed TCP connection (tcp.c) and its two flows (flow.c).
 *
 * A connection is two sockets: fd[SIDE_CLIENT], accepted from the client,
 * and fd[SIDE_SERVER], connected to the target. Bytes flow both ways, each
 * way a struct flow with its own impairments, buffer, timer and state:
 * flow[TO_SERVER] reads fd[SIDE_CLIENT] and sends to fd[SIDE_SERVER],
 * flow[TO_CLIENT] the other way round (flow[d] reads fd[d], writes fd[!d]).
 *
 * A connection's state:  CONNECTING --handshake done--> RELAYING --> CLOSED
 * A flow's state (each change narrated at -v by flow_set_state):
 *
 *   OPEN      reading its source, sending what is due
 *   FULL      its buffer is full: not reading, until sends make room
 *   STALLED   --stall-after: neither reading nor sending, until a timer
 *   DRAINING  the source sent its FIN: sending what is left, then
 *             shutdown(SHUT_WR) on the destination
 *   SHUT      the FIN has been passed on; nothing more this way
 */
#ifndef NET_RELAY_TCP_H
#define NET_RELAY_TCP_H

#include <stddef.h>

#include "addr.h"
#include "impair.h"
#include "loop.h"
#include "relay.h"

/* Bytes one flow may hold: received, not yet sent on. */
#define FLOW_BUFSIZE (64 * 1024)
/* Pieces one flow may hold (a piece: what one recv returned, cut to
 * --segment bytes; each has the time it may leave). */
#define FLOW_PIECES 1024

enum flow_state {
	FLOW_OPEN, FLOW_FULL, FLOW_STALLED, FLOW_DRAINING, FLOW_SHUT
};

enum conn_state {
	CONN_CONNECTING, CONN_RELAYING, CONN_CLOSED
};

/* How a connection ends. */
enum conn_end {
	END_CLOSE,		/* close(): a FIN, or what the kernel sends */
	END_RESET		/* SO_LINGER 0, then close(): a reset (RST) */
};

struct piece {
	size_t len;		/* bytes of it still to send */
	long long due;		/* ms on the loop's clock it may leave at */
};

struct conn;

/* One direction of a connection. */
struct flow {
	struct conn *c;
	int dir;		/* TO_SERVER or TO_CLIENT */
	enum flow_state state;
	const struct impair *imp;
	struct dir_stats *stats;	/* the relay's totals for dir */
	struct prng rng;	/* --delay's jitter */
	char *buf;		/* FLOW_BUFSIZE bytes, while any are held */
	size_t off, len;	/* buf[off..len) is held */
	struct piece *piece;	/* ring of FLOW_PIECES, with buf */
	unsigned head, count;	/* piece[head] is the next to send */
	long long passed;	/* bytes sent on */
	long long next_us;	/* --rate: when the next byte may leave (µs) */
	long long last_due;	/* the latest due time given: order is kept */
	long long fin_due;	/* when the FIN may be passed on */
	int eof;		/* the source sent its FIN */
	int blocked;		/* wait for the destination to be writable: it
				 * took less than offered, or our turn is over */
	int stalled;		/* --stall-after has happened */
	struct loop_timer timer;	/* the next piece, pace, FIN or stall end */
};

struct conn {
	struct relay *r;
	struct conn *prev, *next;	/* every open connection */
	long long id;		/* 1 for the first accepted */
	enum conn_state state;
	int fd[2];		/* fd[SIDE_CLIENT], fd[SIDE_SERVER] */
	int watching[2];	/* what the loop watches each for */
	const struct addrinfo *ai;	/* the target address tried now */
	char who[ADDR_STRLEN];	/* the client's address */
	char target[ADDR_STRLEN];	/* the target address connected to */
	struct loop_timer timer;	/* connect timeout, then the sweep */
	struct flow flow[2];
};

/* tcp.c: watch each socket for what its flows wait for (the one place
 * the loop's interest is derived from the flows' states). */
void conn_watch(struct conn *c);
/* tcp.c: end the connection: close both sockets (reset them first with
 * END_RESET); what was still held counts as dropped. */
void conn_end(struct conn *c, enum conn_end how);
/* tcp.c: side failed with err at step (a reset, EPIPE...): say so, and
 * reset the other side too, as the network would have. */
void conn_failed(struct conn *c, int side, int err, int step);
/* tcp.c: both flows are SHUT: close, and say what passed. */
void conn_check_done(struct conn *c);

/* flow.c: set up flow dir of c (nothing held, state OPEN). */
void flow_init(struct flow *f, struct conn *c, int dir);
/* flow.c: the connection is up: act on thresholds of 0 bytes. */
void flow_start(struct flow *f);
/* flow.c: the source is readable (or has an error): receive once. */
void flow_readable(struct flow *f);
/* flow.c: the destination is writable again: send what is due. */
void flow_writable(struct flow *f);
/* flow.c: what the loop should watch for: the source readable / the
 * destination writable. */
int flow_wants_read(const struct flow *f);
int flow_wants_write(const struct flow *f);
/* flow.c: stop its timer and free its buffer; the bytes it still held. */
size_t flow_free(struct flow *f);

#endif
