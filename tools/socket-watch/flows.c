/*
 * flows.c - relative sequence numbers and the packet lines (flows.h).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "flows.h"
#include "jtrace.h"
#include "trace.h"
#include "watch.h"

/* "12:34:56.789012" for t_us (µs since the epoch), local time: the
 * clock of every line socket-watch prints. */
char *
watch_clock(long long t_us, char *buf, size_t size)
{
	time_t secs = (time_t)(t_us / 1000000);
	struct tm tm;

	localtime_r(&secs, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%06lld", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, t_us % 1000000);
	return buf;
}

/* Directions remembered at once (a power of two). */
#define FLOWS 4096

/* One direction of a connection: from src to dst, first seq seen. */
struct dir {
	unsigned char key[36];	/* source and destination address+port */
	size_t keylen;
	uint32_t base;
};

struct flows {
	struct dir d[FLOWS];
};

struct flows *
flows_new(void)
{
	return calloc(1, sizeof(struct flows));
}

void
flows_free(struct flows *f)
{
	free(f);
}

/* The bytes of an address and port (16 for IPv6, 4 for IPv4, + 2). */
static size_t
addr_bytes(const struct sockaddr_storage *ss, unsigned port, unsigned char *o)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	size_t n;

	if (ss->ss_family == AF_INET6) {
		memcpy(&sin6, ss, sizeof(sin6));
		memcpy(o, &sin6.sin6_addr, 16);
		n = 16;
	} else {
		memcpy(&sin, ss, sizeof(sin));
		memcpy(o, &sin.sin_addr, 4);
		n = 4;
	}
	o[n] = (unsigned char)(port >> 8);
	o[n + 1] = (unsigned char)port;
	return n + 2;
}

/* The slot of the direction a -> b, and its key. */
static struct dir *
slot(struct flows *f, const struct sockaddr_storage *a, unsigned aport,
    const struct sockaddr_storage *b, unsigned bport, unsigned char *key,
    size_t *len)
{
	uint32_t h = 2166136261u;
	size_t i;

	*len = addr_bytes(a, aport, key);
	*len += addr_bytes(b, bport, key + *len);
	for (i = 0; i < *len; i++)
		h = (h ^ key[i]) * 16777619u;
	return &f->d[h & (FLOWS - 1)];
}

/* The sequence numbers of p relative to its directions' first ones. */
void
flows_relative(struct flows *f, const struct packet *p, struct relative *r)
{
	unsigned char key[36], back[36];
	size_t len, blen;
	struct dir *d = slot(f, &p->src, p->sport, &p->dst, p->dport, key,
	    &len);
	struct dir *o = slot(f, &p->dst, p->dport, &p->src, p->sport, back,
	    &blen);

	/* A SYN starts a direction afresh, even on a known four-tuple. */
	if (d->keylen != len || memcmp(d->key, key, len) != 0 ||
	    (p->flags & TCPF_SYN)) {
		memcpy(d->key, key, len);
		d->keylen = len;
		d->base = p->seq;
	}
	r->seq = p->seq - d->base;
	r->ack_known = o->keylen == blen && memcmp(o->key, back, blen) == 0;
	r->ack = r->ack_known ? p->ack - o->base : p->ack;
}

/* Where the segment goes relative to the watched port: "to-port",
 * "from-port", or the kernel's "in"/"out" when no port is watched. */
static const char *
direction(const struct packet *p, unsigned port, const char *dir)
{
	if (port != 0 && p->dport == port)
		return "to-port";
	if (port != 0 && p->sport == port)
		return "from-port";
	return dir;
}

/* The TCP part of a line: "SYN+ACK  seq 0 ack 1 win 65483". */
static void
tcp_part(struct flows *f, const struct packet *p, char *flags, size_t fsize,
    char *buf, size_t size, struct relative *r)
{
	size_t used;

	flows_relative(f, p, r);
	packet_flags(p->flags, flags, fsize);
	if (p->payload_len > 0)
		used = (size_t)snprintf(buf, size, "seq %u:%u", r->seq,
		    r->seq + (uint32_t)p->payload_len);
	else
		used = (size_t)snprintf(buf, size, "seq %u", r->seq);
	if ((p->flags & TCPF_ACK) && used < size)
		used += (size_t)snprintf(buf + used, size - used, " ack %u",
		    r->ack);
	if (used < size)
		snprintf(buf + used, size - used, " win %u", p->window);
}

/* Print p's line and its --trace line. */
void
flows_tell(struct flows *f, const struct packet *p, long long t_us,
    const char *dir, unsigned port, int preview)
{
	char clock[32], src[ADDR_STRLEN], dst[ADDR_STRLEN], flags[48] = "";
	char tcp[96] = "", show[4 * 256 + 16] = "", fields[2400];
	char js[ADDR_STRLEN + 8], jd[ADDR_STRLEN + 8], jp[sizeof(show) + 8];
	struct relative r = { 0, 0, 0 };
	int is_tcp = p->proto == IPPROTO_TCP;

	addr_format((const struct sockaddr *)&p->src, sizeof(p->src), src,
	    sizeof(src));
	addr_format((const struct sockaddr *)&p->dst, sizeof(p->dst), dst,
	    sizeof(dst));
	if (is_tcp)
		tcp_part(f, p, flags, sizeof(flags), tcp, sizeof(tcp), &r);
	if (p->captured > 0 && preview > 0)
		trace_escape(p->payload, p->captured, (size_t)preview, show,
		    sizeof(show));
	printf("%s  %s  %s > %s  %-8s %s%slen %zu%s%s\n", watch_clock(t_us,
	    clock, sizeof(clock)), is_tcp ? "tcp" : "udp", src, dst, flags,
	    tcp, tcp[0] ? " " : "", p->payload_len, show[0] ? " " : "", show);
	if (!jtrace_on())
		return;
	jtrace_string(src, js, sizeof(js));
	jtrace_string(dst, jd, sizeof(jd));
	jtrace_string(show, jp, sizeof(jp));
	snprintf(fields, sizeof(fields), "\"proto\":\"%s\",\"src\":%s,"
	    "\"dst\":%s,\"sport\":%u,\"dport\":%u,\"dir\":\"%s\",\"flags\":"
	    "\"%s\",\"seq\":%u,\"ack\":%u,\"rseq\":%u,\"rack\":%u,\"win\":%u,"
	    "\"len\":%zu,\"preview\":%s", is_tcp ? "tcp" : "udp", js, jd,
	    p->sport, p->dport, direction(p, port, dir), flags, p->seq, p->ack,
	    r.seq, r.ack, p->window, p->payload_len, jp);
	jtrace_fields("packet", t_us, fields);
}
