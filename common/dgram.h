/*
 * dgram.h - datagrams in bulk, and the sequence header udp-sender writes.
 *
 * A batch is an array of datagram slots (buffer, length, peer address).
 * On Linux a whole batch moves in one system call (sendmmsg/recvmmsg,
 * narrated as steps 7 and 8); elsewhere the same calls loop over
 * sendto/recvfrom. At -v and above the batch also goes one datagram per
 * sendto/recvfrom, so the narration shows the calls lessons/10 teaches,
 * one line per datagram. Either way the caller sees the same batch.
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

/* 7 send: send the first n slots (sendmmsg on Linux). to NULL sends each
 * slot to its own address (replies); on a connected socket pass to NULL
 * and connected 1. Returns how many went out (>= 1), or -1 with errno. */
ssize_t dgram_send_batch(int fd, struct dgram_batch *b, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected);

/* 8 recv: wait for one datagram, then take up to want (<= max) that are
 * already queued (recvmmsg with MSG_WAITFORONE on Linux; one recvfrom
 * elsewhere). Sets b->n and returns it, or -1 with errno. A datagram
 * longer than the slot is cut to the slot's size (DGRAM_SLOT never is). */
ssize_t dgram_recv_batch(int fd, struct dgram_batch *b, size_t want);

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
