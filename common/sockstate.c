/*
 * sockstate.c - one socket's kernel state in one line (see sockstate.h).
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockstate.h"

/* Linux's TCP states, by number (include/net/tcp_states.h); the names
 * are RFC 9293's, written the way ss and netstat write them. */
static const char *const tcp_names[] = {
	"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
	"FIN_WAIT2", "TIME_WAIT", "CLOSED", "CLOSE_WAIT", "LAST_ACK",
	"LISTEN", "CLOSING", "SYN_RECV"	/* NEW_SYN_RECV: a request socket */
};

/* Linux's numbers for the states sockstate_format() treats apart. */
enum {
	ST_ESTABLISHED = 1, ST_CLOSE_WAIT = 8, ST_LISTEN = 10
};

/* The name of Linux's TCP state number. */
const char *
sockstate_tcp_name(int state)
{
	if (state < 0 || (size_t)state >= sizeof(tcp_names) / sizeof(tcp_names[0]))
		return tcp_names[0];
	return tcp_names[state];
}

/* Add a query to s->calls, grouped by system call: "getsockname,
 * getsockopt SO_TYPE SO_ACCEPTCONN TCP_INFO, ioctl SIOCINQ SIOCOUTQ". */
static void
asked(struct sockstate *s, const char *call, const char *what)
{
	size_t used = strlen(s->calls), len = strlen(call);
	const char *last = strrchr(s->calls, ',');

	last = last ? last + 2 : s->calls;
	if (strncmp(last, call, len) == 0 && last[len] == ' ')
		snprintf(s->calls + used, sizeof(s->calls) - used, " %s", what);
	else
		snprintf(s->calls + used, sizeof(s->calls) - used, "%s%s%s%s",
		    used ? ", " : "", call, what[0] ? " " : "", what);
}

/* An int ioctl on fd, or -1 if the socket does not answer it. */
static long
ioctl_int(int fd, unsigned long request)
{
	int v = 0;

	return ioctl(fd, request, &v) < 0 ? -1 : v;
}

/* The TCP state and listener queue, from TCP_INFO where there is one. */
static void
query_tcp(int fd, struct sockstate *s)
{
#ifdef __linux__
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	asked(s, "getsockopt", "TCP_INFO");
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return;
	s->tcp_state = ti.tcpi_state;
	s->listening = ti.tcpi_state == ST_LISTEN;
	if (s->listening) {
		/* For a listener the kernel reuses these two fields. */
		s->accept_queue = ti.tcpi_unacked;
		s->backlog = ti.tcpi_sacked;
	}
#else
	(void)fd;
	(void)s;
#endif
}

/* The queues: bytes waiting to be read, and to be sent or acknowledged. */
static void
query_queues(int fd, struct sockstate *s)
{
#ifdef __linux__
	asked(s, "ioctl", "SIOCINQ");
	asked(s, "ioctl", "SIOCOUTQ");
	s->inq = ioctl_int(fd, SIOCINQ);
	s->outq = ioctl_int(fd, SIOCOUTQ);
	if (s->tcp_state >= 0) {
		asked(s, "ioctl", "SIOCOUTQNSD");
		s->unsent = ioctl_int(fd, SIOCOUTQNSD);
	}
#else
	asked(s, "ioctl", "FIONREAD");
	s->inq = ioctl_int(fd, FIONREAD);
#endif
}

/* Look at socket fd; 0, or -1 with errno. */
int
sockstate_query(int fd, struct sockstate *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int v = 0;

	memset(s, 0, sizeof(*s));
	s->tcp_state = s->connected = -1;
	s->accept_queue = s->backlog = s->inq = s->outq = s->unsent = -1;
	asked(s, "getsockname", "");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	s->family = ss.ss_family;
	len = sizeof(v);
	asked(s, "getsockopt", "SO_TYPE");
	asked(s, "getsockopt", "SO_ACCEPTCONN");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0)
		return -1;
	s->type = v;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0)
		s->listening = v != 0;
	if ((s->family == AF_INET || s->family == AF_INET6) &&
	    s->type == SOCK_STREAM)
		query_tcp(fd, s);
	if (s->tcp_state < 0) {
		len = sizeof(ss);
		asked(s, "getpeername", "");
		s->connected = getpeername(fd, (struct sockaddr *)&ss, &len) == 0;
	}
	/* A listener's queue holds connections, not bytes. */
	if (!s->listening)
		query_queues(fd, s);
	return 0;
}

/* Append ", N bytes waiting in the receive queue, M unsent" and what
 * else is known about the queues. */
static size_t
format_queues(const struct sockstate *s, char *buf, size_t used, size_t size)
{
	int udp = s->type == SOCK_DGRAM;

	if (used < size && s->inq >= 0 && udp)
		used += (size_t)snprintf(buf + used, size - used,
		    s->inq ? ", the next datagram waiting is %ld bytes" :
		    ", no datagram waiting", s->inq);
	else if (used < size && s->inq >= 0)
		used += (size_t)snprintf(buf + used, size - used,
		    ", %ld bytes waiting in the receive queue", s->inq);
	if (used < size && s->unsent >= 0) {
		used += (size_t)snprintf(buf + used, size - used,
		    ", %ld unsent", s->unsent);
		if (used < size && s->outq > s->unsent)
			used += (size_t)snprintf(buf + used, size - used,
			    ", %ld sent but not yet acknowledged",
			    s->outq - s->unsent);
	} else if (used < size && s->outq >= 0) {
		used += (size_t)snprintf(buf + used, size - used, s->family ==
		    AF_UNIX ? ", %ld bytes not yet read by the peer" :
		    ", %ld bytes in the send queue", s->outq);
	}
	return used;
}

/* The state word: TCP's name, else what is known without it. */
static const char *
state_word(const struct sockstate *s)
{
	if (s->tcp_state >= 0)
		return sockstate_tcp_name(s->tcp_state);
	if (s->listening)
		return "LISTEN";
	if (s->connected > 0)
		return s->type == SOCK_DGRAM ? "connected" : "ESTABLISHED";
	return s->type == SOCK_DGRAM ? "not connected" : "UNCONNECTED";
}

/* "ESTABLISHED, 12 bytes waiting in the receive queue, 0 unsent". */
char *
sockstate_format(const struct sockstate *s, char *buf, size_t size)
{
	size_t used;
	int busy;

	if (size == 0)
		return buf;
	used = (size_t)snprintf(buf, size, "%s%s", s->type == SOCK_DGRAM &&
	    s->family != AF_UNIX ? "UDP, " : "", state_word(s));
	if (s->listening && s->accept_queue >= 0 && used < size)
		used += (size_t)snprintf(buf + used, size - used,
		    ", accept queue %ld of %ld", s->accept_queue, s->backlog);
	/* Queues matter where data flows, or when something is in them. */
	busy = s->inq > 0 || s->outq > 0 || s->unsent > 0;
	if (!s->listening && (busy || s->tcp_state < 0 ||
	    s->tcp_state == ST_ESTABLISHED || s->tcp_state == ST_CLOSE_WAIT))
		used = format_queues(s, buf, used, size);
	(void)used;
	return buf;
}
