/*
 * trace_hint.c - the hints: for an errno met at a step, what a learner
 * should check or change, and which lesson explains it (trace_hint()).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "step.h"
#include "trace.h"

#define C_HINT "\033[33m"
#define C_OFF "\033[0m"

static int hint_socktype = SOCK_STREAM;		/* what hints are about */

/* Which kind of socket this tool's hints are about: SOCK_STREAM or
 * SOCK_DGRAM (a port in use means different things for TCP and UDP). */
void
trace_set_socktype(int type)
{
	hint_socktype = type;
}

/* The advice a learner needs for err at step on a socket of socktype. */
static const char *
hint_text(int err, int step, int socktype)
{
	switch (err) {
	case EADDRINUSE:
		/* UDP has no connections, so no TIME_WAIT: only a live socket
		 * holds the port, and sharing it needs every holder's consent. */
		if (socktype == SOCK_DGRAM)
			return "another socket is bound to %s: a program "
			    "still running holds it (UDP has no TIME_WAIT: a "
			    "port is free once its socket is closed; `ss -ulpn` "
			    "shows who holds it). Sockets share a UDP port only if "
			    "each one sets SO_REUSEADDR (or SO_REUSEPORT) "
			    "before bind (lessons/10-datagrams.md)";
		return "another socket already holds %s: a server still "
		    "running, or a TIME_WAIT left by one that just stopped "
		    "(SO_REUSEADDR allows the latter if that server set it "
		    "too) (lessons/02-setsockopt.md)";
	case EACCES:
		if (step == STEP_BIND)
			return "ports below 1024 need root or "
			    "CAP_NET_BIND_SERVICE; use a port above 1023 "
			    "(lessons/03-bind.md)";
		if (step == STEP_CONNECT)
			return "permission denied for %s: check the socket "
			    "file's mode and its directory "
			    "(lessons/11-unix-sockets.md)";
		return NULL;
	case EADDRNOTAVAIL:
		/* At connect it is the local end that is missing: no port. */
		if (step == STEP_CONNECT)
			return "no local port is free for a connection to %s: "
			    "the source port you bound (-p) is still in "
			    "TIME_WAIT with it, or the ephemeral ports are "
			    "all in use (lessons/03-bind.md)";
		return "%s is not an address of this machine "
		    "(lessons/03-bind.md)";
	case ECONNREFUSED:
		return "nothing listens on %s: start a server first "
		    "(lessons/06-connect.md)";
	case ETIMEDOUT:
		return "no answer from %s: the host is down, a firewall drops "
		    "the packets, or the server's accept queue is full "
		    "(lessons/04-listen.md, lessons/06-connect.md)";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "no route to %s: check the address and the network "
		    "(lessons/06-connect.md)";
	case ECONNRESET:
		return "the peer reset the connection: it closed with unread "
		    "data or with SO_LINGER 0 (lessons/09-close.md)";
	case EPIPE:
		return "the peer has closed its side; writing on raises "
		    "SIGPIPE, which socklab ignores (lessons/07-send.md)";
	case ENOENT:
		return "no socket file at %s: start the server first, or "
		    "check the path (lessons/11-unix-sockets.md)";
	case ENAMETOOLONG:
		return "a Unix socket path must fit in sun_path (about 100 "
		    "bytes); use a shorter path (lessons/11-unix-sockets.md)";
	case EMFILE:
	case ENFILE:
		return "out of file descriptors: raise `ulimit -n` or close "
		    "idle connections (lessons/05-accept.md)";
	case EMSGSIZE:
		return "a UDP datagram carries at most 65507 bytes over IPv4 "
		    "(65527 over IPv6): send less, or split it "
		    "(lessons/10-datagrams.md)";
	default:
		return NULL;
	}
}

/* A "hint:" line for errno err met at step; nothing if no hint is known. */
void
trace_hint(int err, int step, const char *where)
{
	char text[512];
	const char *fmt = hint_text(err, step, hint_socktype);

	if (fmt == NULL)
		return;
	/* Hint formats take at most one %s: the address or path concerned. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
	snprintf(text, sizeof(text), fmt, where ? where : "that address");
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
	trace_error("%shint:%s %s", trace_colour() ? C_HINT : "",
	    trace_colour() ? C_OFF : "", text);
}
