/*
 * dgram_gso.c - datagrams of one size in one send: UDP generic
 * segmentation offload (UDP_SEGMENT, Linux 4.18 and later).
 *
 * sendmmsg(2) saves system calls, but the kernel still builds, routes and
 * delivers every datagram on its own. With UDP_SEGMENT, one sendmsg(2)
 * hands the kernel the datagrams end to end and their size: they travel
 * as one packet as far as they can and are cut apart at the last moment
 * (on loopback: as they are queued at the receiving socket). The receiver
 * sees ordinary datagrams, one per recvfrom, boundaries intact; only the
 * sender's cost changes.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dgram.h"
#include "step.h"
#include "step_internal.h"
#include "trace.h"

#if defined(__linux__)
#include <netinet/udp.h>
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103		/* linux/udp.h: older C libraries lack it */
#endif

/* 1 while the kernel has not said it cannot (EINVAL, EIO, ENOPROTOOPT). */
static int gso_works = 1;
#endif

/* True if slots 0..n-1 can go in one UDP_SEGMENT send: two or more, at
 * most DGRAM_GSO_MAX, every one *seg bytes but the last (which may be
 * shorter, not empty), DGRAM_MAX_IPV4 bytes in all. */
int
dgram_gso_fits(const struct dgram_batch *b, size_t n, size_t *seg)
{
#if defined(__linux__)
	size_t i;

	if (!gso_works || n < 2 || n > DGRAM_GSO_MAX || b->lens[0] == 0 ||
	    dgram_bytes(b, 0, n) > DGRAM_MAX_IPV4)
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (b->lens[i] != b->lens[0])
			return 0;
	if (b->lens[n - 1] == 0 || b->lens[n - 1] > b->lens[0])
		return 0;
	*seg = b->lens[0];
	return 1;
#else
	(void)b;
	(void)n;
	(void)seg;
	return 0;	/* no UDP_SEGMENT here: dgram_send_batch it is */
#endif
}

#if defined(__linux__)
/* 7 send: slots 0..n-1 (dgram_gso_fits) in one sendmsg(2) with
 * UDP_SEGMENT; if the kernel cannot, by dgram_send_batch. n, or -1. */
ssize_t
dgram_send_gso(int fd, struct dgram_batch *b, size_t n, size_t seg,
    const struct sockaddr *to, socklen_t tolen)
{
	struct iovec iov[DGRAM_GSO_MAX];
	char control[CMSG_SPACE(sizeof(uint16_t))], where[ADDR_STRLEN] = "";
	char extra[ADDR_STRLEN + 32] = "";
	struct msghdr m;
	struct cmsghdr *cm;
	struct step_call c;
	uint16_t size = (uint16_t)seg;
	size_t i;
	ssize_t rc;
	int err;

	/* The slots are the buffer: the kernel reads them end to end. */
	for (i = 0; i < n; i++) {
		iov[i].iov_base = dgram_slot(b, i);
		iov[i].iov_len = b->lens[i];
	}
	memset(&m, 0, sizeof(m));
	memset(control, 0, sizeof(control));
	m.msg_name = (void *)(uintptr_t)to;
	m.msg_namelen = to != NULL ? tolen : 0;
	m.msg_iov = iov;
	m.msg_iovlen = n;
	m.msg_control = control;
	m.msg_controllen = sizeof(control);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(size));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));
	step_begin(&c, STEP_SEND, fd, "sendmsg(fd=%d, %zu datagrams of %zu "
	    "bytes in one buffer, UDP_SEGMENT %zu)", fd, n, seg, seg);
	do {
		rc = sendmsg(fd, &m, MSG_NOSIGNAL);
	} while (step_retry(rc));
	err = errno;
	if (rc >= 0 && trace_enabled(TRACE_STEPS))
		snprintf(extra, sizeof(extra), ", to %s", to != NULL ?
		    addr_format(to, tolen, where, sizeof(where)) :
		    "the connected peer");
	step_end(&c, (long)rc, err, extra);
	if (rc < 0 && (err == EINVAL || err == EIO || err == ENOPROTOOPT)) {
		/* An old kernel, or a route that cannot: never again. */
		gso_works = 0;
		return dgram_send_batch(fd, b, n, to, tolen, to == NULL);
	}
	errno = err;
	return rc < 0 ? -1 : (ssize_t)n;
}
#endif
