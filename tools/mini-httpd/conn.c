/*
 * conn.c - one connection's state machine over a non-blocking socket.
 *
 * Every function runs until the socket says "not now" (EAGAIN), then
 * returns to the event loop, which calls conn_event() again when the
 * socket is ready. Pipelined requests are answered one after another in
 * the order they arrived: the next head is parsed only once the previous
 * response is completely sent.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "loop.h"
#include "step.h"

/* How long a closing connection may keep sending before we hang up. */
#define LINGER_MS 2000

static void conn_read(struct server *, struct conn *);
static void conn_send(struct server *, struct conn *);

/* Watch c's socket for ev (LOOP_READ or LOOP_WRITE) unless it already is. */
static void
watch(struct server *s, struct conn *c, int ev)
{
	if (c->watch != ev && loop_mod(s->loop, c->fd, ev, c) == 0)
		c->watch = (unsigned char)ev;
}

/* Drop the first n received bytes, keeping what follows them. */
static void
consume(struct iobuf *io, size_t n)
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
	c->fd = fd;
	c->res.fd = -1;
	c->state = C_READ;
	c->watch = LOOP_READ;
	c->spare = s->active >= s->cfg->max_conns;
	c->deadline = s->now + s->cfg->idle_ms;
	if (len > sizeof(c->peer))
		len = sizeof(c->peer);
	memcpy(&c->peer, peer, len);
	s->active++;
	if (loop_add(s->loop, fd, LOOP_READ, c) < 0) {
		conn_close(s, c);
		return;
	}
	if (c->spare) {
		/* Over --max-conns: say so and close, rather than hang. */
		if ((c->out = pool_get(&s->out_pool)) == NULL) {
			conn_close(s, c);
			return;
		}
		request_error(503, c->out, &c->res);
		c->state = C_SEND;
		conn_send(s, c);
		return;
	}
	conn_read(s, c);
}

/* Start sending c->res. */
static void
start_send(struct server *s, struct conn *c)
{
	c->state = C_SEND;
	c->sent = 0;
	c->deadline = s->now + s->cfg->idle_ms;
	conn_send(s, c);
}

/* Read and answer requests until the socket has nothing more for now. */
static void
conn_read(struct server *s, struct conn *c)
{
	const struct httpd_config *cfg = s->cfg;
	struct iobuf *io;
	ssize_t n;
	int rc;

	for (;;) {
		if (c->io == NULL) {
			if ((c->io = pool_get(&s->io_pool)) == NULL) {
				conn_close(s, c);
				return;
			}
			c->io->in_len = 0;
		}
		io = c->io;
		/* Drop what is left of the previous request's body. */
		if (c->discard > 0 && io->in_len > 0) {
			size_t k = io->in_len < c->discard ? io->in_len :
			    (size_t)c->discard;

			consume(io, k);
			c->discard -= k;
		}
		if (c->discard == 0 && io->in_len > 0) {
			rc = http_parse(io->in, io->in_len, cfg->max_head,
			    &io->req);
			if (rc != HTTP_INCOMPLETE) {
				if (c->out == NULL &&
				    (c->out = pool_get(&s->out_pool)) == NULL) {
					conn_close(s, c);
					return;
				}
				request_answer(cfg, &io->req, rc, c->out, &c->res);
				start_send(s, c);
				if (c->state != C_READ)
					return;
				continue;
			}
		}
		/* Step 8, recv: more of the head (lessons/08-recv.md). */
		n = step_recv(c->fd, io->in + io->in_len,
		    cfg->max_head - io->in_len);
		if (n > 0) {
			/* The head's deadline starts with its first byte and
			 * is never pushed back by the bytes that follow. */
			if (io->in_len == 0 && c->discard == 0)
				c->deadline = s->now + cfg->head_ms;
			else if (c->discard > 0)
				c->deadline = s->now + cfg->idle_ms;
			io->in_len += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			conn_close(s, c);
			return;
		}
		/* Nothing more for now; an idle connection keeps no buffer. */
		if (io->in_len == 0) {
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

	server_log(s, c);
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
		c->state = C_LINGER;
		c->deadline = s->now + LINGER_MS;
		if (io != NULL) {
			pool_put(&s->io_pool, io);
			c->io = NULL;
		}
		watch(s, c, LOOP_READ);
		return;
	}
	/* Keep-alive: drop the head just answered, keep pipelined bytes. */
	consume(io, io->req.head_len);
	c->discard = io->req.has_length ? io->req.length : 0;
	c->state = C_READ;
	c->deadline = s->now + (io->in_len > 0 && c->discard == 0 ?
	    s->cfg->head_ms : s->cfg->idle_ms);
	watch(s, c, LOOP_READ);
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
		c->deadline = s->now + s->cfg->idle_ms;
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
		c->deadline = s->now + s->cfg->idle_ms;
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
	watch(s, c, LOOP_WRITE);
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

/* Handle events on c. */
void
conn_event(struct server *s, struct conn *c, int events)
{
	(void)events;	/* errors show up as the next call's failure */
	switch (c->state) {
	case C_READ:
		conn_read(s, c);
		break;
	case C_SEND:
		conn_send(s, c);
		if (c->state == C_READ)
			conn_read(s, c);
		break;
	case C_LINGER:
		conn_drain(s, c);
		break;
	default:
		break;
	}
}

/* c's deadline has passed: a half-received head gets 408, others close. */
void
conn_timeout(struct server *s, struct conn *c)
{
	if (c->state != C_READ || c->io == NULL || c->io->in_len == 0 ||
	    c->discard > 0) {
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
}

/* Close c and give its slot and buffers back. */
void
conn_close(struct server *s, struct conn *c)
{
	if (c->res.fd >= 0)
		close(c->res.fd);
	loop_del(s->loop, c->fd);
	/* Step 9, close: the connection is over (lessons/09-close.md). */
	step_close(c->fd);
	if (c->io != NULL)
		pool_put(&s->io_pool, c->io);
	if (c->out != NULL)
		pool_put(&s->out_pool, c->out);
	c->io = NULL;
	c->out = NULL;
	c->state = C_FREE;
	c->next_free = s->free_conns;
	s->free_conns = c;
	s->active--;
	if (!s->accepting && loop_mod(s->loop, s->lfd, LOOP_READ, NULL) == 0)
		s->accepting = 1;
}
