/*
 * packet.c - Ethernet, IPv4/IPv6 and TCP/UDP headers, by hand (packet.h).
 * Every read is checked against what was captured first; numbers on the
 * wire are big-endian ("network byte order"): ntohs/ntohl turn them into
 * the machine's order.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "packet.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100	/* 802.1Q */
#define ETHERTYPE_QINQ 0x88a8	/* 802.1ad */

/* IPv6 extension headers that may come before TCP or UDP (RFC 8200 4). */
#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_AH 51
#define IP6_DSTOPTS 60

/* A 16-bit big-endian field at p, in the machine's order. */
static unsigned
get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

/* A 32-bit big-endian field at p, in the machine's order. */
static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

/* Stop decoding: say why; -1. */
static int
fail(struct packet *p, const char *why)
{
	p->error = why;
	return -1;
}

/* An address (4 or 16 bytes at a) and a port into ss. Built in a
 * sockaddr_in(6) of its own and copied, so no pointer of one struct type
 * writes into another (C's aliasing rules). */
static void
set_addr(struct sockaddr_storage *ss, int ipver, const unsigned char *a,
    unsigned port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(ss, 0, sizeof(*ss));
	if (ipver == 4) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		memcpy(&sin.sin_addr, a, 4);
		memcpy(ss, &sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		memcpy(&sin6.sin6_addr, a, 16);
		memcpy(ss, &sin6, sizeof(sin6));
	}
}

/* TCP or UDP at b (cap bytes captured, len bytes in the IP payload). */
static int
transport(const unsigned char *b, size_t cap, size_t len, struct packet *p)
{
	size_t hl;

	if (p->proto == IPPROTO_TCP) {
		if (cap < 20 || len < 20)
			return fail(p, "TCP header cut short");
		hl = (size_t)(b[12] >> 4) * 4;	/* data offset, in words */
		if (hl < 20 || hl > len)
			return fail(p, "bad TCP data offset");
		if (hl > cap)
			return fail(p, "TCP options cut short");
		p->seq = get32(b + 4);
		p->ack = get32(b + 8);
		p->flags = b[13];
		p->window = get16(b + 14);
	} else if (p->proto == IPPROTO_UDP) {
		if (cap < 8 || len < 8)
			return fail(p, "UDP header cut short");
		hl = 8;
		/* UDP's own length, when it is not 0 (a jumbogram's) */
		if (get16(b + 4) != 0) {
			if (get16(b + 4) < 8 || get16(b + 4) > len)
				return fail(p, "bad UDP length");
			len = get16(b + 4);
		}
	} else {
		p->payload_len = len;
		return 0;	/* another protocol: its number is enough */
	}
	p->sport = get16(b);
	p->dport = get16(b + 2);
	/* The ports go into the addresses too, as the kernel keeps them. */
	set_addr(&p->src, p->ipver, p->srcaddr, p->sport);
	set_addr(&p->dst, p->ipver, p->dstaddr, p->dport);
	p->payload_len = len - hl;
	p->payload = b + hl;
	p->captured = cap - hl < p->payload_len ? cap - hl : p->payload_len;
	return 0;
}

/* IPv4 at b: cap bytes captured, wire bytes on the wire from here. */
static int
ipv4(const unsigned char *b, size_t cap, size_t wire, struct packet *p)
{
	size_t hl, total;

	if (cap < 20)
		return fail(p, "IPv4 header cut short");
	if (b[0] >> 4 != 4)
		return fail(p, "not IP version 4");
	hl = (size_t)(b[0] & 0x0f) * 4;	/* IHL, in 32-bit words */
	total = get16(b + 2);
	/* A large segment the kernel has not cut up yet (BIG TCP) says 0. */
	if (total == 0)
		total = wire;
	if (hl < 20 || hl > total)
		return fail(p, "bad IPv4 header length");
	if (hl > cap)
		return fail(p, "IPv4 options cut short");
	if (total > wire)
		return fail(p, "IPv4 total length beyond the frame");
	p->ipver = 4;
	p->proto = b[9];
	p->srcaddr = b + 12;
	p->dstaddr = b + 16;
	set_addr(&p->src, 4, p->srcaddr, 0);
	set_addr(&p->dst, 4, p->dstaddr, 0);
	/* A fragment after the first has no TCP/UDP header of its own. */
	if ((get16(b + 6) & 0x1fff) != 0) {
		p->fragment = 1;
		p->payload_len = total - hl;
		return 0;
	}
	return transport(b + hl, cap - hl, total - hl, p);
}

/* IPv6 at b, with its extension headers. */
static int
ipv6(const unsigned char *b, size_t cap, size_t wire, struct packet *p)
{
	size_t off = 40, len, hl;
	int next, n;

	if (cap < 40)
		return fail(p, "IPv6 header cut short");
	if (b[0] >> 4 != 6)
		return fail(p, "not IP version 6");
	len = get16(b + 4);
	if (len == 0 && wire >= 40)	/* a jumbogram, or BIG TCP */
		len = wire - 40;
	if (wire < 40 || len > wire - 40)
		return fail(p, "IPv6 payload length beyond the frame");
	p->ipver = 6;
	next = b[6];
	p->srcaddr = b + 8;
	p->dstaddr = b + 24;
	set_addr(&p->src, 6, p->srcaddr, 0);
	set_addr(&p->dst, 6, p->dstaddr, 0);
	for (n = 0; n < 8; n++) {
		if (next != IP6_HOPOPTS && next != IP6_ROUTING &&
		    next != IP6_DSTOPTS && next != IP6_FRAGMENT &&
		    next != IP6_AH)
			break;
		if (off + 8 > cap || off + 8 > 40 + len)
			return fail(p, "IPv6 extension header cut short");
		hl = next == IP6_FRAGMENT ? 8 : next == IP6_AH ?
		    ((size_t)b[off + 1] + 2) * 4 : ((size_t)b[off + 1] + 1) * 8;
		if (next == IP6_FRAGMENT && (get16(b + off + 2) & 0xfff8) != 0)
			p->fragment = 1;
		next = b[off];
		off += hl;
		if (off > 40 + len)
			return fail(p, "bad IPv6 extension header length");
	}
	p->proto = next;
	if (p->fragment || off > cap) {
		p->payload_len = 40 + len - off;
		return p->fragment ? 0 : fail(p, "IPv6 headers cut short");
	}
	return transport(b + off, cap - off, 40 + len - off, p);
}

/* Decode a frame (see packet.h). */
int
packet_decode(const unsigned char *buf, size_t caplen, size_t wirelen,
    enum packet_link link, struct packet *p)
{
	size_t off = 0;
	int tags;

	memset(p, 0, sizeof(*p));
	if (wirelen < caplen)
		wirelen = caplen;
	if (link == PACKET_LINK_ETHERNET) {
		if (caplen < 14)
			return fail(p, "Ethernet header cut short");
		p->ethertype = get16(buf + 12);
		off = 14;
		/* VLAN tags: the real type follows each 4-byte tag. */
		for (tags = 0; tags < 2 && (p->ethertype == ETHERTYPE_VLAN ||
		    p->ethertype == ETHERTYPE_QINQ); tags++) {
			if (caplen < off + 4)
				return fail(p, "VLAN tag cut short");
			p->ethertype = get16(buf + off + 2);
			off += 4;
		}
		if (p->ethertype != ETHERTYPE_IPV4 &&
		    p->ethertype != ETHERTYPE_IPV6)
			return 0;	/* ARP and others: not IP */
	} else if (caplen < 1) {
		return fail(p, "empty frame");
	} else {
		p->ethertype = buf[0] >> 4 == 6 ? ETHERTYPE_IPV6 :
		    ETHERTYPE_IPV4;
	}
	if (p->ethertype == ETHERTYPE_IPV4)
		return ipv4(buf + off, caplen - off, wirelen - off, p);
	return ipv6(buf + off, caplen - off, wirelen - off, p);
}

/* TCP's flags as "SYN+ACK" into buf. */
char *
packet_flags(unsigned flags, char *buf, size_t size)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ TCPF_SYN, "SYN" }, { TCPF_FIN, "FIN" }, { TCPF_RST, "RST" },
		{ TCPF_PSH, "PSH" }, { TCPF_ACK, "ACK" }, { TCPF_URG, "URG" },
		{ TCPF_ECE, "ECE" }, { TCPF_CWR, "CWR" },
	};
	size_t i, used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((flags & names[i].bit) && used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
			    used ? "+" : "", names[i].name);
	if (used == 0)
		snprintf(buf, size, "none");
	return buf;
}
