/*
 * sockstate.h - what the kernel holds for one socket, in one line:
 *
 *   LISTEN, accept queue 1 of 128
 *   ESTABLISHED, 12 bytes waiting in the receive queue, 0 unsent
 *   FIN_WAIT2
 *
 * --step prints it after every step (stepper.c); socket-watch names the
 * states it reads from netlink with the same table. On Linux the state
 * comes from getsockopt(TCP_INFO): tcpi_state, and for a listener
 * tcpi_unacked / tcpi_sacked, which there mean the accept queue's length
 * and its limit; the queues from ioctl SIOCINQ / SIOCOUTQ / SIOCOUTQNSD.
 * Elsewhere a socket is only "listening", "connected" or not, with the
 * bytes FIONREAD counts.
 */
#ifndef SOCKLAB_SOCKSTATE_H
#define SOCKLAB_SOCKSTATE_H

#include <stddef.h>

/* The queries one look at a socket made, for narration. */
#define SOCKSTATE_CALLS 128

/* One look at a socket; -1 in a number means "not known". */
struct sockstate {
	int family;		/* AF_INET, AF_INET6, AF_UNIX, or 0 */
	int type;		/* SOCK_STREAM, SOCK_DGRAM, ... */
	int tcp_state;		/* Linux's number (TCP_ESTABLISHED...), or -1 */
	int listening;		/* SO_ACCEPTCONN, or LISTEN */
	int connected;		/* has a peer (getpeername), or -1 */
	long accept_queue;	/* connections waiting for accept() */
	long backlog;		/* the accept queue's limit */
	long inq;		/* bytes received, not yet read (UDP: the next datagram) */
	long outq;		/* bytes sent, not yet acknowledged or read */
	long unsent;		/* TCP: of those, not yet sent at all */
	char calls[SOCKSTATE_CALLS];	/* "getsockname, getsockopt SO_TYPE ..." */
};

/* Look at socket fd; 0, or -1 with errno (EBADF: it is closed). The
 * queries are named in s->calls. */
int sockstate_query(int fd, struct sockstate *s);

/* "ESTABLISHED, 12 bytes waiting in the receive queue, 0 unsent" into
 * buf; returns buf. */
char *sockstate_format(const struct sockstate *s, char *buf, size_t size);

/* The name of Linux's TCP state number (tcpi_state, inet_diag's
 * idiag_state): "ESTABLISHED", "TIME_WAIT"...; "UNKNOWN" otherwise. */
const char *sockstate_tcp_name(int state);

#endif
