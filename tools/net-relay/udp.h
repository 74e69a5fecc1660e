/*
 * udp.h - the datagram relay (udp.c) and what it holds back (udp_queue.c).
 *
 * Every client address gets a session: its own upstream socket,
 * connected to the target, so that what the target answers on it is
 * known to be for that client and goes back to exactly that address,
 * from the port the client sent to. A session silent for --idle is
 * closed. Each datagram, each way, meets the impairments in this order:
 *
 *   --loss (dropped) -> --truncate -> --duplicate (a second copy right
 *   behind) -> --reorder (held back until the next datagram of the same
 *   client and direction has gone) -> --delay (a queue ordered by time;
 *   jitter never reorders) -> sent, in batches (sendmmsg on Linux)
 *
 * Every datagram is counted once as it comes in; then in + duplicated =
 * out + dropped, once nothing is held back any more.
 */
#ifndef NET_RELAY_UDP_H
#define NET_RELAY_UDP_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>

#include "addr.h"
#include "dgram.h"
#include "impair.h"
#include "loop.h"
#include "relay.h"

/* Datagrams one recv or send call may move. */
#define UDP_BATCH 64
/* Hash buckets of the session table. */
#define UDP_BUCKETS 1024
/* Datagrams one client may have held back by --reorder, each way. */
#define UDP_HOLD 16
/* A held-back datagram that nothing overtakes goes after this (ms). */
#define UDP_HOLD_MS 100
/* Datagrams delayed at once, each way (beyond: dropped, like a full
 * router queue). */
#define UDP_QUEUE_MAX 50000

struct session;

/* A datagram held back: reordered, or delayed. */
struct held {
	struct held *next;	/* the next in the delay queue */
	struct session *s;	/* whose it is */
	long long due;		/* when it may leave (delay queue) */
	int copies;		/* 2 for a duplicate (held back by --reorder) */
	size_t len;
	char data[];
};

/* One client address and its upstream socket. */
struct session {
	struct session *next;	/* in its hash bucket */
	struct udp *u;
	long long id;		/* 1 for the first client */
	struct sockaddr_storage addr;	/* the client's */
	socklen_t addrlen;
	char who[ADDR_STRLEN];
	int fd;			/* connected to the target */
	int refused_told;	/* the target's refusal was reported */
	struct prng rng[2];	/* each direction its own choices */
	struct held *hold[2][UDP_HOLD];	/* held back by --reorder */
	int holds[2];
	int queued;		/* its datagrams in the delay queues */
	struct loop_timer idle;	/* --idle */
	struct loop_timer hold_timer;	/* UDP_HOLD_MS */
};

/* Datagrams gathered for one send call, all to one place. */
struct outbox {
	struct dgram_batch b;
	size_t n;		/* slots filled */
	struct session *s;	/* for whom */
	int dir;		/* which way */
};

/* The datagram relay. */
struct udp {
	struct relay *r;
	struct dgram_batch in;	/* what one recv call brings */
	struct outbox out;
	struct session *bucket[UDP_BUCKETS];
	struct held *queue[2], *queue_tail[2];	/* delayed, by due time */
	int queued[2];
	long long last_due[2];	/* order is kept: no one due before these */
	struct loop_timer queue_timer[2];
	int full_told;		/* --max-clients was reported */
};

/* udp_queue.c: start the delay queues' timers. */
void udp_queue_init(struct udp *u);
/* udp_queue.c: pass one datagram of s on in direction dir, through
 * --reorder and --delay; copies is 1, or 2 for a duplicate. */
void udp_pass(struct udp *u, struct session *s, int dir, const char *data,
    size_t len, int copies);
/* udp_queue.c: say (once per client) that the kernel refused to send its
 * datagrams going dir, with err: a target that does not listen, say. */
void udp_send_failed(struct udp *u, struct session *s, int dir, int err);
/* udp_queue.c: send what the outbox has gathered. */
void udp_flush(struct udp *u);
/* udp_queue.c: drop (and count) what s holds back by --reorder. */
void udp_drop_held(struct udp *u, struct session *s);
/* udp_queue.c: drop (and count) every delayed datagram (on exit). */
void udp_drop_queues(struct udp *u);
/* udp_queue.c: the session's hold timer: release without overtaking. */
void udp_on_hold_timer(struct loop *l, struct loop_timer *t, void *ctx);

#endif
