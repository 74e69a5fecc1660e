/*
 * io.c - moving bytes: complete sends, an echo loop, and the relay.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "io.h"
#include "io_internal.h"
#include "step.h"
#include "trace.h"

/* Make fd non-blocking (1) or blocking (0). */
int
io_nonblock(int fd, int on)
{
	int flags = fcntl(fd, F_GETFL);
	int rc;

	if (flags < 0)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	rc = fcntl(fd, F_SETFL, flags);
	trace_event("fcntl", "fcntl(fd=%d, F_SETFL, %sO_NONBLOCK) = %d", fd,
	    on ? "" : "~", rc);
	return rc;
}

/* Wait until fd is writable; 0, or -1 with errno set. */
static int
wait_writable(int fd)
{
	struct pollfd pfd;
	int rc;

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		if (step_stopped())
			return -1;
		rc = poll(&pfd, 1, -1);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? -1 : 0;
}

/* Send all len bytes; 0, or -1 with errno set. */
int
io_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = step_send(fd, p, len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_writable(fd) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		/* A partial send is normal: the rest goes in the next call. */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write all len bytes to a plain descriptor; 0 or -1. */
int
io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR && !step_stop)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Echo every byte back until the peer closes; 0, or -1 with errno set. */
int
io_echo(int fd)
{
	char buf[64 * 1024];
	ssize_t n;

	for (;;) {
		n = step_recv(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0)
			return -1;
		if (io_send_all(fd, buf, (size_t)n) < 0)
			return -1;
	}
}


void
relay_input_ended(struct relay *r)
{
	r->in_open = 0;
	if (r->flags & IO_HALF_CLOSE)
		step_shutdown(r->sock, SHUT_WR);
}

/* Read input into the (empty) up buffer; half-close at EOF. 0 or -1. */
static int
relay_read_input(struct relay *r)
{
	ssize_t n;

	if (r->splice_in)
		return relay_splice_in(r);
	do {
		n = read(r->in_fd, r->up, IO_BUFSIZE);
	} while (n < 0 && errno == EINTR && !step_stop);
	if (n < 0) {
		r->side = IO_INPUT;
		return -1;
	}
	if (n == 0) {
		relay_input_ended(r);
		return 0;
	}
	r->up_off = 0;
	r->up_len = (size_t)n;
	return 0;
}

/* Send as much of the up buffer as the socket takes now. 0 or -1. */
static int
relay_send(struct relay *r)
{
	ssize_t n = step_send(r->sock, r->up + r->up_off, r->up_len - r->up_off);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	r->up_off += (size_t)n;
	if (r->up_off == r->up_len)
		r->up_off = r->up_len = 0;
	return 0;
}

/* Receive once from the socket and write it all to the output. 0 or -1. */
static int
relay_recv(struct relay *r)
{
	ssize_t n;

	if (r->splice_out)
		return relay_splice_out(r);
	n = step_recv(r->sock, r->down, IO_BUFSIZE);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		r->sock_open = 0;
		return 0;
	}
	if (io_write_all(r->out_fd, r->down, (size_t)n) < 0) {
		r->side = IO_OUTPUT;
		return -1;
	}
	return 0;
}

/* True while the relay still has something to do. */
static int
relay_busy(const struct relay *r)
{
	if (!r->sock_open && r->end_on_peer_eof)
		return 0;
	return r->sock_open || r->in_open || r->up_len > 0 || r->sock_full;
}

/* The two descriptors one poll round watches, by name. */
enum { POLL_SOCK, POLL_INPUT, POLL_SLOTS };

/* One poll round: wait, then move what is ready. 0, or -1 with errno. */
static int
relay_round(struct relay *r, int idle_ms)
{
	struct pollfd pfd[POLL_SLOTS];
	int rc;

	int unsent = r->up_len > 0 || r->sock_full;

	pfd[POLL_SOCK].events = (short)((r->sock_open ? POLLIN : 0) |
	    (unsent ? POLLOUT : 0));
	/* Nothing to wait for on the socket: leave it out, or a socket whose
	 * peer has gone (POLLHUP, reported even when not asked for, as on
	 * AF_UNIX) would wake poll at once, forever. */
	pfd[POLL_SOCK].fd = pfd[POLL_SOCK].events != 0 ? r->sock : -1;
	/* Read more input only when the last piece has gone out. */
	pfd[POLL_INPUT].fd = r->in_open && !unsent ? r->in_fd : -1;
	pfd[POLL_INPUT].events = POLLIN;
	pfd[POLL_SOCK].revents = pfd[POLL_INPUT].revents = 0;
	if (step_stopped())
		return -1;
	rc = poll(pfd, POLL_SLOTS, idle_ms);
	if (rc < 0)
		return errno == EINTR && !step_stop ? 0 : -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if ((pfd[POLL_SOCK].revents & (POLLIN | POLLHUP | POLLERR)) &&
	    r->sock_open && relay_recv(r) < 0)
		return -1;
	if ((pfd[POLL_SOCK].revents & (POLLOUT | POLLERR)) && r->sock_full)
		r->sock_full = 0;	/* room again: splice more input */
	if ((pfd[POLL_SOCK].revents & (POLLOUT | POLLERR)) && r->up_len > 0 &&
	    relay_send(r) < 0)
		return -1;
	if (pfd[POLL_INPUT].revents & (POLLIN | POLLHUP | POLLERR)) {
		if (relay_read_input(r) < 0)
			return -1;
		if (r->up_len > 0 && relay_send(r) < 0)
			return -1;
	}
	return 0;
}

/* Relay in_fd -> sock and sock -> out_fd until done; 0 or -1 with errno. */
int
io_relay(int sock, int in_fd, int out_fd, int idle_ms, int flags, int *side)
{
	struct relay r = { 0 };
	int rc = 0, err = 0;

	r.sock = sock;
	r.in_fd = in_fd;
	r.out_fd = out_fd;
	r.flags = flags;
	r.in_open = in_fd >= 0;
	r.sock_open = 1;
	r.end_on_peer_eof = in_fd >= 0 && isatty(in_fd);
	r.pipe[0] = r.pipe[1] = -1;
	if ((flags & IO_SPLICE) && relay_splice_setup(&r) < 0)
		return -1;
	r.up = malloc(IO_BUFSIZE);
	r.down = malloc(IO_BUFSIZE);
	*side = IO_SOCKET;
	if (r.up == NULL || r.down == NULL) {
		free(r.up);
		free(r.down);
		relay_splice_done(&r);
		errno = ENOMEM;
		return -1;
	}
	/* Non-blocking, so a full send buffer never stops us from reading:
	 * two peers that both send before they read would deadlock. */
	io_nonblock(sock, 1);
	while (relay_busy(&r)) {
		r.side = IO_SOCKET;
		if (relay_round(&r, idle_ms) < 0) {
			rc = -1;
			err = errno;
			*side = r.side;
			break;
		}
	}
	io_nonblock(sock, 0);
	free(r.up);
	free(r.down);
	relay_splice_done(&r);
	errno = err;
	return rc;
}

/* Say why a relay failed, never blaming the peer for a local failure. */
int
io_report(int side, int err, const char *dir, const char *who)
{
	const char *why = err == EBADF ? ": it is closed" : err == EPIPE ?
	    ": nobody reads it any more" : "";

	if (side == IO_OUTPUT) {
		trace_error("cannot write to stdout: %s (%s)%s", strerror(err),
		    trace_errno_name(err), why);
		return EX_IOERR;
	}
	if (side == IO_INPUT) {
		trace_error("cannot read stdin: %s (%s)%s", strerror(err),
		    trace_errno_name(err), err == EBADF ? ": it is closed" : "");
		return EX_IOERR;
	}
	trace_peer_failed(dir, who, err, STEP_RECV);
	return err == ETIMEDOUT ? EX_TEMPFAIL : EX_IOERR;
}
