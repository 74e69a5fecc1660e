/*
 * dgram.c - datagrams in bulk, and the sequence header udp-sender writes.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dgram.h"
#include "step.h"
#include "trace.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0		/* macOS/BSD: SIGPIPE is ignored instead */
#endif

#ifdef __linux__
/* The message headers one sendmmsg/recvmmsg call takes. */
struct dgram_sys {
	struct mmsghdr *msgs;
	struct iovec *iovs;
};
#endif

/* Allocate a batch of max slots of slot bytes each; 0, or -1 (ENOMEM). */
int
dgram_batch_init(struct dgram_batch *b, size_t max, size_t slot)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
	b->slot = slot;
	b->bufs = malloc(max * slot);
	b->lens = calloc(max, sizeof(*b->lens));
	b->addrs = calloc(max, sizeof(*b->addrs));
	b->addrlens = calloc(max, sizeof(*b->addrlens));
#ifdef __linux__
	{
		struct dgram_sys *sys = calloc(1, sizeof(*sys));

		b->sys = sys;
		if (sys != NULL) {
			sys->msgs = calloc(max, sizeof(*sys->msgs));
			sys->iovs = calloc(max, sizeof(*sys->iovs));
		}
		if (sys == NULL || sys->msgs == NULL || sys->iovs == NULL) {
			free(b->bufs);
			b->bufs = NULL;
		}
	}
#endif
	if (b->bufs == NULL || b->lens == NULL || b->addrs == NULL ||
	    b->addrlens == NULL) {
		dgram_batch_free(b);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Free what dgram_batch_init allocated. */
void
dgram_batch_free(struct dgram_batch *b)
{
#ifdef __linux__
	struct dgram_sys *sys = b->sys;

	if (sys != NULL) {
		free(sys->msgs);
		free(sys->iovs);
		free(sys);
	}
#endif
	free(b->bufs);
	free(b->lens);
	free(b->addrs);
	free(b->addrlens);
	memset(b, 0, sizeof(*b));
}

/* The buffer of slot i. */
char *
dgram_slot(const struct dgram_batch *b, size_t i)
{
	return b->bufs + i * b->slot;
}

/* Send slot i with one narrated sendto(2); its length, or -1. */
static ssize_t
send_one(int fd, struct dgram_batch *b, size_t i, const struct sockaddr *to,
    socklen_t tolen, int connected)
{
	if (to == NULL && !connected) {
		to = (const struct sockaddr *)&b->addrs[i];
		tolen = b->addrlens[i];
	}
	return step_sendto(fd, dgram_slot(b, i), b->lens[i], to, tolen);
}

#ifdef __linux__
/* 7 send: slots from..n-1 in one sendmmsg(2); how many went, or -1. */
static int
send_mmsg(int fd, struct dgram_batch *b, size_t from, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected)
{
	struct dgram_sys *sys = b->sys;
	char call[ADDR_STRLEN + 64], where[ADDR_STRLEN];
	size_t i;
	int rc, err;

	for (i = from; i < n; i++) {
		struct msghdr *m = &sys->msgs[i].msg_hdr;

		sys->iovs[i].iov_base = dgram_slot(b, i);
		sys->iovs[i].iov_len = b->lens[i];
		memset(m, 0, sizeof(*m));
		m->msg_iov = &sys->iovs[i];
		m->msg_iovlen = 1;
		if (to != NULL) {
			m->msg_name = (void *)(uintptr_t)to;
			m->msg_namelen = tolen;
		} else if (!connected) {
			m->msg_name = &b->addrs[i];
			m->msg_namelen = b->addrlens[i];
		}
	}
	do {
		rc = sendmmsg(fd, sys->msgs + from, (unsigned)(n - from),
		    MSG_NOSIGNAL);
	} while (rc < 0 && errno == EINTR && !step_stop);
	err = errno;
	if (rc < 0 && trace_enabled(TRACE_STATUS)) {
		snprintf(call, sizeof(call), "sendmmsg(fd=%d, %zu datagrams, %s)",
		    fd, n - from, to ? addr_format(to, tolen, where,
		    sizeof(where)) : connected ? "connected peer" : "each to "
		    "its sender");
		trace_step(STEP_SEND, 1, "%s = -1 %s (%s)", call,
		    trace_errno_name(err), strerror(err));
	}
	errno = err;
	return rc;
}
#endif

/* 7 send: send the first n slots, all of them; n, or -1 with errno. */
ssize_t
dgram_send_batch(int fd, struct dgram_batch *b, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected)
{
	size_t done = 0;

	while (done < n) {
#ifdef __linux__
		if (!trace_enabled(TRACE_STEPS)) {
			int rc = send_mmsg(fd, b, done, n, to, tolen, connected);

			if (rc < 0)
				return -1;
			done += (size_t)rc;
			continue;
		}
#endif
		if (send_one(fd, b, done, to, tolen, connected) < 0)
			return -1;
		done++;
	}
	return (ssize_t)n;
}

#ifdef __linux__
/* 8 recv: up to want datagrams in one recvmmsg(2); how many, or -1. */
static int
recv_mmsg(int fd, struct dgram_batch *b, size_t want)
{
	struct dgram_sys *sys = b->sys;
	size_t i;
	int rc, err;

	for (i = 0; i < want; i++) {
		struct msghdr *m = &sys->msgs[i].msg_hdr;

		sys->iovs[i].iov_base = dgram_slot(b, i);
		sys->iovs[i].iov_len = b->slot;
		memset(m, 0, sizeof(*m));
		m->msg_iov = &sys->iovs[i];
		m->msg_iovlen = 1;
		m->msg_name = &b->addrs[i];
		m->msg_namelen = sizeof(b->addrs[i]);
	}
	/* MSG_WAITFORONE: block for the first, then take what is queued. */
	do {
		rc = recvmmsg(fd, sys->msgs, (unsigned)want, MSG_WAITFORONE,
		    NULL);
	} while (rc < 0 && errno == EINTR && !step_stop);
	err = errno;
	if (rc < 0 && err != EAGAIN && err != EWOULDBLOCK && err != EINTR)
		trace_step(STEP_RECV, 1, "recvmmsg(fd=%d, %zu) = -1 %s (%s)",
		    fd, want, trace_errno_name(err), strerror(err));
	for (i = 0; rc > 0 && i < (size_t)rc; i++) {
		b->lens[i] = sys->msgs[i].msg_len;
		b->addrlens[i] = sys->msgs[i].msg_hdr.msg_namelen;
	}
	errno = err;
	return rc;
}
#endif

/* 8 recv: wait for one datagram, then take those already queued. */
ssize_t
dgram_recv_batch(int fd, struct dgram_batch *b, size_t want)
{
	ssize_t n;

	if (want > b->max)
		want = b->max;
	if (want == 0)
		want = 1;
#ifdef __linux__
	if (!trace_enabled(TRACE_STEPS)) {
		int rc = recv_mmsg(fd, b, want);

		b->n = rc > 0 ? (size_t)rc : 0;
		return rc;
	}
#endif
	n = step_recvfrom(fd, dgram_slot(b, 0), b->slot, &b->addrs[0],
	    &b->addrlens[0]);
	b->n = n < 0 ? 0 : 1;
	if (n < 0)
		return -1;
	b->lens[0] = (size_t)n;
	return 1;
}

/* Digits in n (at least 1). */
unsigned
dgram_digits(unsigned long n)
{
	unsigned d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/* Write v as exactly width digits, zero-padded, at p. */
static void
put_digits(char *p, unsigned width, unsigned long v)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Write the header "SEQ/TOTAL " into buf; returns its length. */
size_t
dgram_seq_format(char *buf, unsigned width, unsigned long seq,
    unsigned long total)
{
	put_digits(buf, width, seq);
	buf[width] = '/';
	put_digits(buf + width + 1, width, total);
	buf[2 * width + 1] = ' ';
	return 2 * (size_t)width + 2;
}

/* Read decimal digits at *p (at most 10); -1 if there are none. */
static long
get_number(const unsigned char **p, const unsigned char *end)
{
	unsigned long v = 0;
	int digits = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		if (++digits > 10)
			return -1;
		v = v * 10 + (unsigned long)(**p - '0');
		(*p)++;
	}
	if (digits == 0 || v > DGRAM_SEQ_MAX)
		return -1;
	return (long)v;
}

/* Read a "SEQ/TOTAL" header from the start of a datagram: 1, or 0. */
int
dgram_seq_parse(const void *buf, size_t len, unsigned long *seq,
    unsigned long *total)
{
	const unsigned char *p = buf, *end = p + len;
	long s, t;

	s = get_number(&p, end);
	if (s < 1 || p == end || *p++ != '/')
		return 0;
	t = get_number(&p, end);
	if (t < 0 || (p < end && *p != ' ' && *p != '\n'))
		return 0;
	*seq = (unsigned long)s;
	*total = (unsigned long)t;
	return 1;
}
