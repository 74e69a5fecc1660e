/*
 * relay.h - what the parts of net-relay share:
 *
 *   net-relay.c  main(): resolve the target, open the listener, run, sum up
 *   options.c    the command line: the declared table and the impairments
 *   impair.c     the pure parts: parsers, the PRNG, the decisions
 *   tcp.c        a TCP connection: accept, connect to the target, close
 *   flow.c       one direction of a TCP connection: pieces, delay, rate,
 *                stall, reset, half-close, backpressure
 *   udp.c        datagrams: one upstream socket per client, routing back
 *   udp_queue.c  datagrams held back: reordered or delayed
 */
#ifndef NET_RELAY_H
#define NET_RELAY_H

#include <netdb.h>
#include <stddef.h>

#include "addr.h"
#include "cli.h"
#include "impair.h"
#include "loop.h"

/* The receive buffer asked for on the relay's UDP sockets (the kernel
 * caps it at net.core.rmem_max): room for bursts, so that the relay does
 * not lose datagrams of its own accord. */
#define UDP_RCVBUF (2 * 1024 * 1024)

/* The two directions, named for where the bytes go. The client side of a
 * connection is side 0, the target's side 1: bytes TO_SERVER come from
 * side 0, bytes TO_CLIENT from side 1. */
enum direction {
	TO_SERVER = 0,
	TO_CLIENT = 1
};
enum side {
	SIDE_CLIENT = 0,
	SIDE_SERVER = 1
};

/* The impairment options a direction was given (struct impair.given). */
enum {
	IMP_SEGMENT = 1 << 0,
	IMP_DELAY = 1 << 1,
	IMP_RATE = 1 << 2,
	IMP_STALL = 1 << 3,
	IMP_RESET = 1 << 4,
	IMP_CLOSE = 1 << 5,
	IMP_LOSS = 1 << 6,
	IMP_DUPLICATE = 1 << 7,
	IMP_REORDER = 1 << 8,
	IMP_TRUNCATE = 1 << 9
};
#define IMP_TCP_ONLY (IMP_SEGMENT | IMP_RATE | IMP_STALL | IMP_RESET | \
	IMP_CLOSE)
#define IMP_UDP_ONLY (IMP_LOSS | IMP_DUPLICATE | IMP_REORDER | IMP_TRUNCATE)

/* What one direction does to what passes through it. */
struct impair {
	unsigned given;		/* IMP_* of the options given */
	int segment;		/* --segment: bytes per send at most, 0: any */
	int delay_ms, jitter_ms;	/* --delay MS±JITTER per piece */
	long long rate;		/* --rate: bytes per second, 0: unlimited */
	long long stall_after;	/* --stall-after BYTES ... (-1: never) */
	int stall_ms;		/* ... SECS, in ms */
	long long reset_after;	/* --reset-after BYTES (-1: never) */
	long long close_after;	/* --close-after BYTES (-1: never) */
	long loss, duplicate, reorder;	/* parts per million */
	int truncate;		/* --truncate: bytes kept (-1: never) */
};

/* Which directions the impairments that follow apply to. */
enum scope {
	SCOPE_BOTH = 0,
	SCOPE_TO_SERVER = 1,
	SCOPE_TO_CLIENT = 2
};

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v */
	const char *bind_addr;	/* -b: local address, NULL for all */
	const char *listen_port;	/* LISTEN_PORT (0: the kernel picks) */
	const char *target_host, *target_port;	/* TARGET_HOST TARGET_PORT */
	int udp;		/* -u: datagrams */
	int scope;		/* --to-server / --to-client / --both */
	int scope_unused;	/* a scope flag no impairment followed yet */
	struct impair imp[2];	/* imp[TO_SERVER], imp[TO_CLIENT] */
	long long seed;		/* --seed, or -1: one from the clock */
	int count;		/* -c: exit after N connections, 0: never */
	int connect_ms;		/* -w: give up connecting to the target */
	int idle_ms;		/* --idle: forget a UDP client after */
	int max_clients;	/* --max-clients: at once */
};

/* What passed one way, summed over every connection or client. */
struct dir_stats {
	long long in;		/* bytes (TCP) or datagrams (UDP) received */
	long long out;		/* ... sent on (copies included) */
	long long dropped;	/* lost on purpose, or discarded by a reset */
	long long duplicated, reordered, truncated;	/* UDP */
	long long pieces;	/* sends (TCP) */
};

/* The running relay. */
struct relay {
	struct loop *loop;
	const struct options *opt;
	struct addrinfo *target;	/* the target's addresses, in order */
	char target_text[ADDR_STRLEN];	/* the first one, for messages */
	int lfd;		/* the listening (or, -u, receiving) socket */
	struct dir_stats stats[2];	/* stats[TO_SERVER], stats[TO_CLIENT] */
	long long accepted;	/* connections accepted, or UDP clients seen */
	long long refused;	/* clients closed because the target failed */
	long long finished;	/* connections over, either way */
	int active;		/* connections or UDP clients now */
	unsigned long long seed;	/* the seed in use */
	void *udp;		/* the datagram side's state (udp.c) */
};

/* True for the errors that only mean "not yet" on a non-blocking socket. */
int relay_not_yet(int err);
/* The direction's name: "to-server" or "to-client". */
const char *relay_dir_name(int dir);

/* Parse the command line into opt: CLI_RUN, or the status to exit with. */
int parse_options(int argc, char *argv[], struct options *opt);
/* Describe what imp does, "segments of 1 byte, delay 20±5 ms", into buf
 * ("nothing" if it does nothing). */
void impair_describe(const struct impair *imp, int udp, char *buf,
    size_t size);

/* TCP: watch the listener, accept and relay (tcp.c); 0, or -1 with errno. */
int tcp_start(struct relay *r);
/* TCP: close every connection still open (on exit). */
void tcp_stop(struct relay *r);
/* UDP: watch the socket, relay datagrams (udp.c); 0, or -1 with errno. */
int udp_start(struct relay *r);
/* UDP: drop what is held back (counted), close every client (on exit). */
void udp_stop(struct relay *r);

#endif
