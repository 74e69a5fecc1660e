/*
 * dgram.c - datagrams in bulk: one narrated sendmmsg/recvmmsg per batch
 * (the sequence header is in dgram_seq.c).
 *
 * The batched calls have the shape of every step (step_internal.h):
 * step_begin, the system call, step_end, so what -v shows is the call
 * that ran: one sendmmsg line for 64 datagrams, not 64 sendto lines.
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
#include "step_internal.h"
#include "trace.h"

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

/* The payload bytes of slots from .. from+n-1. */
size_t
dgram_bytes(const struct dgram_batch *b, size_t from, size_t n)
{
	size_t i, total = 0;

	for (i = from; i < from + n; i++)
		total += b->lens[i];
	return total;
}

/* True when slots i and j hold the same address. */
static int
same_addr(const struct dgram_batch *b, size_t i, size_t j)
{
	return b->addrlens[i] == b->addrlens[j] &&
	    memcmp(&b->addrs[i], &b->addrs[j], b->addrlens[i]) == 0;
}

/* How many different addresses slots from .. from+n-1 hold. */
static size_t
count_addrs(const struct dgram_batch *b, size_t from, size_t n)
{
	size_t i, j, distinct = 0;

	for (i = from; i < from + n; i++) {
		for (j = from; j < i && !same_addr(b, i, j); j++)
			continue;
		if (j == i)
			distinct++;
	}
	return distinct;
}

/* Where the datagrams of a batch came from or went to, for narration. */
char *
dgram_describe(const struct dgram_batch *b, size_t from, size_t n,
    const char *word, char *out, size_t size)
{
	char who[ADDR_STRLEN];
	size_t i, used = 0, addrs;

	out[0] = '\0';
	if (n == 0)
		return out;
	if (n <= DGRAM_NAMED) {
		for (i = from; i < from + n && used < size; i++)
			used += (size_t)snprintf(out + used, size - used,
			    "%s%zu byte%s %s %s", i == from ? ": " : ", ",
			    b->lens[i], b->lens[i] == 1 ? "" : "s", word,
			    addr_format((const struct sockaddr *)&b->addrs[i],
			    b->addrlens[i], who, sizeof(who)));
		return out;
	}
	addrs = count_addrs(b, from, n);
	if (addrs == 1)
		snprintf(out, size, ": %zu bytes, all %s %s",
		    dgram_bytes(b, from, n), word, addr_format(
		    (const struct sockaddr *)&b->addrs[from], b->addrlens[from],
		    who, sizeof(who)));
	else
		snprintf(out, size, ": %zu bytes %s %zu addresses",
		    dgram_bytes(b, from, n), word, addrs);
	return out;
}

/* 7 send: slot i by one narrated sendto(2); 1, or -1 with errno. */
static int
send_one(int fd, struct dgram_batch *b, size_t i, const struct sockaddr *to,
    socklen_t tolen, int connected)
{
	if (to == NULL && !connected) {
		to = (const struct sockaddr *)&b->addrs[i];
		tolen = b->addrlens[i];
	}
	return step_sendto(fd, dgram_slot(b, i), b->lens[i], to, tolen) < 0 ?
	    -1 : 1;
}

#ifdef __linux__
/* At -vv, a preview of each datagram of slots from .. from+n-1. */
static void
batch_payloads(const struct dgram_batch *b, size_t from, size_t n)
{
	size_t i;

	if (!trace_enabled(TRACE_PAYLOAD))
		return;
	for (i = from; i < from + n; i++)
		trace_payload(dgram_slot(b, i), b->lens[i]);
}

/* Point message header i at slot i (and at addr/addrlen, if any). */
static void
point_msg(struct dgram_batch *b, size_t i, size_t len, void *addr,
    socklen_t addrlen)
{
	struct dgram_sys *sys = b->sys;
	struct msghdr *m = &sys->msgs[i].msg_hdr;

	sys->iovs[i].iov_base = dgram_slot(b, i);
	sys->iovs[i].iov_len = len;
	memset(m, 0, sizeof(*m));
	m->msg_iov = &sys->iovs[i];
	m->msg_iovlen = 1;
	m->msg_name = addr;
	m->msg_namelen = addrlen;
}

/* Where a batch goes, for its narration. */
static void
send_extra(const struct dgram_batch *b, size_t from, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected, char *out,
    size_t size)
{
	char where[ADDR_STRLEN];

	if (to != NULL)
		snprintf(out, size, ", to %s", addr_format(to, tolen, where,
		    sizeof(where)));
	else if (connected)
		snprintf(out, size, ", to the connected peer");
	else
		dgram_describe(b, from, n, "to", out, size);
}

/* 7 send: slots from..n-1 in one sendmmsg(2); how many went, or -1. */
static int
send_many(int fd, struct dgram_batch *b, size_t from, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected)
{
	struct dgram_sys *sys = b->sys;
	struct step_call c;
	char extra[ADDR_STRLEN * DGRAM_NAMED + 64] = "";
	size_t i;
	int rc, err;

	for (i = from; i < n; i++)
		point_msg(b, i, b->lens[i], to != NULL ?
		    (void *)(uintptr_t)to : connected ? NULL : &b->addrs[i],
		    to != NULL ? tolen : connected ? 0 : b->addrlens[i]);
	step_begin(&c, STEP_SEND, fd, "sendmmsg(fd=%d, %zu datagrams, %zu "
	    "bytes)", fd, n - from, dgram_bytes(b, from, n - from));
	do {
		rc = sendmmsg(fd, sys->msgs + from, (unsigned)(n - from),
		    MSG_NOSIGNAL);
	} while (step_retry(rc));
	err = errno;
	if (rc > 0 && trace_enabled(TRACE_STEPS))
		send_extra(b, from, (size_t)rc, to, tolen, connected, extra,
		    sizeof(extra));
	step_end(&c, rc, err, extra);
	if (rc > 0)
		batch_payloads(b, from, (size_t)rc);
	return rc;
}
#else
/* 7 send: slots from..n-1, one sendto(2) each; how many went, or -1. */
static int
send_many(int fd, struct dgram_batch *b, size_t from, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected)
{
	size_t i;

	for (i = from; i < n; i++)
		if (send_one(fd, b, i, to, tolen, connected) < 0)
			return i > from ? (int)(i - from) : -1;
	return (int)(n - from);
}
#endif

/* 7 send: send the first n slots, all of them; n, or -1 with errno. */
ssize_t
dgram_send_batch(int fd, struct dgram_batch *b, size_t n,
    const struct sockaddr *to, socklen_t tolen, int connected)
{
	size_t done = 0;
	int rc;

	/* A short sendmmsg is finished by the next call, which reports the
	 * error, if any, of the datagram that stopped it. */
	while (done < n) {
		if (n - done == 1)
			rc = send_one(fd, b, done, to, tolen, connected);
		else
			rc = send_many(fd, b, done, n, to, tolen, connected);
		if (rc < 0)
			return -1;
		done += (size_t)rc;
	}
	return (ssize_t)n;
}

#ifdef __linux__
/* 8 recv: up to want datagrams in one recvmmsg(2); how many, or -1. */
static int
recv_many(int fd, struct dgram_batch *b, size_t want)
{
	struct dgram_sys *sys = b->sys;
	struct step_call c;
	char extra[ADDR_STRLEN * DGRAM_NAMED + 64] = "";
	size_t i;
	int rc, err;

	if (step_stopped())
		return -1;
	for (i = 0; i < want; i++)
		point_msg(b, i, b->slot, &b->addrs[i], sizeof(b->addrs[i]));
	step_begin(&c, STEP_RECV, fd, "recvmmsg(fd=%d, %zu slots)", fd, want);
	/* MSG_WAITFORONE: block for the first, then take what is queued. */
	do {
		rc = recvmmsg(fd, sys->msgs, (unsigned)want, MSG_WAITFORONE,
		    NULL);
	} while (step_retry(rc));
	err = errno;
	for (i = 0; rc > 0 && i < (size_t)rc; i++) {
		b->lens[i] = sys->msgs[i].msg_len;
		b->addrlens[i] = sys->msgs[i].msg_hdr.msg_namelen;
	}
	if (rc > 0 && trace_enabled(TRACE_STEPS))
		dgram_describe(b, 0, (size_t)rc, "from", extra, sizeof(extra));
	step_end(&c, rc, err, extra);
	if (rc > 0)
		batch_payloads(b, 0, (size_t)rc);
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
	if (want > 1) {
		int rc = recv_many(fd, b, want);

		b->n = rc > 0 ? (size_t)rc : 0;
		return rc;
	}
#endif
	/* One datagram at a time: recvfrom, the call lessons/10 teaches. */
	n = step_recvfrom(fd, dgram_slot(b, 0), b->slot, &b->addrs[0],
	    &b->addrlens[0]);
	b->n = n < 0 ? 0 : 1;
	if (n < 0)
		return -1;
	b->lens[0] = (size_t)n;
	return 1;
}
