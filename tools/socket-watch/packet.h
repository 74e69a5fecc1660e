/*
 * packet.h - an Ethernet frame's IPv4/IPv6 and TCP/UDP headers, decoded
 * by hand: every field is read from its offset in the standard's header
 * layout and turned from network byte order with ntohs/ntohl.
 *
 *   Ethernet (IEEE 802.3): dst 6, src 6, [802.1Q tag 4], type 2
 *   IPv4 (RFC 791): version+IHL, ..., total length @2, flags+fragment @6,
 *                   protocol @9, source @12, destination @16, options
 *   IPv6 (RFC 8200): version @0, payload length @4, next header @6,
 *                   source @8, destination @24; extension headers chained
 *   TCP (RFC 9293): ports @0 @2, seq @4, ack @8, data offset @12 (high
 *                   nibble), flags @13, window @14
 *   UDP (RFC 768):  ports @0 @2, length @4
 *
 * A pure function over the captured bytes, so hostile or cut-short frames
 * are tested (tests/unit/test_packet.c) and fuzzed (make fuzz FUZZ=packet).
 */
#ifndef SOCKET_WATCH_PACKET_H
#define SOCKET_WATCH_PACKET_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

/* What the frame starts with. */
enum packet_link {
	PACKET_LINK_ETHERNET,	/* an Ethernet header (also loopback's) */
	PACKET_LINK_IP		/* the IP header itself (tun, ARPHRD_NONE) */
};

/* TCP's flag bits, in the flags byte (RFC 9293 3.1). */
enum {
	TCPF_FIN = 0x01, TCPF_SYN = 0x02, TCPF_RST = 0x04, TCPF_PSH = 0x08,
	TCPF_ACK = 0x10, TCPF_URG = 0x20, TCPF_ECE = 0x40, TCPF_CWR = 0x80
};

struct packet {
	unsigned ethertype;	/* 0x0800, 0x86dd, ... (0 for PACKET_LINK_IP) */
	int ipver;		/* 4 or 6; 0: not IP */
	int proto;		/* IPPROTO_TCP, IPPROTO_UDP, or another */
	int fragment;		/* a later fragment: no transport header */
	struct sockaddr_storage src, dst;	/* with the ports, if any */
	unsigned sport, dport;
	uint32_t seq, ack;	/* TCP, as on the wire */
	unsigned flags;		/* TCP's flags byte */
	unsigned window;	/* TCP's window field (before scaling) */
	size_t payload_len;	/* from the headers' lengths (the whole) */
	const unsigned char *payload;	/* what was captured of it */
	size_t captured;	/* its bytes in the capture */
	const char *error;	/* why decoding stopped, or NULL */
	const unsigned char *srcaddr, *dstaddr;	/* in the frame */
};

/* Decode caplen captured bytes of a frame wirelen bytes long; 0 (p's
 * fields as far as they go: ipver 0 for a frame that is not IP), or -1
 * with p->error saying what is malformed or cut short. */
int packet_decode(const unsigned char *buf, size_t caplen, size_t wirelen,
    enum packet_link link, struct packet *p);

/* TCP's flags as "SYN", "SYN+ACK", "PSH+ACK", "FIN+ACK", "RST"...
 * ("none" for no flag) into buf; returns buf. */
char *packet_flags(unsigned flags, char *buf, size_t size);

#endif
