/*
 * poll.c - the poll model: one process, one thread, every client at once.
 *
 * Every socket is non-blocking and watched by the event loop (loop.h:
 * epoll on Linux, poll() elsewhere). A call that would wait returns
 * EAGAIN instead, so one slow client can never stall the others. The
 * price is bookkeeping: what a client has sent us but not yet taken back
 * waits in that client's own output buffer, and while anything waits
 * there we stop reading from it, so its memory stays bounded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "loop.h"
#include "server.h"
#include "step.h"
#include "trace.h"

/* Bytes one client may have in flight through us. */
#define POLL_BUFSIZE (64 * 1024)

struct client {
	int fd;
	char who[ADDR_STRLEN];
	char *buf;		/* received, not yet sent back, or NULL */
	size_t off, len;	/* buf[off..len) is still to send */
	int eof;		/* the client has half-closed */
	int watch;		/* LOOP_READ or LOOP_WRITE, as registered */
};

struct server {
	struct loop *loop;
	const struct options *opt;
	int lfd;
	int clients;		/* connected now */
	int paused;		/* out of descriptors: listener not watched */
};

/* Step 9 for a client: forget it, close it, say why. */
static void
client_close(struct server *s, struct client *c, int err)
{
	loop_del(s->loop, c->fd);
	step_close(c->fd);
	if (err != 0) {
		trace_error("connection from %s failed: %s (%s)", c->who,
		    strerror(err), trace_errno_name(err));
		trace_hint(err, STEP_RECV, c->who);
	} else {
		trace_status("closed connection from %s", c->who);
	}
	free(c->buf);
	free(c);
	s->clients--;
	conn_resume(s->loop, s->lfd, &s->paused);
}

/* Step 5: accept one waiting client and start watching it. */
static void
accept_client(struct server *s)
{
	struct client *c;
	char who[ADDR_STRLEN];
	int fd = conn_accept_loop(s->loop, s->lfd, &s->paused, who,
	    sizeof(who));

	if (fd < 0)
		return;
	if (s->clients >= s->opt->max_clients) {
		conn_refuse(fd, who, s->opt->max_clients);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || step_nonblock(fd, 1) < 0 ||
	    loop_add(s->loop, fd, LOOP_READ, c) < 0) {
		trace_error("cannot serve %s: %s", who, strerror(errno));
		step_close(fd);
		free(c);
		return;
	}
	c->fd = fd;
	c->watch = LOOP_READ;
	strcpy(c->who, who);
	s->clients++;
	conn_options(fd, s->opt);
}

/* Where every client's bytes land first. One process, one thread: one
 * buffer serves them all; only what a client does not take back at once
 * is copied into a buffer of its own. */
static char scratch[POLL_BUFSIZE];

/* Step 7: send the client's leftover bytes, as far as the socket takes
 * them now; free the buffer once empty. 0, or an error number. */
static int
client_flush(struct client *c)
{
	ssize_t n;

	while (c->off < c->len) {
		n = step_send(c->fd, c->buf + c->off, c->len - c->off);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 :
			    errno;
		c->off += (size_t)n;
	}
	c->off = c->len = 0;
	free(c->buf);
	c->buf = NULL;
	return 0;
}

/* Steps 8 and 7: receive into the scratch buffer and send it straight
 * back; keep what the socket does not take. *more is set if the receive
 * filled the buffer (more may be waiting). 0, or an error number. */
static int
client_echo(struct client *c, int *more)
{
	ssize_t n = step_recv(c->fd, scratch, sizeof(scratch)), m;
	size_t sent = 0;

	*more = 0;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	while (sent < (size_t)n) {
		m = step_send(c->fd, scratch + sent, (size_t)n - sent);
		if (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		if (m < 0)
			break;
		sent += (size_t)m;
	}
	if (sent < (size_t)n) {
		c->buf = malloc((size_t)n - sent);
		if (c->buf == NULL)
			return ENOMEM;
		memcpy(c->buf, scratch + sent, (size_t)n - sent);
		c->off = 0;
		c->len = (size_t)n - sent;
	}
	*more = (size_t)n == sizeof(scratch);
	return 0;
}

/* One client is ready: move its bytes, then watch for what comes next. */
static void
client_event(struct server *s, struct client *c, int events)
{
	int err = 0, more = 1, rounds, want;

	(void)events;	/* level-triggered: whatever is not done now comes back */
	/* Leftovers go out before anything new is read. */
	if (c->len > 0)
		err = client_flush(c);
	/* A few rounds at most, so a busy client cannot starve the others. */
	for (rounds = 0; err == 0 && more && c->len == 0 && !c->eof &&
	    rounds < 4; rounds++)
		err = client_echo(c, &more);
	if (err != 0 || (c->eof && c->len == 0)) {
		client_close(s, c, err);
		return;
	}
	/* Bytes left over mean: stop reading until the client takes them. */
	want = c->len > 0 ? LOOP_WRITE : LOOP_READ;
	if (want != c->watch && loop_mod(s->loop, c->fd, want, c) == 0)
		c->watch = want;
}

/* Steps 5 to 9 for every client at once, driven by the event loop. */
int
serve_poll(int lfd, const struct options *opt)
{
	struct loop_event ev[64];
	struct server s;
	int n, i;

	memset(&s, 0, sizeof(s));
	s.opt = opt;
	s.lfd = lfd;
	s.loop = loop_new();
	/* A client may vanish between "ready" and accept(): never block. */
	if (s.loop == NULL || step_nonblock(lfd, 1) < 0 ||
	    loop_add(s.loop, lfd, LOOP_READ, NULL) < 0)
		die_errno(errno, STEP_NONE, NULL, "cannot start the %s loop",
		    loop_backend());
	trace_status("poll model: one process watches every client with %s, "
	    "at most %d", loop_backend(), opt->max_clients);
	for (;;) {
		n = loop_wait(s.loop, ev, (int)(sizeof(ev) / sizeof(ev[0])), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(errno, STEP_NONE, NULL, "%s failed",
			    loop_backend());
		trace_event(loop_backend(), "wait for %d clients and the "
		    "listener = %d ready", s.clients, n);
		for (i = 0; i < n; i++) {
			if (ev[i].data == NULL)
				accept_client(&s);
			else
				client_event(&s, ev[i].data, ev[i].events);
		}
	}
}
