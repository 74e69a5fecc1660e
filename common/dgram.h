/*
 * dgram.h - datagrams in bulk, and the sequence header udp-sender writes.
 *
 * A batch is an array of datagram slots (buffer, length, peer address).
 * On Linux a batch of several moves in one system call (sendmmsg or
 * recvmmsg, narrated as steps 7 and 8 for what they are:
 * "[7 send] sendmmsg(fd=3, 64 datagrams, 4096 bytes) = 64"); a single
 * datagram goes by sendto/recvfrom, the calls lessons/10 teaches.
 * Elsewhere a batch loops over sendto/recvfrom. Which call runs depends
 * only on how many datagrams are at hand, never on the verbosity: -q,
 * default, -v and -vv make the same system calls. A tool that wants one
 * call per datagram asks for batches of one (--one-by-one).
 *
 * The sequence header starts a numbered datagram: "SEQ/TOTAL " in decimal
 * (leading zeros allowed), e.g. "0000042/1000000 ". udp-receiver --stats
 * reads it to count loss, duplicates and reordering; a learner can type
 * one by hand.
 */
#ifndef SOCKLAB_DGRAM_H
#define SOCKLAB_DGRAM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>

/* The largest UDP payload: 65535 - 8 (UDP header) - 20 (IPv4 header). */
#define DGRAM_MAX_IPV4 65507
/* Over IPv6 the 40-byte header is not counted in the 65535 limit. */
#define DGRAM_MAX_IPV6 65527
/* A receive buffer big enough for any UDP datagram, IPv4 or IPv6. */
#define DGRAM_SLOT 65536
/* The largest sequence number (or total) the header may carry. */
#define DGRAM_SEQ_MAX 1000000000UL

struct dgram_batch {
	size_t max;			/* slots in the batch */
	size_t slot;			/* bytes per slot buffer */
	size_t n;			/* slots in use (after a recv: received) */
	char *bufs;			/* max * slot bytes; slot i at i * slot */
	size_t *lens;			/* payload length of each slot */
	struct sockaddr_storage *addrs;	/* recv: sender; send: destination */
	socklen_t *addrlens;
	void *sys;			/* mmsghdr/iovec arrays on Linux */
};

/* Allocate a batch of max slots of slot bytes each; 0, or -1 (ENOMEM). */
int dgram_batch_init(struct dgram_batch *b, size_t max, size_t slot);
/* Free what dgram_batch_init allocated. */
void dgram_batch_free(struct dgram_batch *b);
/* The buffer of slot i. */
char *dgram_slot(const struct dgram_batch *b, size_t i);

/* 7 send: send the first n slots, all of them: one sendto for a single
 * datagram, sendmmsg for several (on Linux; as often as it takes). to
 * NULL sends each slot to its own address (replies); on a connected
 * socket pass to NULL and connected 1. Returns n, or -1 with errno. */
ssize_t dgram_send_batch(int fd, struct dgram_batch *b, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected);

/* 8 recv: wait for one datagram, then take up to want (<= max) that are
 * already queued (recvmmsg with MSG_WAITFORONE on Linux; one recvfrom
 * when want is 1, and elsewhere). Sets b->n and returns it, or -1 with
 * errno. A datagram longer than the slot is cut to the slot's size
 * (DGRAM_SLOT never is). */
ssize_t dgram_recv_batch(int fd, struct dgram_batch *b, size_t want);

/* Datagrams named one by one in the narration of a batch. */
#define DGRAM_NAMED 4

/* The payload bytes of slots from .. from+n-1. */
size_t dgram_bytes(const struct dgram_batch *b, size_t from, size_t n);

/* Say where the n datagrams of slots from.. came from, or went to (their
 * addresses), for the narration of a batch, into out:
 *   ": 4 bytes from 127.0.0.1:5000, 0 bytes from [::1]:6000"  (n <= 4)
 *   ": 4096 bytes, all from 127.0.0.1:5000"   ": 4096 bytes from 3 senders"
 * word is "from" or "to". Returns out. */
char *dgram_describe(const struct dgram_batch *b, size_t from, size_t n,
    const char *word, char *out, size_t size);

/* The most datagrams one UDP_SEGMENT send may carry (the kernel's limit). */
#define DGRAM_GSO_MAX 64

/* dgram_gso.c: true (and the size in *seg) if slots 0..n-1 can go in one
 * send with UDP generic segmentation offload: at least two, at most
 * DGRAM_GSO_MAX, all of one size but the last (shorter, not empty), at
 * most DGRAM_MAX_IPV4 bytes in all, on Linux. */
int dgram_gso_fits(const struct dgram_batch *b, size_t n, size_t *seg);
#ifdef __linux__
/* dgram_gso.c: 7 send: slots 0..n-1, which dgram_gso_fits, in one
 * sendmsg(2) with UDP_SEGMENT seg: the kernel cuts them apart, the
 * receiver gets n datagrams. to NULL on a connected socket. Where the
 * kernel cannot, they go by dgram_send_batch. n, or -1 with errno. */
ssize_t dgram_send_gso(int fd, struct dgram_batch *b, size_t n, size_t seg,
    const struct sockaddr *to, socklen_t tolen);
#endif

/* Write the header "SEQ/TOTAL " into buf, numbers zero-padded to width
 * digits; returns its length (2 * width + 2). */
size_t dgram_seq_format(char *buf, unsigned width, unsigned long seq,
    unsigned long total);

/* Read a header from the start of a datagram: 1 with *seq and *total set
 * (seq 1..DGRAM_SEQ_MAX, total 0..DGRAM_SEQ_MAX), or 0 if it has none.
 * The numbers end at a space, a newline or the end of the datagram. */
int dgram_seq_parse(const void *buf, size_t len, unsigned long *seq,
    unsigned long *total);

/* Digits in n (at least 1): the width of a header for totals up to n. */
unsigned dgram_digits(unsigned long n);

#endif
