/*
 * conn.c - one connection's state machine over a non-blocking socket
 * (the states are drawn in conn.h).
 *
 * The loop calls on_conn() when the socket is ready and on_deadline()
 * when the state's deadline passes. Every handler runs until the socket
 * says "not now" (EAGAIN), then returns to the loop. Pipelined requests
 * are answered one after another in the order they arrived: the next head
 * is parsed only once the previous response is completely sent. The
 * states' table (their names, deadlines, loop interest) is conn_state.c.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "cgi.h"
#include "conn.h"
#include "job.h"
#include "loop.h"
#include "step.h"

static void conn_read(struct server *, struct conn *);
static void conn_send(struct server *, struct conn *);
static loop_io_fn on_conn;
static loop_timer_fn on_deadline;

/* Drop the first n received bytes, keeping what follows them. */
void
conn_consume(struct iobuf *io, size_t n)
{
	if (n >= io->in_len) {
		io->in_len = 0;
		return;
	}
	memmove(io->in, io->in + n, io->in_len - n);
	io->in_len -= n;
}

/* Accept a new connection: a slot, the loop, then read at once (the
 * request has often arrived already). */
void
conn_accept(struct server *s, int fd, const struct sockaddr *peer,
    socklen_t len)
{
	struct conn *c = server_slot(s);

	if (c == NULL) {	/* cannot happen: accept_all() checks first */
		step_close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->srv = s;
	c->fd = fd;
	c->res.fd = -1;
	c->state = CLOSED;
	c->watch = LOOP_READ;
	c->spare = s->active >= s->cfg->max_conns;
	loop_timer_init(&c->deadline, on_deadline, c);
	if (len > sizeof(c->peer))
		len = sizeof(c->peer);
	memcpy(&c->peer, peer, len);
	s->active++;
	if (loop_add(s->loop, fd, LOOP_READ, on_conn, c) < 0) {
		conn_close(s, c);
		return;
	}
	conn_set_state(s, c, IDLE);
	if (c->spare) {
		/* Over --max-conns: say so and close, rather than hang. */
		if ((c->out = pool_get(&s->out_pool)) == NULL) {
			conn_close(s, c);
			return;
		}
		request_error(503, c->out, &c->res);
		conn_set_state(s, c, SEND);
		conn_send(s, c);
	} else {
		conn_read(s, c);
	}
	conn_watch(s, c);
}

/* Start sending c->res. */
static void
start_send(struct server *s, struct conn *c)
{
	c->sent = 0;
	conn_set_state(s, c, SEND);
	conn_send(s, c);
}

/* Start sending c->res from a job's callback (see conn.h). */
void
conn_start_send(struct server *s, struct conn *c)
{
	start_send(s, c);
	conn_watch(s, c);
}

/* The same from a script's callback on the loop (see conn.h): if that
 * ends the response, go on as on_conn does, since a request pipelined
 * behind it is already in the buffer and no socket event will announce
 * it. Never from inside conn_read, which goes on by itself. */
void
conn_start_send_from_loop(struct server *s, struct conn *c)
{
	start_send(s, c);
	if (conn_reading(c))
		conn_read(s, c);
	conn_watch(s, c);
}

/* The head parsed is answered: send the answer, or first read the body
 * it needs (an upload, a script: body.c). */
static void
answer(struct server *s, struct conn *c, int rc)
{
	struct iobuf *io = c->io;

	request_answer(s->cfg, &io->req, rc, c->out, &c->res);
	if (c->res.job == NULL) {
		start_send(s, c);
		return;
	}
	c->job = c->res.job;
	c->res.job = NULL;
	body_start(s, c);
}

/* Drop the received bytes that belong to the previous request's body. */
static void
drop_body(struct server *s, struct conn *c)
{
	struct iobuf *io = c->io;
	size_t k = io->in_len < c->discard ? io->in_len : (size_t)c->discard;

	assert(c->state == READ_BODY);
	conn_consume(io, k);
	c->discard -= k;
	/* The body is over: the next head, or idleness, has its own deadline. */
	if (c->discard == 0)
		conn_set_state(s, c, io->in_len > 0 ? READ_HEAD : IDLE);
}

/* Read and answer requests until the socket has nothing more for now. */
static void
conn_read(struct server *s, struct conn *c)
{
	const struct httpd_config *cfg = s->cfg;
	struct iobuf *io;
	ssize_t n;
	int rc;

	assert(conn_reading(c));
	for (;;) {
		if (c->io == NULL) {
			if ((c->io = pool_get(&s->io_pool)) == NULL) {
				conn_close(s, c);
				return;
			}
			c->io->in_len = 0;
		}
		io = c->io;
		if (c->state == READ_BODY && io->in_len > 0)
			drop_body(s, c);
		if (c->state == STORE_BODY && io->in_len > 0) {
			body_feed(s, c);
			if (!conn_reading(c))
				return;
		}
		if (c->state != READ_BODY && c->state != STORE_BODY &&
		    io->in_len > 0) {
			rc = http_parse(io->in, io->in_len, cfg->max_head,
			    &io->req);
			if (rc != HTTP_INCOMPLETE) {
				if (c->out == NULL &&
				    (c->out = pool_get(&s->out_pool)) == NULL) {
					conn_close(s, c);
					return;
				}
				answer(s, c, rc);
				if (!conn_reading(c))
					return;
				continue;
			}
		}
		/* A body being kept, with nothing buffered: straight into
		 * the body's file, in large pieces (body.c). */
		if (c->state == STORE_BODY && io->in_len == 0 && !c->job->chunked) {
			if ((n = body_recv(s, c)) > 0) {
				if (!conn_reading(c))
					return;
				continue;
			}
		/* Step 8, recv: more of the head (lessons/08-recv.md). */
		} else if ((n = step_recv(c->fd, io->in + io->in_len,
		    cfg->max_head - io->in_len)) > 0) {
			/* The head's deadline starts with its first byte. */
			if (c->state == IDLE)
				conn_set_state(s, c, READ_HEAD);
			io->in_len += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			conn_close(s, c);
			return;
		}
		/* Nothing more for now; an idle connection keeps no buffer
		 * (a job's request keeps its, for the log). */
		if (io->in_len == 0 && c->job == NULL) {
			pool_put(&s->io_pool, io);
			c->io = NULL;
		}
		return;
	}
}

/* The response is out: log it, then wait for the next request or close. */
static void
conn_done(struct server *s, struct conn *c)
{
	struct iobuf *io = c->io;

	/* A script's piece is out: wait for the next one. */
	if (c->job != NULL && c->job->cgi != NULL && c->job->cgi->srv != NULL &&
	    !c->job->cgi->done) {
		conn_set_state(s, c, CGI_WAIT);
		cgi_resume(s, c->job->cgi);
		return;
	}
	server_log(s, c);
	job_free(c->job);	/* the script's end, the temp file's */
	c->job = NULL;
	if (c->res.fd >= 0) {
		close(c->res.fd);
		c->res.fd = -1;
	}
	pool_put(&s->out_pool, c->out);
	c->out = NULL;
	if (c->res.close) {
		/* A client still sending would get a reset that destroys the
		 * response: shut our side, read until it closes (lingering). */
		if (!c->res.linger && (io == NULL ||
		    io->in_len <= io->req.head_len)) {
			conn_close(s, c);
			return;
		}
		step_shutdown(c->fd, SHUT_WR);
		conn_set_state(s, c, LINGER);
		if (io != NULL) {
			pool_put(&s->io_pool, io);
			c->io = NULL;
		}
		return;
	}
	/* Keep-alive: drop the head just answered, keep pipelined bytes. A
	 * body still to drop gets one deadline for all of it, as a head
	 * does (--header-timeout), so a trickled body cannot hold the slot. */
	conn_consume(io, io->req.head_len);
	c->discard = io->req.has_length ? io->req.length : 0;
	conn_set_state(s, c, c->discard > 0 ? READ_BODY : io->in_len > 0 ?
	    READ_HEAD : IDLE);
}

/* Send the head and body, then the file, until done or the socket is full. */
static void
conn_send(struct server *s, struct conn *c)
{
	struct response *r = &c->res;
	size_t total = r->head_len + r->body_len, off;
	struct iovec iov[2];
	ssize_t n;
	int cnt;

	assert(c->state == SEND);
	while (c->sent < total) {
		cnt = 0;
		if (c->sent < r->head_len) {
			iov[cnt].iov_base = (char *)r->head + c->sent;
			iov[cnt++].iov_len = r->head_len - c->sent;
		}
		if (r->body_len > 0) {
			off = c->sent > r->head_len ? c->sent - r->head_len : 0;
			iov[cnt].iov_base = (char *)r->body + off;
			iov[cnt++].iov_len = r->body_len - off;
		}
		/* Step 7, send: head and body in one call (lessons/07-send.md). */
		if ((n = step_writev(c->fd, iov, cnt)) < 0)
			goto blocked;
		c->sent += (size_t)n;
		/* Progress: a stalled send is what --timeout counts. */
		loop_timer_after(s->loop, &c->deadline, s->cfg->idle_ms);
	}
	while (r->len > 0) {
		/* Step 7, send: the kernel copies file to socket itself. */
		n = step_sendfile(c->fd, r->fd, &r->off, r->len > (1u << 30) ?
		    (1u << 30) : (size_t)r->len);
		if (n < 0)
			goto blocked;
		/* The file shrank: the length we promised cannot be kept. */
		if (n == 0) {
			conn_close(s, c);
			return;
		}
		r->len -= (unsigned long long)n;
		loop_timer_after(s->loop, &c->deadline, s->cfg->idle_ms);
	}
	conn_done(s, c);
	return;
blocked:
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		conn_close(s, c);
		return;
	}
	/* The cache may refill before the socket drains: keep a copy. */
	if (r->body_cached) {
		memcpy(c->out->page, r->body, r->body_len);
		r->body = c->out->page;
		r->body_cached = 0;
	}
}

/* Read and drop what a closing client still sends, until it closes. */
static void
conn_drain(struct server *s, struct conn *c)
{
	char buf[4096];
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		n = step_recv(c->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;
	}
	conn_close(s, c);
}

/* The loop says c's socket is ready: go on from where c's state is. */
static void
on_conn(struct loop *l, int fd, int events, void *ctx)
{
	struct conn *c = ctx;
	struct server *s = c->srv;

	(void)l;
	(void)fd;
	(void)events;	/* errors show up as the next call's failure */
	if (c->state == SEND)
		conn_send(s, c);
	if (conn_reading(c))
		conn_read(s, c);
	else if (c->state == LINGER)
		conn_drain(s, c);
	conn_watch(s, c);
}

/* The state's deadline has passed: a half-received head or body gets
 * 408, a silent script 504, any other state closes. */
static void
on_deadline(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct conn *c = ctx;
	struct server *s = c->srv;

	(void)l;
	(void)t;
	if (c->state == STORE_BODY) {
		body_fail(s, c, 408);
		return;
	}
	if (c->state == CGI_WAIT) {
		cgi_timeout(s, c->job->cgi);
		conn_watch(s, c);
		return;
	}
	if (c->state != READ_HEAD || c->io == NULL || c->io->in_len == 0) {
		conn_close(s, c);
		return;
	}
	if (c->out == NULL && (c->out = pool_get(&s->out_pool)) == NULL) {
		conn_close(s, c);
		return;
	}
	c->io->req.line.n = 0;	/* nothing complete to log */
	request_error(408, c->out, &c->res);
	start_send(s, c);
	conn_watch(s, c);
}

/* Close c and give its slot and buffers back. */
void
conn_close(struct server *s, struct conn *c)
{
	if (c->res.fd >= 0)
		close(c->res.fd);
	job_free(c->job);	/* no temp file, no script left behind */
	c->job = NULL;
	loop_del(s->loop, c->fd);
	/* Step 9, close: the connection is over (lessons/09-close.md). */
	step_close(c->fd);
	if (c->io != NULL)
		pool_put(&s->io_pool, c->io);
	if (c->out != NULL)
		pool_put(&s->out_pool, c->out);
	c->io = NULL;
	c->out = NULL;
	conn_set_state(s, c, CLOSED);
	c->next_free = s->free_conns;
	s->free_conns = c;
	s->active--;
	server_resume(s);
}
