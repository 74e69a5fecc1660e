/*
 * dgram.c - unix-socket over SOCK_DGRAM: messages keep their boundaries
 * and, on AF_UNIX, arrive reliably and in order (unlike UDP).
 *
 * The convention of this tool: a client binds its own path so that it
 * can get replies, and marks the end of its data with an empty datagram;
 * the server answers that with an empty datagram too.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "step.h"
#include "trace.h"
#include "unix-socket.h"

/* Serve datagrams on the bound socket fd; returns the exit status. */
int
us_server_dgram(const struct options *opt, int fd)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	char who[ADDR_STRLEN], last[ADDR_STRLEN] = "";
	char *buf = malloc(US_DGRAM_MAX);
	ssize_t n;
	int status = EX_OK;

	if (buf == NULL)
		die(EX_OSERR, "out of memory");
	/* No listen and no accept: every datagram names its sender. */
	trace_status("listening on %s (datagrams)", opt->where);
	for (;;) {
		/* Step 8, recvfrom: one whole datagram (lessons/08-recv.md). */
		n = step_recvfrom(fd, buf, US_DGRAM_MAX, &from, &fromlen);
		if (n < 0) {
			if (!us_signal) {
				trace_error("recvfrom failed: %s (%s)",
				    strerror(errno), trace_errno_name(errno));
				status = EX_IOERR;
			}
			break;
		}
		addr_format((struct sockaddr *)&from, fromlen, who, sizeof(who));
		if (strcmp(who, last) != 0) {
			trace_status("datagrams from %s", who);
			snprintf(last, sizeof(last), "%s", who);
		}
		/* An unnamed sender (it did not bind) cannot get a reply. */
		if ((opt->echo || n == 0) && strcmp(who, "(unnamed)") == 0) {
			trace_error("%s did not bind a path: no reply possible",
			    who);
		} else if (opt->echo || n == 0) {
			/* Step 7, sendto: the reply goes to the sender's path. */
			if (step_sendto(fd, buf, (size_t)n,
			    (struct sockaddr *)&from, fromlen) < 0)
				trace_error("cannot reply to %s: %s (%s)", who,
				    strerror(errno), trace_errno_name(errno));
		}
		if (n == 0) {
			trace_status("end of data from %s", who);
			last[0] = '\0';
			if (!opt->keep)
				break;
			continue;
		}
		if (!opt->echo &&
		    io_write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			trace_error("cannot write to stdout: %s",
			    strerror(errno));
			status = EX_IOERR;
			break;
		}
	}
	free(buf);
	return status;
}

struct dgram_relay {
	int sock;
	int in_open;		/* stdin not yet at EOF */
	int end_sent;		/* the empty "end" datagram has gone */
	int done;		/* the server's empty datagram came back */
	char *up;		/* a datagram read from stdin, not yet sent */
	size_t up_len;
	int up_pending;		/* up holds a datagram (maybe empty) */
	char *down;
};

/* Send the pending datagram if the server's queue has room. 0 or -1. */
static int
dgram_send(struct dgram_relay *r)
{
	ssize_t n = step_send(r->sock, r->up, r->up_len);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (r->up_len == 0) {
		r->end_sent = 1;
		trace_event("end", "sent an empty datagram: the end of our "
		    "data; waiting for the server's empty reply");
	}
	r->up_pending = 0;
	return 0;
}

/* Read one chunk of stdin as the next datagram (empty at EOF). 0 or -1. */
static int
dgram_read_input(struct dgram_relay *r)
{
	ssize_t n;

	do {
		n = read(STDIN_FILENO, r->up, US_DGRAM_MAX);
	} while (n < 0 && errno == EINTR && !step_stop);
	if (n < 0)
		return -1;
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
	ssize_t n = step_recvfrom(r->sock, r->down, US_DGRAM_MAX, &from,
	    &fromlen);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->done = 1;
		return 0;
	}
	return io_write_all(STDOUT_FILENO, r->down, (size_t)n);
}

/* Client side: stdin to the server as datagrams, replies to stdout, until
 * the server answers the empty end datagram. 0, or -1 with errno. */
int
us_dgram_relay(int sock)
{
	struct dgram_relay r = { 0 };
	struct pollfd pfd[2];
	int rc = 0, err = 0;

	r.sock = sock;
	r.in_open = 1;
	r.up = malloc(US_DGRAM_MAX);
	r.down = malloc(US_DGRAM_MAX);
	if (r.up == NULL || r.down == NULL)
		die(EX_OSERR, "out of memory");
	/* Non-blocking: waiting to send while the server waits for us to
	 * read its replies would deadlock. */
	step_nonblock(sock, 1);
	while (!r.done && rc == 0) {
		pfd[0].fd = sock;
		pfd[0].events = (short)(POLLIN | (r.up_pending ? POLLOUT : 0));
		pfd[1].fd = r.in_open && !r.up_pending ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR && !step_stop)
				continue;
			rc = -1;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLERR | POLLHUP))
			rc = dgram_recv(&r);
		if (rc == 0 && r.up_pending && (pfd[0].revents & POLLOUT))
			rc = dgram_send(&r);
		if (rc == 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = dgram_read_input(&r);
	}
	err = errno;
	step_nonblock(sock, 0);
	free(r.up);
	free(r.down);
	errno = err;
	return rc;
}
