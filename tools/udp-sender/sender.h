/*
 * sender.h - what the parts of udp-sender share.
 */
#ifndef UDP_SENDER_H
#define UDP_SENDER_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "cli.h"

struct options {
	struct cli_common cli;	/* -4 / -6, -q / -v */
	const char *host;	/* HOST: a name or a numeric address */
	const char *port;	/* PORT */
	int timeout_ms;		/* -w: how long --ping waits for a reply */
	const char *source;	/* -s: local address to bind, or NULL */
	const char *source_port; /* -p: local port to bind, or NULL */
	int count;		/* --count: generate N datagrams; 0: stdin */
	int size;		/* --size: bytes per generated datagram */
	int rate;		/* --rate: datagrams per second, 0: no limit */
	int seq;		/* --seq: number them "SEQ/TOTAL " */
	int one_by_one;		/* --one-by-one: a sendto per datagram */
	int broadcast;		/* --broadcast: SO_BROADCAST */
	int connect;		/* --connect: connect() the UDP socket */
	int ping;		/* --ping: wait for each reply, time it */
	const char *mcast_if;	/* --mcast-if: interface for multicast */
};

/* One sending socket and where its datagrams go. */
struct sender {
	const struct options *opt;
	int fd;
	struct sockaddr_storage to;	/* the destination */
	socklen_t tolen;
	char where[ADDR_STRLEN];	/* the destination, as text */
	int bound;			/* bind or connect gave a local port */
	unsigned long sent;		/* datagrams sent */
	unsigned long long bytes;	/* their payload bytes */
	struct timespec start;		/* for --rate */
};

/* Step 7 for one datagram: sendto (send on a connected socket); after
 * the first, narrate the port the kernel chose. 0, or -1 with errno. */
int send_one(struct sender *s, const void *buf, size_t len);
/* Each line of stdin (with its newline) as one datagram, until its end
 * or a caught signal (send.c); the exit status, after saying why. */
int send_lines(struct sender *s);
/* --count datagrams of --size bytes, batched, paced by --rate (send.c);
 * the exit status, after saying why. */
int send_generated(struct sender *s);
/* Fill buf with generated datagram number seq (1-based); its length. */
size_t make_datagram(const struct options *opt, char *buf, unsigned long seq);
/* Wait until datagram number sent+1 is due under --rate (send.c). */
void pace(struct sender *s);
/* Say why a send or recv failed, with the hint its errno needs; the exit
 * status that deserves (send.c). */
int send_failed(const struct sender *s, int err, int step);
/* --ping: send, wait for the echo, print RTTs; the exit status (ping.c). */
int ping(struct sender *s);

#endif
