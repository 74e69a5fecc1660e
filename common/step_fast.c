/*
 * step_fast.c - the steps of servers that never block and copy little:
 * accept4, a connect that does not wait, writev, sendfile and splice.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "step.h"
#include "step_internal.h"
#include "trace.h"

/* 5 accept: a non-blocking, close-on-exec connection. EAGAIN only
 * means the queue is empty: narrated at -v, like every "not yet". */
int
step_accept_nb(int fd, struct sockaddr_storage *peer, socklen_t *len)
{
	struct step_call c;
	char extra[ADDR_STRLEN + 8] = "";
	int rc, err;

#ifdef __linux__
	step_begin(&c, STEP_ACCEPT, fd, "accept4(fd=%d, SOCK_NONBLOCK)", fd);
#else
	step_begin(&c, STEP_ACCEPT, fd, "accept(fd=%d)", fd);
#endif
	do {
		*len = sizeof(*peer);
#ifdef __linux__
		rc = accept4(fd, (struct sockaddr *)peer, len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
		rc = accept(fd, (struct sockaddr *)peer, len);
		if (rc >= 0) {
			fcntl(rc, F_SETFL, fcntl(rc, F_GETFL) | O_NONBLOCK);
			fcntl(rc, F_SETFD, FD_CLOEXEC);
		}
#endif
	} while (step_retry(rc));
	err = errno;
	if (rc >= 0 && c.told)
		step_peer_extra(peer, *len, extra, sizeof(extra));
	step_end(&c, rc, err, extra);
	return rc;
}

/* 6 connect: start a connect on a non-blocking socket. An interrupted
 * one goes on in the background just the same, so EINTR is EINPROGRESS. */
int
step_connect_nb(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct step_call c;
	char where[ADDR_STRLEN] = "";
	int rc, err;

	if (step_telling())
		addr_format(sa, len, where, sizeof(where));
	step_begin(&c, STEP_CONNECT, fd, "connect(fd=%d, %s, non-blocking)",
	    fd, where);
	rc = connect(fd, sa, len);
	err = rc < 0 && errno == EINTR ? EINPROGRESS : errno;
	step_end(&c, rc, err, NULL);
	return rc;
}

/* 7 send: writev(2). */
ssize_t
step_writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct step_call c;
	size_t total = 0;
	ssize_t n;
	int i;

	if (step_telling())
		for (i = 0; i < iovcnt; i++)
			total += iov[i].iov_len;
	step_begin(&c, STEP_SEND, fd, "writev(fd=%d, %d buffers, %zu)", fd,
	    iovcnt, total);
	do {
		n = writev(fd, iov, iovcnt);
	} while (step_retry(n));
	step_end(&c, (long)n, errno, NULL);
	if (n > 0 && iovcnt > 0)
		trace_payload(iov[0].iov_base, (size_t)n < iov[0].iov_len ?
		    (size_t)n : iov[0].iov_len);
	return n;
}

/* 7 send: file bytes to a socket, with sendfile(2) where there is one. */
ssize_t
step_sendfile(int sock, int file, off_t *offset, size_t count)
{
	struct step_call c;
	ssize_t n;

	step_begin(&c, STEP_SEND, sock, "sendfile(fd=%d, file=%d, offset %lld, "
	    "%zu)", sock, file, (long long)*offset, count);
#ifdef __linux__
	do {
		n = sendfile(sock, file, offset, count);
	} while (step_retry(n));
#else
	char buf[64 * 1024];

	if (count > sizeof(buf))
		count = sizeof(buf);
	n = pread(file, buf, count, *offset);
	if (n > 0) {
		do {
			n = send(sock, buf, (size_t)n, MSG_NOSIGNAL);
		} while (step_retry(n));
		if (n > 0)
			*offset += n;
	}
#endif
	step_end(&c, (long)n, errno, NULL);
	return n;
}

#ifdef __linux__
/* 7 send / 8 recv: splice(2) between a pipe and another descriptor. */
ssize_t
step_splice(int step, int from, int to, size_t len, unsigned flags)
{
	struct step_call c;
	ssize_t n;

	step_begin(&c, step, step == STEP_RECV ? from : to,
	    "splice(fd=%d -> fd=%d, %zu)", from, to, len);
	do {
		n = splice(from, NULL, to, NULL, len, flags);
	} while (step_retry(n));
	step_end(&c, (long)n, errno, n != 0 ? NULL : step == STEP_RECV ?
	    " (the peer closed)" : " (end of input)");
	return n;
}
#endif
