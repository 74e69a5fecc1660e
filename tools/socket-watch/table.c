/*
 * table.c - the sockets seen so far, in a hash table (see table.h).
 * Entries live in one array, chained per bucket by index; a free list
 * reuses the slots of sockets that went away.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct entry {
	struct diag_sock s;
	uint64_t hash;
	unsigned gen;		/* the dump that last showed it */
	int next;		/* next in its bucket, or in the free list; -1 */
};

struct table {
	struct entry *e;
	int *bucket;		/* first entry of each bucket, or -1 */
	size_t cap, nbuckets, count;
	int free;		/* first free entry, or -1 */
	unsigned gen;		/* the dump being compared */
};

/* The bytes of an address that identify it (no padding), read from a
 * copy of the right struct type. */
static size_t
addr_key(const struct sockaddr_storage *ss, unsigned char *out)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (ss->ss_family == AF_INET) {
		memcpy(&sin, ss, sizeof(sin));
		memcpy(out, &sin.sin_port, 2);
		memcpy(out + 2, &sin.sin_addr, 4);
		return 6;
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(&sin6, ss, sizeof(sin6));
		memcpy(out, &sin6.sin6_port, 2);
		memcpy(out + 2, &sin6.sin6_addr, 16);
		return 18;
	}
	return 0;
}

/* True if the socket has no peer: it is then known by its cookie too. */
static int
unconnected(const struct diag_sock *s)
{
	unsigned char k[18];

	return addr_key(&s->peer, k) > 0 && k[0] == 0 && k[1] == 0;
}

/* The key of s into out (at most 64 bytes); its length. */
static size_t
key_of(const struct diag_sock *s, unsigned char *out)
{
	size_t n = 0;

	out[n++] = (unsigned char)s->family;
	out[n++] = (unsigned char)s->proto;
	if (s->family == AF_UNIX) {
		memcpy(out + n, &s->inode, sizeof(s->inode));
		return n + sizeof(s->inode);
	}
	n += addr_key(&s->local, out + n);
	n += addr_key(&s->peer, out + n);
	if (unconnected(s)) {
		memcpy(out + n, &s->cookie, sizeof(s->cookie));
		n += sizeof(s->cookie);
	}
	return n;
}

/* FNV-1a over the key: quick, and spreads four-tuples well enough. */
static uint64_t
hash_of(const unsigned char *k, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return h;
}

/* A new, empty table, or NULL. */
struct table *
table_new(void)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t != NULL)
		t->free = -1;
	return t;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t->bucket);
	free(t);
}

/* Double the entries and the buckets, rehashing; 0, or -1 (ENOMEM). */
static int
grow(struct table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 256, i;
	struct entry *e = realloc(t->e, cap * sizeof(*e));
	int *b;

	if (e == NULL)
		return -1;
	t->e = e;
	if ((b = malloc(cap * sizeof(*b))) == NULL)
		return -1;
	free(t->bucket);
	t->bucket = b;
	for (i = 0; i < cap; i++)
		b[i] = -1;
	/* Entries in use go back to their buckets; the new slots are free. */
	for (i = 0; i < t->cap; i++) {
		if (e[i].gen == 0)
			continue;	/* on the free list: rebuilt below */
		e[i].next = b[e[i].hash % cap];
		b[e[i].hash % cap] = (int)i;
	}
	t->free = -1;
	for (i = cap; i-- > 0;) {
		if (i < t->cap && e[i].gen != 0)
			continue;
		e[i].gen = 0;
		e[i].next = t->free;
		t->free = (int)i;
	}
	t->cap = t->nbuckets = cap;
	return 0;
}

/* Start comparing a new dump. */
void
table_begin(struct table *t)
{
	/* 0 marks a free entry: skip it when the counter wraps. */
	if (++t->gen == 0)
		t->gen = 1;
}

/* s is in the new dump: its entry (fresh or known), or NULL. */
struct diag_sock *
table_see(struct table *t, const struct diag_sock *s, int *fresh)
{
	unsigned char k[64], k2[64];
	size_t n = key_of(s, k);
	uint64_t h = hash_of(k, n);
	int i;

	*fresh = 0;
	for (i = t->cap ? t->bucket[h % t->nbuckets] : -1; i >= 0;
	    i = t->e[i].next)
		if (t->e[i].hash == h && key_of(&t->e[i].s, k2) == n &&
		    memcmp(k, k2, n) == 0) {
			t->e[i].gen = t->gen;
			return &t->e[i].s;
		}
	if (t->free < 0 && grow(t) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	i = t->free;
	t->free = t->e[i].next;
	t->e[i].s = *s;
	t->e[i].hash = h;
	t->e[i].gen = t->gen;
	t->e[i].next = t->bucket[h % t->nbuckets];
	t->bucket[h % t->nbuckets] = i;
	t->count++;
	*fresh = 1;
	return &t->e[i].s;
}

/* Unlink entry i from its bucket and put it on the free list. */
static void
forget(struct table *t, int i)
{
	int *at = &t->bucket[t->e[i].hash % t->nbuckets];

	while (*at != i)
		at = &t->e[*at].next;
	*at = t->e[i].next;
	t->e[i].gen = 0;
	t->e[i].next = t->free;
	t->free = i;
	t->count--;
}

/* Report and forget the sockets the last dump did not show. */
void
table_sweep(struct table *t, void (*gone)(const struct diag_sock *, void *),
    void *ctx)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		if (t->e[i].gen == 0 || t->e[i].gen == t->gen)
			continue;
		gone(&t->e[i].s, ctx);
		forget(t, (int)i);
	}
}

/* How many sockets the table holds. */
size_t
table_count(const struct table *t)
{
	return t->count;
}
