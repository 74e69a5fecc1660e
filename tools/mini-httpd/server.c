/*
 * server.c - the event loop: accept new connections, hand ready sockets
 * to their state machines (conn.c), expire deadlines, write the log.
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

#include "conn.h"
#include "loop.h"
#include "step.h"
#include "trace.h"

/* Connections accepted per wake-up, so that accepting cannot starve the
 * connections already open. */
#define ACCEPT_BATCH 64

/* Milliseconds on the monotonic clock (never jumps with the wall clock). */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	if (loop_add(s->loop, lfd, LOOP_READ, NULL) < 0)
		return -1;
	s->accepting = 1;
	s->now = now_ms();
	return 0;
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
	if (s->accepting && loop_mod(s->loop, s->lfd, 0, NULL) == 0)
		s->accepting = 0;
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
			    errno == ENOBUFS || errno == ENOMEM)
				pause_accepting(s);
			if (errno == ECONNABORTED)
				continue;
			return;
		}
		conn_accept(s, fd, (struct sockaddr *)&peer, len);
	}
}

/* Expire the connections whose deadline has passed. */
static void
sweep(struct server *s)
{
	int i;

	for (i = 0; i < s->high; i++)
		if (s->conns[i].state != C_FREE &&
		    s->conns[i].deadline <= s->now)
			conn_timeout(s, &s->conns[i]);
	if (!s->accepting && (s->free_conns != NULL || s->high < s->nslots) &&
	    loop_mod(s->loop, s->lfd, LOOP_READ, NULL) == 0)
		s->accepting = 1;
}

/* Serve until *stop is set. */
int
server_run(struct server *s, volatile sig_atomic_t *stop)
{
	struct loop_event ev[256];
	int n, i, tick;
	long long next_sweep;

	/* Check deadlines a few times per shortest timeout, at most 1/s. */
	tick = s->cfg->idle_ms < s->cfg->head_ms ? s->cfg->idle_ms :
	    s->cfg->head_ms;
	tick = tick / 4 < 10 ? 10 : tick / 4 > 1000 ? 1000 : tick / 4;
	next_sweep = s->now + tick;
	while (!*stop) {
		n = loop_wait(s->loop, ev, 256, tick);
		if (n < 0 && errno != EINTR)
			return -1;
		s->now = now_ms();
		for (i = 0; i < n; i++) {
			if (ev[i].data == NULL)
				accept_all(s);
			else
				conn_event(s, ev[i].data, ev[i].events);
		}
		if (s->now >= next_sweep) {
			sweep(s);
			next_sweep = s->now + tick;
		}
		if (s->logged) {
			fflush(stdout);
			s->logged = 0;
		}
	}
	return 0;
}

/* Close every connection and free the slots, pools and loop. */
void
server_free(struct server *s)
{
	void *obj;
	int i;

	for (i = 0; i < s->high; i++)
		if (s->conns[i].state != C_FREE)
			conn_close(s, &s->conns[i]);
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
	s->logged = 1;
}
