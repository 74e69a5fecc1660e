/*
 * test_packet.c - socket-watch's pure parts: frames decoded by hand
 * (packet.c), relative sequence numbers (flows.c), sock_diag requests and
 * answers (diag_parse.c) and the table of sockets seen (table.c).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "diag.h"
#include "flows.h"
#include "packet.h"
#include "table.h"
#include "unit.h"

#ifdef __linux__
#include <linux/netlink.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#endif

/* Big-endian 16 and 32 bits at p, as a header on the wire has them. */
static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* An Ethernet + IPv4 + TCP frame into f: flags, seq, ack, payload; tcp
 * options make the header optlen bytes longer. Its length. */
static size_t
tcp4(unsigned char *f, unsigned flags, uint32_t seq, uint32_t ack,
    const char *payload, size_t optlen)
{
	size_t plen = strlen(payload), thl = 20 + optlen;

	memset(f, 0, 14 + 20 + thl + plen);
	put16(f + 12, 0x0800);
	f[14] = 0x45;				/* version 4, IHL 5 */
	put16(f + 16, (unsigned)(20 + thl + plen));	/* total length */
	f[14 + 8] = 64;				/* TTL */
	f[14 + 9] = IPPROTO_TCP;
	put32(f + 14 + 12, 0x7f000001);		/* 127.0.0.1 */
	put32(f + 14 + 16, 0x7f000002);		/* 127.0.0.2 */
	put16(f + 34, 51234);
	put16(f + 36, 7000);
	put32(f + 38, seq);
	put32(f + 42, ack);
	f[46] = (unsigned char)((thl / 4) << 4);	/* data offset */
	f[47] = (unsigned char)flags;
	put16(f + 48, 65495);
	memcpy(f + 34 + thl, payload, plen);
	return 14 + 20 + thl + plen;
}

static void
test_tcp4(void)
{
	unsigned char f[256];
	struct packet p;
	char flags[48], where[64];
	size_t n;

	n = tcp4(f, TCPF_SYN, 1000, 0, "", 20);
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.ipver == 4 && p.proto == IPPROTO_TCP && !p.fragment);
	CHECK(p.sport == 51234 && p.dport == 7000);
	CHECK(p.seq == 1000 && p.window == 65495 && p.payload_len == 0);
	CHECK_STR(packet_flags(p.flags, flags, sizeof(flags)), "SYN");
	addr_format((struct sockaddr *)&p.dst, sizeof(p.dst), where,
	    sizeof(where));
	CHECK_STR(where, "127.0.0.2:7000");
	CHECK(addr_port((struct sockaddr *)&p.src) == 51234);

	n = tcp4(f, TCPF_PSH | TCPF_ACK, 1001, 5001, "hello", 12);
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.payload_len == 5 && p.captured == 5);
	CHECK(memcmp(p.payload, "hello", 5) == 0 && p.ack == 5001);
	CHECK_STR(packet_flags(p.flags, flags, sizeof(flags)), "PSH+ACK");
	/* a capture cut short keeps the headers' lengths */
	CHECK(packet_decode(f, n - 3, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.payload_len == 5 && p.captured == 2);
	/* the same bytes without the Ethernet header */
	CHECK(packet_decode(f + 14, n - 14, n - 14, PACKET_LINK_IP, &p) == 0);
	CHECK(p.payload_len == 5 && p.ipver == 4);
	CHECK_STR(packet_flags(TCPF_SYN | TCPF_ACK, flags, sizeof(flags)),
	    "SYN+ACK");
	CHECK_STR(packet_flags(TCPF_FIN | TCPF_ACK, flags, sizeof(flags)),
	    "FIN+ACK");
	CHECK_STR(packet_flags(TCPF_RST, flags, sizeof(flags)), "RST");
	CHECK_STR(packet_flags(0, flags, sizeof(flags)), "none");
	CHECK_STR(packet_flags(0xff, flags, 8), "SYN+FIN");
}

static void
test_malformed(void)
{
	unsigned char f[256];
	struct packet p;
	size_t n = tcp4(f, TCPF_ACK, 1, 1, "data", 0), i;

	for (i = 0; i < 14 + 20 + 20; i++)	/* every cut inside the headers */
		CHECK(packet_decode(f, i, i, PACKET_LINK_ETHERNET, &p) == -1 &&
		    p.error != NULL);
	f[14] = 0x44;				/* IHL 4: shorter than a header */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	f[14] = 0x4f;				/* IHL 15: beyond the total */
	put16(f + 16, 40);
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	n = tcp4(f, TCPF_ACK, 1, 1, "data", 0);
	f[46] = 0x40;				/* data offset 4 */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	f[46] = 0xf0;				/* data offset 15: beyond */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	n = tcp4(f, TCPF_ACK, 1, 1, "data", 0);
	put16(f + 16, 200);			/* total beyond the frame */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	n = tcp4(f, TCPF_ACK, 1, 1, "data", 0);
	f[14] = 0x65;				/* says IPv6 in an IPv4 frame */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	/* ARP is not IP: decoded as far as the type, no error */
	n = tcp4(f, TCPF_ACK, 1, 1, "", 0);
	put16(f + 12, 0x0806);
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.ipver == 0 && p.ethertype == 0x0806);
	/* a later fragment has no TCP header */
	n = tcp4(f, TCPF_ACK, 1, 1, "data", 0);
	put16(f + 20, 0x0010);
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.fragment && p.sport == 0 && p.payload_len == 24);
	/* BIG TCP: total length 0, the frame's length counts */
	n = tcp4(f, TCPF_ACK, 1, 1, "data", 0);
	put16(f + 16, 0);
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.payload_len == 4);
}

static void
test_vlan_udp_ipv6(void)
{
	unsigned char f[256];
	struct packet p;
	size_t n;

	/* 802.1Q tag, then IPv4 + UDP with 3 payload bytes */
	memset(f, 0, sizeof(f));
	put16(f + 12, 0x8100);
	put16(f + 16, 0x0800);
	f[18] = 0x45;
	put16(f + 20, 20 + 8 + 3);
	f[18 + 9] = IPPROTO_UDP;
	put16(f + 38, 5353);
	put16(f + 40, 9);
	put16(f + 42, 8 + 3);
	memcpy(f + 46, "abc", 3);
	n = 49;
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.proto == IPPROTO_UDP && p.sport == 5353 && p.dport == 9);
	CHECK(p.payload_len == 3 && memcmp(p.payload, "abc", 3) == 0);
	put16(f + 42, 4);			/* UDP length below its header */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);

	/* IPv6 + hop-by-hop options (8 bytes) + TCP with "hi" */
	memset(f, 0, sizeof(f));
	put16(f + 12, 0x86dd);
	f[14] = 0x60;
	put16(f + 18, 8 + 20 + 2);		/* payload length */
	f[20] = 0;				/* next: hop-by-hop */
	f[14 + 8 + 15] = 1;			/* ::1 */
	f[14 + 24 + 15] = 1;
	f[54] = IPPROTO_TCP;			/* hop-by-hop: next TCP, len 0 */
	put16(f + 62, 40000);
	put16(f + 64, 80);
	f[62 + 12] = 0x50;
	f[62 + 13] = TCPF_ACK | TCPF_PSH;
	memcpy(f + 82, "hi", 2);
	n = 84;
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == 0);
	CHECK(p.ipver == 6 && p.proto == IPPROTO_TCP && p.dport == 80);
	CHECK(p.payload_len == 2 && p.src.ss_family == AF_INET6);
	f[55] = 200;				/* extension header too long */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
	f[55] = 0;
	put16(f + 18, 500);			/* payload beyond the frame */
	CHECK(packet_decode(f, n, n, PACKET_LINK_ETHERNET, &p) == -1);
}

static void
test_flows(void)
{
	unsigned char f[256];
	struct packet syn, synack, data;
	struct relative r;
	struct flows *fl = flows_new();
	size_t n;

	n = tcp4(f, TCPF_SYN, 4000000000u, 0, "", 0);
	packet_decode(f, n, n, PACKET_LINK_ETHERNET, &syn);
	flows_relative(fl, &syn, &r);
	CHECK(r.seq == 0 && !r.ack_known);
	/* the answer: the same ends, swapped */
	synack = syn;
	synack.src = syn.dst;
	synack.dst = syn.src;
	synack.sport = syn.dport;
	synack.dport = syn.sport;
	synack.seq = 77;
	synack.ack = 4000000001u;
	synack.flags = TCPF_SYN | TCPF_ACK;
	flows_relative(fl, &synack, &r);
	CHECK(r.seq == 0 && r.ack_known && r.ack == 1);
	/* data from the client: relative seq and ack, across the wrap */
	n = tcp4(f, TCPF_ACK | TCPF_PSH, 4000000001u, 78, "hello", 0);
	packet_decode(f, n, n, PACKET_LINK_ETHERNET, &data);
	data.seq = 4000000001u + 300000000u;	/* wraps past 2^32 */
	flows_relative(fl, &data, &r);
	CHECK(r.seq == 300000001u && r.ack == 1);
	/* a new SYN on the same four-tuple starts afresh */
	syn.seq = 5;
	flows_relative(fl, &syn, &r);
	CHECK(r.seq == 0);
	flows_free(fl);
}

#ifdef __linux__
static int seen_count, seen_state, seen_proto;
static unsigned long seen_rq;
static char seen_name[DIAG_NAME_MAX];
static unsigned long seen_peer;

static void
count(const struct diag_sock *s, void *ctx)
{
	(void)ctx;
	seen_count++;
	seen_state = s->state;
	seen_proto = s->proto;
	seen_rq = s->rq;
	seen_peer = s->peer_inode;
	memcpy(seen_name, s->name, sizeof(seen_name));
}

/* A netlink message of type with body into buf at off; the new offset. */
static size_t
message(unsigned char *buf, size_t off, int type, const void *body,
    size_t len)
{
	struct nlmsghdr h = { 0 };

	h.nlmsg_len = (unsigned)NLMSG_LENGTH(len);
	h.nlmsg_type = (unsigned short)type;
	memcpy(buf + off, &h, sizeof(h));
	memcpy(buf + off + NLMSG_HDRLEN, body, len);
	return off + NLMSG_ALIGN(h.nlmsg_len);
}

static void
test_diag(void)
{
	unsigned char buf[1024], req[256];
	struct inet_diag_msg m;
	struct unix_diag_msg u;
	struct nlmsgerr e;
	struct inet_diag_bc_op ops[5];
	unsigned char ubody[256];
	struct nlattr a;
	uint32_t peer = 4242;
	size_t off = 0, len;
	int done = 0;

	memset(&m, 0, sizeof(m));
	m.idiag_family = AF_INET;
	m.idiag_state = 1;
	m.idiag_rqueue = 12;
	m.id.idiag_sport = htons(7000);
	off = message(buf, off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	off = message(buf, off, SOCK_DIAG_BY_FAMILY, &m, sizeof(m));
	off = message(buf, off, NLMSG_DONE, &(int){ 0 }, sizeof(int));
	CHECK(diag_parse(buf, off, IPPROTO_UDP, &done, count, NULL) == 0);
	CHECK(done && seen_count == 2 && seen_state == 1 && seen_rq == 12);
	CHECK(seen_proto == IPPROTO_UDP);
	/* a message longer than what came: refused, never read past */
	CHECK(diag_parse(buf, 20, IPPROTO_TCP, &done, count, NULL) == -1 &&
	    errno == EBADMSG);
	/* the kernel's error */
	memset(&e, 0, sizeof(e));
	e.error = -EINVAL;
	off = message(buf, 0, NLMSG_ERROR, &e, sizeof(e));
	done = 0;
	CHECK(diag_parse(buf, off, IPPROTO_TCP, &done, count, NULL) == -1 &&
	    errno == EINVAL && done);
	/* a Unix socket with its name and peer attributes */
	memset(&u, 0, sizeof(u));
	u.udiag_family = AF_UNIX;
	u.udiag_type = SOCK_STREAM;
	u.udiag_state = 10;
	memcpy(ubody, &u, sizeof(u));
	len = NLMSG_ALIGN(sizeof(u));
	a.nla_type = UNIX_DIAG_NAME;
	a.nla_len = NLA_HDRLEN + 9;
	memcpy(ubody + len, &a, sizeof(a));
	memcpy(ubody + len + NLA_HDRLEN, "./u.sock", 9);	/* with its NUL */
	len += NLA_ALIGN(a.nla_len);
	a.nla_type = UNIX_DIAG_PEER;
	a.nla_len = NLA_HDRLEN + 4;
	memcpy(ubody + len, &a, sizeof(a));
	memcpy(ubody + len + NLA_HDRLEN, &peer, 4);
	len += NLA_ALIGN(a.nla_len);
	off = message(buf, 0, SOCK_DIAG_BY_FAMILY, ubody, len);
	seen_count = 0;
	CHECK(diag_parse(buf, off, 0, &done, count, NULL) == 0);
	CHECK(seen_count == 1 && seen_state == 10 && seen_peer == 4242);
	CHECK_STR(seen_name, "./u.sock");
	a.nla_len = 200;			/* an attribute beyond its message */
	memcpy(ubody + NLMSG_ALIGN(sizeof(u)), &a, sizeof(a));
	off = message(buf, 0, SOCK_DIAG_BY_FAMILY, ubody, len);
	CHECK(diag_parse(buf, off, 0, &done, count, NULL) == -1);

	/* the request: header, body, then the port filter's five ops */
	len = diag_request(req, sizeof(req), AF_INET, IPPROTO_TCP, 7000, ~0u, 1);
	CHECK(len == NLMSG_LENGTH(sizeof(struct inet_diag_req_v2)) +
	    NLA_HDRLEN + sizeof(ops));
	memcpy(ops, req + len - sizeof(ops), sizeof(ops));
	CHECK(ops[0].code == INET_DIAG_BC_S_EQ && ops[0].yes == 8 &&
	    ops[0].no == 12 && ops[1].no == 7000);
	CHECK(ops[2].code == INET_DIAG_BC_JMP && ops[2].no == 12);
	CHECK(ops[3].code == INET_DIAG_BC_D_EQ && ops[4].no == 7000);
	CHECK(diag_request(req, sizeof(req), AF_UNSPEC, IPPROTO_TCP, 0, ~0u,
	    1) == NLMSG_LENGTH(sizeof(struct inet_diag_req)));
	CHECK(diag_request(req, 16, AF_INET, IPPROTO_TCP, 7000, ~0u, 1) == 0);
}
#endif

/* Sockets a table reports gone. */
static int gone_count;

static void
gone(const struct diag_sock *s, void *ctx)
{
	(void)s;
	(void)ctx;
	gone_count++;
}

/* A TCP socket 0.0.0.0:lport -> peer port pport. */
static struct diag_sock
sock4(unsigned lport, unsigned pport, int state)
{
	struct diag_sock s;
	struct sockaddr_in sin;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.proto = IPPROTO_TCP;
	s.state = state;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)lport);
	memcpy(&s.local, &sin, sizeof(sin));
	sin.sin_port = htons((uint16_t)pport);
	memcpy(&s.peer, &sin, sizeof(sin));
	return s;
}

static void
test_table(void)
{
	struct table *t = table_new();
	struct diag_sock s, *e;
	int fresh, i, all = 1;

	table_begin(t);
	s = sock4(7000, 0, 10);
	CHECK((e = table_see(t, &s, &fresh)) != NULL && fresh);
	s = sock4(7000, 51234, 1);
	CHECK(table_see(t, &s, &fresh) != NULL && fresh);
	table_sweep(t, gone, NULL);
	CHECK(gone_count == 0 && table_count(t) == 2);
	/* the next look: the connection moved on, the listener is gone */
	table_begin(t);
	s = sock4(7000, 51234, 8);
	e = table_see(t, &s, &fresh);
	CHECK(e != NULL && !fresh && e->state == 1);
	table_sweep(t, gone, NULL);
	CHECK(gone_count == 1 && table_count(t) == 1);
	/* two listeners on one address differ by cookie */
	table_begin(t);
	s = sock4(8000, 0, 10);
	s.cookie = 1;
	table_see(t, &s, &fresh);
	s.cookie = 2;
	table_see(t, &s, &fresh);
	CHECK(fresh && table_count(t) == 3);	/* and the connection's */
	/* many: the table grows and finds them all again */
	table_begin(t);
	for (i = 0; i < 5000; i++) {
		s = sock4(7000, (unsigned)(10000 + i), 1);
		table_see(t, &s, &fresh);
	}
	table_begin(t);
	for (i = 0; i < 5000; i++) {
		s = sock4(7000, (unsigned)(10000 + i), 1);
		all = all && table_see(t, &s, &fresh) != NULL && !fresh;
	}
	CHECK(all);
	gone_count = 0;
	table_sweep(t, gone, NULL);
	CHECK(gone_count == 3 && table_count(t) == 5000);
	table_free(t);
}

int
main(void)
{
	unit_quiet();
	test_tcp4();
	test_malformed();
	test_vlan_udp_ipv6();
	test_flows();
#ifdef __linux__
	test_diag();
#endif
	test_table();
	return unit_report("test_packet");
}
