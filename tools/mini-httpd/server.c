/*
 * server.c - the server around the connections: the listener and its
 * accepts, the connection slots and buffer pools, the access log. Each
 * connection's socket and deadline are its own callbacks on the loop
 * (conn.c).
 *
 * One process, one thread, one loop (epoll on Linux, poll elsewhere:
 * common/loop.h). Memory is taken at start-up (the connection slots) or
 * from pools that grow to the peak number of busy connections and are
 * then reused, so a request in the steady state costs no malloc.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgi.h"
#include "conn.h"
#include "loop.h"
#include "step.h"
#include "trace.h"

/* Connections accepted per wake-up, so that accepting cannot starve the
 * connections already open. */
#define ACCEPT_BATCH 64

static loop_io_fn on_listener;
static loop_timer_fn retry_accepting, flush_log;

/* An object from the pool, allocated (zeroed) when the pool is empty. */
void *
pool_get(struct pool *p)
{
	void *obj = p->free;

	if (obj == NULL)
		return calloc(1, p->size);
	memcpy(&p->free, obj, sizeof(void *));
	return obj;
}

/* Give an object back: its first bytes now link the free list. */
void
pool_put(struct pool *p, void *obj)
{
	if (obj == NULL)
		return;
	memcpy(obj, &p->free, sizeof(void *));
	p->free = obj;
}

/* Set up the slots, the pools and the loop for listening socket lfd. */
int
server_init(struct server *s, const struct httpd_config *cfg, int lfd)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->lfd = lfd;
	s->nslots = cfg->max_conns + SPARE_CONNS;
	s->io_pool.size = sizeof(struct iobuf) + cfg->max_head;
	s->out_pool.size = sizeof(struct scratch);
	/* A large calloc is backed by memory only where it is touched: slots
	 * are handed out in order (server_slot), so idle capacity is free. */
	if ((s->conns = calloc((size_t)s->nslots, sizeof(*s->conns))) == NULL)
		return -1;
	if ((s->loop = loop_new()) == NULL)
		return -1;
	if (loop_add(s->loop, lfd, LOOP_READ, on_listener, s) < 0)
		return -1;
	s->accepting = 1;
	loop_timer_init(&s->retry, retry_accepting, s);
	loop_timer_init(&s->flusher, flush_log, s);
	/* Scripts that end are reaped from the loop (SIGCHLD). */
	return cgi_init(s);
}

/* A free connection slot: a reused one, else the next never used. */
struct conn *
server_slot(struct server *s)
{
	struct conn *c = s->free_conns;

	if (c != NULL)
		s->free_conns = c->next_free;
	else if (s->high < s->nslots)
		c = &s->conns[s->high++];
	return c;
}

/* Stop watching the listener until a slot or a descriptor is free. */
static void
pause_accepting(struct server *s)
{
	if (s->accepting && loop_pause(s->loop, s->lfd) == 0)
		s->accepting = 0;
}

/* A slot or a descriptor is free again: watch the listener again. */
void
server_resume(struct server *s)
{
	if (!s->accepting && loop_resume(s->loop, s->lfd) == 0)
		s->accepting = 1;
}

/* Out of descriptors with no connection of ours to close, none would
 * ever resume accepting: try again a second later. */
static void
retry_accepting(struct loop *l, struct loop_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	server_resume(ctx);
}

/* Step 5, accept: take the connections waiting in the queue. */
static void
accept_all(struct server *s)
{
	struct sockaddr_storage peer;
	socklen_t len;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (s->free_conns == NULL && s->high == s->nslots) {
			pause_accepting(s);
			return;
		}
		fd = step_accept_nb(s->lfd, &peer, &len);
		if (fd < 0) {
			/* Out of descriptors: wait for a close, never spin. */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				pause_accepting(s);
				loop_timer_after(s->loop, &s->retry, 1000);
			}
			if (errno == ECONNABORTED)
				continue;
			return;
		}
		conn_accept(s, fd, (struct sockaddr *)&peer, len);
	}
}

/* The loop says the listener is ready: accept what is queued. */
static void
on_listener(struct loop *l, int fd, int events, void *ctx)
{
	(void)l;
	(void)fd;
	(void)events;
	accept_all(ctx);
}

/* Flush the access log once the loop has handled what was ready. */
static void
flush_log(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct server *s = ctx;

	(void)l;
	(void)t;
	fflush(stdout);
	s->logged = 0;
}

/* Serve until a caught signal stops the loop. */
int
server_run(struct server *s)
{
	return loop_run(s->loop);
}

/* Close every connection and free the slots, pools and loop. */
void
server_free(struct server *s)
{
	void *obj;
	int i;

	for (i = 0; i < s->high; i++)
		if (s->conns[i].state != CLOSED)
			conn_close(s, &s->conns[i]);
	cgi_shutdown(s);	/* no script outlives the server */
	while (s->io_pool.free != NULL)
		free(pool_get(&s->io_pool));
	while (s->out_pool.free != NULL) {
		obj = pool_get(&s->out_pool);
		free(((struct scratch *)obj)->big.p);
		free(obj);
	}
	free(s->conns);
	loop_free(s->loop);
}

/* The peer's address without the port, IPv4-mapped shown as IPv4. */
static const char *
peer_host(const struct conn *c, char *buf, size_t size)
{
	const struct in6_addr *a = &c->peer.in6.sin6_addr;

	if (c->peer.sa.sa_family == AF_INET)
		return inet_ntop(AF_INET, &c->peer.in4.sin_addr, buf,
		    (socklen_t)size);
	if (c->peer.sa.sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a))
		return inet_ntop(AF_INET, a->s6_addr + 12, buf, (socklen_t)size);
	if (c->peer.sa.sa_family == AF_INET6)
		return inet_ntop(AF_INET6, a, buf, (socklen_t)size);
	return "-";
}

/* The request line, with quotes, backslashes and control bytes escaped. */
static void
escape_line(struct http_span l, char *out, size_t size)
{
	size_t i, o = 0;

	if (l.n == 0) {
		snprintf(out, size, "-");
		return;
	}
	for (i = 0; i < l.n && o + 5 < size; i++) {
		unsigned char ch = (unsigned char)l.p[i];

		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\%c", ch);
		else if (ch < ' ' || ch >= 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
}

/* Write the Common Log Format line for c's finished response. */
void
server_log(struct server *s, struct conn *c)
{
	static char when[40];
	static time_t cached = -1;
	char host[INET6_ADDRSTRLEN], line[512], bytes[24] = "-";
	struct http_span l = { "", 0 };
	time_t t = time(NULL);
	struct tm tm;

	if (!s->cfg->access_log)
		return;
	if (t != cached) {
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
		cached = t;
	}
	if (c->io != NULL)
		l = c->io->req.line;
	escape_line(l, line, sizeof(line));
	if (c->res.log_bytes > 0)
		snprintf(bytes, sizeof(bytes), "%llu", c->res.log_bytes);
	printf("%s - - [%s] \"%s\" %d %s\n", peer_host(c, host, sizeof(host)),
	    when, line, c->res.status, bytes);
	if (!s->logged)
		loop_timer_after(s->loop, &s->flusher, 0);
	s->logged = 1;
}
