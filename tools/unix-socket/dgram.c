/*
 * dgram.c - unix-socket over SOCK_DGRAM: messages keep their boundaries
 * and, on AF_UNIX, arrive reliably and in order (unlike UDP).
 *
 * The convention of this tool: a client binds its own path so that it
 * can get replies, and marks the end of its data with an empty datagram;
 * the server answers that with an empty datagram too. One datagram is
 * one recvfrom or sendto, at every verbosity.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"
#include "unix-socket.h"

/* Answer one datagram of n bytes from from: echo it (--echo), or the
 * empty end datagram with an empty one. A failure is told, not fatal. */
static void
server_reply(int fd, const struct options *opt, const char *buf, ssize_t n,
    const struct sockaddr_storage *from, socklen_t fromlen, const char *who)
{
	if (!opt->echo && n != 0)
		return;
	/* An unnamed sender (it did not bind) cannot get a reply. */
	if (strcmp(who, "(unnamed)") == 0) {
		trace_error("%s did not bind a path: no reply possible", who);
		return;
	}
	/* Step 7, sendto: the reply goes to the sender's path. */
	if (step_sendto(fd, buf, (size_t)n, (const struct sockaddr *)from,
	    fromlen) < 0)
		trace_error("cannot reply to %s: %s (%s)", who,
		    strerror(errno), trace_errno_name(errno));
}

/* Serve datagrams on the bound socket fd; returns the exit status. */
int
us_server_dgram(const struct options *opt, int fd)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char who[ADDR_STRLEN], last[ADDR_STRLEN] = "", buf[US_DGRAM_MAX];
	ssize_t n;

	/* No listen and no accept: every datagram names its sender. */
	trace_status("listening on %s (datagrams)", opt->where);
	for (;;) {
		/* Step 8, recvfrom: one whole datagram (lessons/08-recv.md). */
		n = step_recvfrom(fd, buf, sizeof(buf), &from, &fromlen);
		if (n < 0 && step_stop)
			return EX_OK;
		if (n < 0)
			return cli_error(errno, STEP_RECV, NULL, "cannot receive");
		addr_format((struct sockaddr *)&from, fromlen, who, sizeof(who));
		if (strcmp(who, last) != 0) {
			trace_status("datagrams from %s", who);
			snprintf(last, sizeof(last), "%s", who);
		}
		server_reply(fd, opt, buf, n, &from, fromlen, who);
		if (n == 0) {
			trace_status("end of data from %s", who);
			last[0] = '\0';
			if (!opt->keep)
				return EX_OK;
			continue;
		}
		/* A full or closed stdout is ours, not the sender's. */
		if (!opt->echo &&
		    io_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return io_report(IO_OUTPUT, errno, "from", who);
	}
}

struct dgram_relay {
	int sock;
	int in_open;		/* stdin not yet at EOF */
	int done;		/* the server's empty datagram came back */
	int up_pending;		/* up holds a datagram (maybe empty) */
	int side;		/* where the last failure happened */
	size_t up_len;
	char up[US_DGRAM_MAX];	/* a datagram read from stdin, not yet sent */
	char down[US_DGRAM_MAX];	/* a datagram from the server */
};

/* Send the pending datagram if the server's queue has room. 0 or -1. */
static int
dgram_send(struct dgram_relay *r)
{
	ssize_t n = step_send(r->sock, r->up, r->up_len);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (r->up_len == 0)
		trace_event("end", "sent an empty datagram: the end of our "
		    "data; waiting for the server's empty reply");
	r->up_pending = 0;
	return 0;
}

/* Read one chunk of stdin as the next datagram (empty at EOF). 0 or -1. */
static int
dgram_read_input(struct dgram_relay *r)
{
	ssize_t n;

	do {
		n = read(STDIN_FILENO, r->up, sizeof(r->up));
	} while (n < 0 && errno == EINTR && !step_stop);
	if (n < 0) {
		r->side = IO_INPUT;
		return -1;
	}
	if (n == 0)
		r->in_open = 0;
	r->up_len = (size_t)n;
	r->up_pending = 1;
	return dgram_send(r);
}

/* Receive one datagram and write it out; empty means done. 0 or -1. */
static int
dgram_recv(struct dgram_relay *r)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n = step_recvfrom(r->sock, r->down, sizeof(r->down), &from,
	    &fromlen);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->done = 1;
		return 0;
	}
	if (io_write_all(STDOUT_FILENO, r->down, (size_t)n) < 0) {
		r->side = IO_OUTPUT;
		return -1;
	}
	return 0;
}

/* The two descriptors one poll round watches, by name. */
enum { POLL_SOCK, POLL_INPUT, POLL_SLOTS };

/* One poll round: wait, then move what is ready. 0, or -1 with errno. */
static int
dgram_round(struct dgram_relay *r)
{
	struct pollfd pfd[POLL_SLOTS];
	int rc = 0;

	pfd[POLL_SOCK].fd = r->sock;
	pfd[POLL_SOCK].events = (short)(POLLIN | (r->up_pending ? POLLOUT :
	    0));
	/* Read more input only when the last datagram has gone out. */
	pfd[POLL_INPUT].fd = r->in_open && !r->up_pending ? STDIN_FILENO : -1;
	pfd[POLL_INPUT].events = POLLIN;
	pfd[POLL_SOCK].revents = pfd[POLL_INPUT].revents = 0;
	if (poll(pfd, POLL_SLOTS, -1) < 0)
		return errno == EINTR && !step_stop ? 0 : -1;
	r->side = IO_SOCKET;
	if (pfd[POLL_SOCK].revents & (POLLIN | POLLERR | POLLHUP))
		rc = dgram_recv(r);
	if (rc == 0 && r->up_pending && (pfd[POLL_SOCK].revents & POLLOUT))
		rc = dgram_send(r);
	if (rc == 0 && (pfd[POLL_INPUT].revents & (POLLIN | POLLHUP | POLLERR)))
		rc = dgram_read_input(r);
	return rc;
}

/* Client side: stdin to the server as datagrams, replies to stdout, until
 * the server answers the empty end datagram. 0, or -1 with errno and
 * *side saying which end failed. */
int
us_dgram_relay(int sock, int *side)
{
	struct dgram_relay r;	/* 128 KiB: two whole datagrams */
	int rc = 0, err;

	memset(&r, 0, offsetof(struct dgram_relay, up));
	r.sock = sock;
	r.in_open = 1;
	/* Non-blocking: waiting to send while the server waits for us to
	 * read its replies would deadlock. */
	io_nonblock(sock, 1);
	while (!r.done && rc == 0)
		rc = dgram_round(&r);
	err = errno;
	*side = r.side;
	io_nonblock(sock, 0);
	errno = err;
	return rc;
}
