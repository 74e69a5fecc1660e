/*
 * udp.c - the datagram relay (udp.h): a session per client address, each
 * with an upstream socket connected to the target; datagrams received in
 * batches, impaired, and passed on.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dgram.h"
#include "io.h"
#include "step.h"
#include "trace.h"
#include "udp.h"

/* The bucket of a client address (FNV-1a over its bytes). */
static unsigned
bucket_of(const struct sockaddr_storage *ss, socklen_t len)
{
	const unsigned char *p = (const unsigned char *)ss;
	unsigned h = 2166136261u;
	socklen_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % UDP_BUCKETS;
}

/* The session of a client address, or NULL. */
static struct session *
session_find(struct udp *u, const struct sockaddr_storage *ss, socklen_t len)
{
	struct session *s;

	for (s = u->bucket[bucket_of(ss, len)]; s != NULL; s = s->next)
		if (s->addrlen == len && memcmp(&s->addr, ss, len) == 0)
			return s;
	return NULL;
}

/* Step 9 for a client: close its upstream socket and forget it. */
static void
session_close(struct udp *u, struct session *s)
{
	struct session **p = &u->bucket[bucket_of(&s->addr, s->addrlen)];

	while (*p != s)
		p = &(*p)->next;
	*p = s->next;
	if (u->out.s == s) {
		udp_flush(u);	/* what was gathered for s goes first */
		u->out.s = NULL;
	}
	udp_drop_held(u, s);
	loop_timer_stop(u->r->loop, &s->idle);
	loop_del(u->r->loop, s->fd);
	step_close(s->fd);
	u->r->active--;
	free(s);
}

/* --idle passed without a datagram either way: forget the client (once
 * none of its datagrams wait in a delay queue any more). */
static void
on_idle(struct loop *l, struct loop_timer *t, void *ctx)
{
	struct session *s = ctx;

	if (s->queued > 0) {
		loop_timer_after(l, t, 1000);
		return;
	}
	trace_status("client %s: silent for %g s, forgotten", s->who,
	    s->u->r->opt->idle_ms / 1000.0);
	session_close(s->u, s);
}

static void on_upstream(struct loop *, int, int, void *);

/* Steps 1 and 6 for a new client: a socket connected to the target, so
 * that what comes back on it is this client's. 0, or -1 with errno. */
static int
session_connect(struct udp *u, struct session *s)
{
	const struct addrinfo *ai = u->r->target;
	struct sockaddr_storage local;
	socklen_t len;
	char me[ADDR_STRLEN];
	int err;

	if ((s->fd = step_socket(ai->ai_family, SOCK_DGRAM, 0)) < 0)
		return -1;
	/* Room for the target's bursts of answers (lessons/10). */
	step_setsockopt_int(s->fd, SOL_SOCKET, SO_RCVBUF, UDP_RCVBUF);
	/* A UDP connect sends nothing: it fixes the peer (lessons/10). */
	if (step_connect(s->fd, ai->ai_addr, ai->ai_addrlen, -1) < 0 ||
	    io_nonblock(s->fd, 1) < 0 ||
	    loop_add(u->r->loop, s->fd, LOOP_READ, on_upstream, s) < 0) {
		err = errno;
		step_close(s->fd);
		errno = err;
		return -1;
	}
	addr_local(s->fd, &local, &len, me, sizeof(me));
	trace_status("client %s: relayed to %s from %s", s->who,
	    u->r->target_text, me);
	return 0;
}

/* The session of a new client address, or NULL (told) if there may be
 * no more or its socket cannot be made. */
static struct session *
session_new(struct udp *u, const struct sockaddr_storage *ss, socklen_t len)
{
	struct relay *r = u->r;
	struct session *s;
	char who[ADDR_STRLEN];
	int dir;

	addr_format((const struct sockaddr *)ss, len, who, sizeof(who));
	if (r->active >= r->opt->max_clients) {
		if (!u->full_told)
			trace_error("client %s: over --max-clients %d; its "
			    "datagrams are dropped until a client is "
			    "forgotten", who, r->opt->max_clients);
		u->full_told = 1;
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		trace_error("client %s: %s", who, strerror(errno));
		return NULL;
	}
	s->u = u;
	s->id = ++r->accepted;
	memcpy(&s->addr, ss, len);
	s->addrlen = len;
	memcpy(s->who, who, sizeof(who));
	if (session_connect(u, s) < 0) {
		trace_error("client %s: cannot open a socket to %s: %s (%s)", who,
		    r->target_text, strerror(errno), trace_errno_name(errno));
		free(s);
		return NULL;
	}
	for (dir = 0; dir < 2; dir++)
		prng_seed(&s->rng[dir], r->seed, 2 * (unsigned long long)s->id +
		    (unsigned)dir);
	loop_timer_init(&s->idle, on_idle, s);
	loop_timer_init(&s->hold_timer, udp_on_hold_timer, s);
	s->next = u->bucket[bucket_of(ss, len)];
	u->bucket[bucket_of(ss, len)] = s;
	r->active++;
	u->full_told = 0;
	return s;
}

/* One datagram of s, going dir: --loss, --truncate, --duplicate, then
 * on to --reorder and --delay (udp_queue.c). */
static void
forward(struct udp *u, struct session *s, int dir, const char *data,
    size_t len)
{
	const struct impair *imp = &u->r->opt->imp[dir];
	struct dir_stats *st = &u->r->stats[dir];
	int copies = 1;

	st->in++;
	loop_timer_after(u->r->loop, &s->idle, u->r->opt->idle_ms);
	if (prng_chance(&s->rng[dir], imp->loss)) {
		st->dropped++;
		return;
	}
	if (imp->truncate >= 0 && len > (size_t)imp->truncate) {
		len = (size_t)imp->truncate;
		st->truncated++;
	}
	if (prng_chance(&s->rng[dir], imp->duplicate)) {
		copies = 2;
		st->duplicated++;
	}
	udp_pass(u, s, dir, data, len, copies);
}

/* Step 8: the listening socket has datagrams from clients: pass each on
 * to the target through its client's session. */
static void
on_listener(struct loop *l, int fd, int events, void *ctx)
{
	struct udp *u = ctx;
	struct session *s;
	ssize_t n, i;

	(void)l;
	(void)events;
	n = dgram_recv_batch(fd, &u->in, UDP_BATCH);
	for (i = 0; i < n; i++) {
		s = session_find(u, &u->in.addrs[i], u->in.addrlens[i]);
		if (s == NULL)
			s = session_new(u, &u->in.addrs[i], u->in.addrlens[i]);
		if (s == NULL) {
			u->r->stats[TO_SERVER].in++;
			u->r->stats[TO_SERVER].dropped++;
			continue;
		}
		forward(u, s, TO_SERVER, dgram_slot(&u->in, (size_t)i),
		    u->in.lens[i]);
	}
	udp_flush(u);
}

/* Step 8: a client's upstream socket has the target's answers: pass
 * them back to that client. */
static void
on_upstream(struct loop *l, int fd, int events, void *ctx)
{
	struct session *s = ctx;
	struct udp *u = s->u;
	ssize_t n, i;

	(void)l;
	(void)events;
	n = dgram_recv_batch(fd, &u->in, UDP_BATCH);
	if (n < 0 && !relay_not_yet(errno) && errno != EINTR) {
		/* An ICMP "port unreachable" for an earlier datagram. */
		udp_send_failed(u, s, TO_SERVER, errno);
		return;
	}
	for (i = 0; i < n; i++)
		forward(u, s, TO_CLIENT, dgram_slot(&u->in, (size_t)i),
		    u->in.lens[i]);
	udp_flush(u);
}

/* Watch the socket: from now on the loop relays datagrams. */
int
udp_start(struct relay *r)
{
	struct udp *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return -1;
	u->r = r;
	r->udp = u;
	if (dgram_batch_init(&u->in, UDP_BATCH, DGRAM_SLOT) < 0 ||
	    dgram_batch_init(&u->out.b, UDP_BATCH, DGRAM_SLOT) < 0)
		return -1;
	udp_queue_init(u);
	if (io_nonblock(r->lfd, 1) < 0)
		return -1;
	return loop_add(r->loop, r->lfd, LOOP_READ, on_listener, u);
}

/* Drop what is held back (counted), close every client (on exit). */
void
udp_stop(struct relay *r)
{
	struct udp *u = r->udp;
	int b;

	if (u == NULL)
		return;
	udp_flush(u);
	udp_drop_queues(u);
	for (b = 0; b < UDP_BUCKETS; b++)
		while (u->bucket[b] != NULL)
			session_close(u, u->bucket[b]);
	dgram_batch_free(&u->in);
	dgram_batch_free(&u->out.b);
	free(u);
	r->udp = NULL;
}
