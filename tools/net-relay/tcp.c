/*
 * tcp.c - relayed TCP connections (tcp.h): accept a client, connect to
 * the target without blocking, relay both flows, close.
 *
 * Every socket is non-blocking and every wait is the event loop's, so one
 * stalled or slow connection never holds up another. The connect to the
 * target is started at once (EINPROGRESS) and finished when the loop says
 * the socket is writable: SO_ERROR then tells how the handshake went.
 * Meanwhile the client's bytes wait in the kernel, unread.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "io.h"
#include "step.h"
#include "tcp.h"
#include "trace.h"

static const char *const conn_state_names[] = {
	"CONNECTING", "RELAYING", "CLOSED"
};

/* Every open connection, so that the exit can close them. */
static struct conn *conns;

static void connect_next(struct conn *c, int err);

/* The one place a connection's state changes: narrate it at -v, and
 * watch the sockets for what the new state waits for. */
static void
conn_set_state(struct conn *c, enum conn_state to)
{
	if (c->state == to)
		return;
	trace_transition("conn", c->fd[SIDE_CLIENT], conn_state_names[c->state],
	    conn_state_names[to]);
	c->state = to;
	if (to != CONN_CLOSED)
		conn_watch(c);
}

/* Tell the loop what fd[side] waits for, if that changed. */
static void
watch_side(struct conn *c, int side, int events)
{
	if (c->fd[side] < 0 || c->watching[side] == events)
		return;
	if (loop_mod(c->r->loop, c->fd[side], events) == 0)
		c->watching[side] = events;
}

/* Derive what each socket waits for from the states: the client's socket
 * is read by flow[TO_SERVER] and written by flow[TO_CLIENT], and the
 * other way round for the server's. */
void
conn_watch(struct conn *c)
{
	int side;

	if (c->state == CONN_CONNECTING) {
		watch_side(c, SIDE_CLIENT, 0);	/* its bytes wait in the kernel */
		watch_side(c, SIDE_SERVER, LOOP_WRITE);	/* the handshake */
		return;
	}
	for (side = 0; side < 2 && c->state == CONN_RELAYING; side++)
		watch_side(c, side,
		    (flow_wants_read(&c->flow[side]) ? LOOP_READ : 0) |
		    (flow_wants_write(&c->flow[!side]) ? LOOP_WRITE : 0));
}

/* The sweep: free a connection after the loop's current round, when no
 * callback can still be holding it. */
static void
on_sweep(struct loop *l, struct loop_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	free(ctx);
}

/* Let the listener accept again, unless -c has been reached. */
static void
listener_resume(struct relay *r)
{
	if (r->opt->count == 0 || r->accepted < r->opt->count)
		loop_resume(r->loop, r->lfd);
}

/* End the connection: close both sockets (reset first for END_RESET). */
void
conn_end(struct conn *c, enum conn_end how)
{
	struct relay *r = c->r;
	int side;

	if (c->state == CONN_CLOSED)
		return;
	for (side = 0; side < 2; side++) {
		r->stats[side].dropped += (long long)flow_free(&c->flow[side]);
		if (c->fd[side] < 0)
			continue;
		loop_del(r->loop, c->fd[side]);
		/* Step 2, then 9: with SO_LINGER {on, 0 s}, close() sends a
		 * reset and forgets what is unsent (lessons/09-close.md). */
		if (how == END_RESET)
			step_setsockopt_linger(c->fd[side], 1, 0);
		step_close(c->fd[side]);
	}
	conn_set_state(c, CONN_CLOSED);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	r->active--;
	r->finished++;
	loop_timer_stop(r->loop, &c->timer);
	loop_timer_init(&c->timer, on_sweep, c);
	loop_timer_after(r->loop, &c->timer, 0);
	listener_resume(r);
	if (r->opt->count > 0 && r->finished >= r->opt->count)
		loop_stop(r->loop);
}

/* A side failed: say so, and reset the other one as well. */
void
conn_failed(struct conn *c, int side, int err, int step)
{
	char what[ADDR_STRLEN + 32];

	snprintf(what, sizeof(what), "%s (connection %lld)", side ==
	    SIDE_CLIENT ? c->who : c->target, c->id);
	trace_peer_failed(side == SIDE_CLIENT ? "from" : "to", what, err,
	    step);
	conn_end(c, END_RESET);
}

/* Both flows are SHUT: close, and say what passed. */
void
conn_check_done(struct conn *c)
{
	if (c->flow[TO_SERVER].state != FLOW_SHUT ||
	    c->flow[TO_CLIENT].state != FLOW_SHUT)
		return;
	trace_status("connection %lld from %s closed: %lld bytes to the server, "
	    "%lld to the client", c->id, c->who, c->flow[TO_SERVER].passed,
	    c->flow[TO_CLIENT].passed);
	conn_end(c, END_CLOSE);
}

/* The handshake is done: relay. */
static void
conn_established(struct conn *c)
{
	int d;

	loop_timer_stop(c->r->loop, &c->timer);
	trace_status("connection %lld from %s: connected to %s", c->id, c->who,
	    c->target);
	conn_set_state(c, CONN_RELAYING);
	for (d = 0; d < 2 && c->state == CONN_RELAYING; d++)
		flow_start(&c->flow[d]);
	if (c->state == CONN_RELAYING)
		conn_watch(c);
}

/* No address of the target would take the connection: reset the client
 * (it reads ECONNRESET, as it would from a target that refused it). */
static void
conn_refused(struct conn *c, int err)
{
	trace_error("connection %lld from %s: cannot connect to %s: %s (%s); "
	    "resetting the client", c->id, c->who, c->r->target_text,
	    strerror(err), trace_errno_name(err));
	trace_hint(err, STEP_CONNECT, c->r->target_text);
	c->r->refused++;
	conn_end(c, END_RESET);
}

/* Forget the socket of a connect that failed. */
static void
drop_server_socket(struct conn *c)
{
	loop_del(c->r->loop, c->fd[SIDE_SERVER]);
	step_close(c->fd[SIDE_SERVER]);
	c->fd[SIDE_SERVER] = -1;
	c->watching[SIDE_SERVER] = 0;
}

/* The loop says a socket of c is ready. */
static void
on_conn_ready(struct loop *l, int fd, int events, void *ctx)
{
	struct conn *c = ctx;
	int side = fd == c->fd[SIDE_CLIENT] ? SIDE_CLIENT : SIDE_SERVER, err;

	(void)l;
	if (c->state == CONN_CONNECTING) {
		/* Step 2: how did the handshake go? (lessons/06-connect.md) */
		if (step_getsockopt_int(fd, SOL_SOCKET, SO_ERROR, &err) < 0)
			err = errno;
		if (err == 0) {
			conn_established(c);
			return;
		}
		drop_server_socket(c);
		c->ai = c->ai->ai_next;
		connect_next(c, err);
		return;
	}
	/* fd[side] is the destination of flow[!side], the source of
	 * flow[side]. */
	if (events & (LOOP_WRITE | LOOP_ERROR))
		flow_writable(&c->flow[!side]);
	if (c->state == CONN_RELAYING && (events & (LOOP_READ | LOOP_ERROR)))
		flow_readable(&c->flow[side]);
	if (c->state == CONN_RELAYING)
		conn_watch(c);
}

/* -w passed while connecting. */
static void
on_connect_timeout(struct loop *l, struct loop_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	conn_refused(ctx, ETIMEDOUT);
}

/* Steps 1, 2 and 6 for the target: try c->ai and the addresses after it
 * until a connect starts; err is the last failure. */
static void
connect_next(struct conn *c, int err)
{
	const struct addrinfo *ai;
	int fd, rc;

	for (ai = c->ai; ai != NULL; ai = ai->ai_next) {
		c->ai = ai;
		addr_format(ai->ai_addr, ai->ai_addrlen, c->target,
		    sizeof(c->target));
		if ((fd = step_socket(ai->ai_family, SOCK_STREAM, 0)) < 0) {
			err = errno;
			continue;
		}
		/* Our sends leave as we make them: --segment really cuts. */
		step_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
		if (io_nonblock(fd, 1) < 0 ||
		    loop_add(c->r->loop, fd, 0, on_conn_ready, c) < 0) {
			err = errno;
			step_close(fd);
			continue;
		}
		c->fd[SIDE_SERVER] = fd;
		rc = step_connect_nb(fd, ai->ai_addr, ai->ai_addrlen);
		if (rc == 0) {
			conn_established(c);
			return;
		}
		if (errno == EINPROGRESS) {
			conn_set_state(c, CONN_CONNECTING);
			conn_watch(c);
			return;
		}
		err = errno;
		drop_server_socket(c);
	}
	conn_refused(c, err);
}

/* A new client on fd, from peer: connect to the target for it. */
static void
conn_new(struct relay *r, int fd, const char *who)
{
	struct conn *c = calloc(1, sizeof(*c));
	int d;

	if (c == NULL || loop_add(r->loop, fd, 0, on_conn_ready, c) < 0) {
		trace_error("cannot relay %s: %s", who, strerror(errno));
		step_close(fd);
		free(c);
		return;
	}
	c->r = r;
	c->id = ++r->accepted;
	c->fd[SIDE_CLIENT] = fd;
	c->fd[SIDE_SERVER] = -1;
	c->state = CONN_CONNECTING;
	snprintf(c->who, sizeof(c->who), "%s", who);
	for (d = 0; d < 2; d++)
		flow_init(&c->flow[d], c, d);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	r->active++;
	trace_status("connection %lld from %s", c->id, who);
	step_setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	loop_timer_init(&c->timer, on_connect_timeout, c);
	loop_timer_after(r->loop, &c->timer, r->opt->connect_ms);
	c->ai = r->target;
	connect_next(c, ECONNREFUSED);
}

/* True for the accept errors that mean "no descriptor left". */
static int
out_of_descriptors(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM;
}

/* Step 5: the listener is ready: take the clients that wait, up to the
 * caps. */
static void
on_listener(struct loop *l, int lfd, int events, void *ctx)
{
	struct relay *r = ctx;
	struct sockaddr_storage peer;
	socklen_t len;
	char who[ADDR_STRLEN];
	int fd, i;

	(void)events;
	for (i = 0; i < 16; i++) {
		if (r->active >= r->opt->max_clients ||
		    (r->opt->count > 0 && r->accepted >= r->opt->count)) {
			loop_pause(l, lfd);	/* until a connection ends */
			return;
		}
		fd = step_accept_nb(lfd, &peer, &len);
		if (fd < 0 && out_of_descriptors(errno)) {
			trace_error("out of descriptors: not accepting until a "
			    "connection closes");
			loop_pause(l, lfd);
		}
		if (fd < 0)
			return;	/* EAGAIN: none waiting; others: gone */
		addr_format((struct sockaddr *)&peer, len, who, sizeof(who));
		conn_new(r, fd, who);
	}
}

/* Watch the listener: from now on the loop accepts and relays. */
int
tcp_start(struct relay *r)
{
	/* A client may vanish between "ready" and accept(): never block. */
	if (io_nonblock(r->lfd, 1) < 0)
		return -1;
	return loop_add(r->loop, r->lfd, LOOP_READ, on_listener, r);
}

/* Close every connection still open (on exit). */
void
tcp_stop(struct relay *r)
{
	struct conn *c;

	(void)r;
	while ((c = conns) != NULL) {
		conn_end(c, END_CLOSE);
		loop_timer_stop(c->r->loop, &c->timer);
		free(c);
	}
}
