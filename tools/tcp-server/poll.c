/*
 * poll.c - the poll model: one process, one thread, every client at once.
 *
 * Every socket is non-blocking and watched by the event loop (loop.h:
 * epoll on Linux, poll() elsewhere), which calls on_listener or
 * on_client when one is ready. A call that would wait returns EAGAIN
 * instead, so one slow client can never stall the others. The price is
 * bookkeeping: what a client has sent us but not yet taken back waits in
 * that client's own output buffer, and while anything waits there we stop
 * reading from it, so its memory stays bounded. That is the client's
 * state, changed only by client_set_state():
 *
 *   ECHO  --a send takes only part-->  BACKLOG  --all sent-->  ECHO
 *   ECHO  --recv returns 0, nothing left over-->  closed
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "io.h"
#include "loop.h"
#include "server.h"
#include "step.h"
#include "trace.h"

/* Bytes one client may have in flight through us. */
#define POLL_BUFSIZE (64 * 1024)

enum client_state {
	ECHO,			/* receiving, and sending each piece straight back */
	BACKLOG			/* leftover bytes to send; not reading meanwhile */
};

static const char *const state_names[] = { "ECHO", "BACKLOG" };
/* What the loop watches a client's socket for, in each state. */
static const int state_events[] = { LOOP_READ, LOOP_WRITE };

struct echo_server {
	struct loop *loop;
	const struct options *opt;
	int lfd;
	int clients;		/* connected now */
};

struct client {
	struct echo_server *s;
	int fd;
	enum client_state state;
	char who[ADDR_STRLEN];
	char *buf;		/* received, not yet sent back, or NULL */
	size_t off, len;	/* buf[off..len) is still to send */
	int eof;		/* the client has half-closed */
};

/* The one place a client's state changes: narrate it at -v, and watch
 * the socket for what the new state waits for. */
static void
client_set_state(struct client *c, enum client_state to)
{
	if (c->state == to)
		return;
	trace_transition("client", c->fd, state_names[c->state],
	    state_names[to]);
	c->state = to;
	loop_mod(c->s->loop, c->fd, state_events[to]);
}

/* Step 9 for a client: forget it, close it, say why. */
static void
client_close(struct client *c, int err)
{
	struct echo_server *s = c->s;

	loop_del(s->loop, c->fd);
	step_close(c->fd);
	if (err != 0)
		trace_peer_failed("from", c->who, err, STEP_RECV);
	else
		trace_status("closed connection from %s", c->who);
	free(c->buf);
	free(c);
	s->clients--;
	/* A descriptor is free again: accept again if we had to stop. */
	loop_resume(s->loop, s->lfd);
}

/* Where every client's bytes land first. One process, one thread: one
 * buffer serves them all; only what a client does not take back at once
 * is copied into a buffer of its own. */
static char scratch[POLL_BUFSIZE];

/* Step 7: send the client's leftover bytes, as far as the socket takes
 * them now; free the buffer once empty. 0, or -1 with errno. */
static int
client_flush(struct client *c)
{
	ssize_t n;

	while (c->off < c->len) {
		n = step_send(c->fd, c->buf + c->off, c->len - c->off);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->off += (size_t)n;
	}
	c->off = c->len = 0;
	free(c->buf);
	c->buf = NULL;
	return 0;
}

/* Keep the n bytes the socket did not take, to send when it has room. */
static int
client_keep(struct client *c, const char *p, size_t n)
{
	if ((c->buf = malloc(n)) == NULL)
		return -1;	/* errno is ENOMEM */
	memcpy(c->buf, p, n);
	c->off = 0;
	c->len = n;
	return 0;
}

/* Steps 8 and 7: receive into the scratch buffer and send it straight
 * back; keep what the socket does not take. *more is set if the receive
 * filled the buffer (more may be waiting). 0, or -1 with errno. */
static int
client_echo(struct client *c, int *more)
{
	ssize_t n = step_recv(c->fd, scratch, sizeof(scratch)), m;
	size_t sent = 0;

	*more = 0;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) {
		c->eof = 1;
		return 0;
	}
	while (sent < (size_t)n) {
		m = step_send(c->fd, scratch + sent, (size_t)n - sent);
		if (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (m < 0)
			break;
		sent += (size_t)m;
	}
	if (sent < (size_t)n)
		return client_keep(c, scratch + sent, (size_t)n - sent);
	*more = (size_t)n == sizeof(scratch);
	return 0;
}

/* The loop says a client is ready: move its bytes, then set its state. */
static void
on_client(struct loop *l, int fd, int events, void *ctx)
{
	struct client *c = ctx;
	int rc = 0, more = 1, rounds;

	(void)l;
	(void)fd;
	(void)events;	/* level-triggered: what is not done now comes back */
	if (c->state == BACKLOG)
		rc = client_flush(c);
	/* A few rounds at most, so a busy client cannot starve the others. */
	for (rounds = 0; rc == 0 && more && c->len == 0 && !c->eof &&
	    rounds < 4; rounds++)
		rc = client_echo(c, &more);
	if (rc < 0 || (c->eof && c->len == 0)) {
		client_close(c, rc < 0 ? errno : 0);
		return;
	}
	/* Bytes left over mean: stop reading until the client takes them. */
	client_set_state(c, c->len > 0 ? BACKLOG : ECHO);
}

/* Step 5: the loop says the listener is ready: take one client. */
static void
on_listener(struct loop *l, int lfd, int events, void *ctx)
{
	struct echo_server *s = ctx;
	struct client *c;
	char who[ADDR_STRLEN];
	int fd = accept_loop_client(l, lfd, s->clients, s->opt, who,
	    sizeof(who));

	(void)events;
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL || loop_add(l, fd, state_events[ECHO], on_client, c) < 0) {
		drop_client(fd, who);
		free(c);
		return;
	}
	c->s = s;
	c->fd = fd;
	c->state = ECHO;
	strcpy(c->who, who);
	s->clients++;
}

/* Steps 5 to 9 for every client at once, driven by the event loop. */
int
serve_poll(int lfd, const struct options *opt)
{
	struct echo_server s;

	memset(&s, 0, sizeof(s));
	s.opt = opt;
	s.lfd = lfd;
	if ((s.loop = listener_loop(lfd, on_listener, &s)) == NULL)
		return cli_error(errno, STEP_NONE, NULL, "cannot start the %s "
		    "loop", loop_backend());
	trace_status("poll model: one process watches every client with %s, "
	    "at most %d", loop_backend(), opt->max_clients);
	return run_loop(s.loop);
}
