/*
 * step_fast.c - the steps of servers that never block and copy little:
 * accept4, writev, sendfile and splice.
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

/* 5 accept: a non-blocking, close-on-exec connection. */
int
step_accept_nb(int fd, struct sockaddr_storage *peer, socklen_t *len)
{
	char call[64], extra[ADDR_STRLEN + 8], where[ADDR_STRLEN];
	int rc, err;

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
	if (trace_enabled(rc < 0 && !step_not_yet(err) ? TRACE_STATUS :
	    TRACE_STEPS)) {
#ifdef __linux__
		snprintf(call, sizeof(call), "accept4(fd=%d, SOCK_NONBLOCK)", fd);
#else
		snprintf(call, sizeof(call), "accept(fd=%d)", fd);
#endif
		if (rc >= 0)
			snprintf(extra, sizeof(extra), ", peer %s",
			    addr_format((struct sockaddr *)peer, *len, where,
			    sizeof(where)));
		step_narrate(STEP_ACCEPT, rc, err, call, rc >= 0 ? extra : NULL);
	}
	errno = err;
	return rc;
}

/* 7 send: writev(2). */
ssize_t
step_writev(int fd, const struct iovec *iov, int iovcnt)
{
	char call[80];
	size_t total = 0;
	ssize_t n;
	int i, err;

	do {
		n = writev(fd, iov, iovcnt);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 && !step_not_yet(err) ? TRACE_STATUS :
	    TRACE_STEPS)) {
		for (i = 0; i < iovcnt; i++)
			total += iov[i].iov_len;
		snprintf(call, sizeof(call), "writev(fd=%d, %d buffers, %zu)",
		    fd, iovcnt, total);
		step_narrate(STEP_SEND, (long)n, err, call, NULL);
		if (n > 0 && iovcnt > 0)
			trace_payload(iov[0].iov_base, (size_t)n <
			    iov[0].iov_len ? (size_t)n : iov[0].iov_len);
	}
	errno = err;
	return n;
}

/* 7 send: file bytes to a socket, with sendfile(2) where there is one. */
ssize_t
step_sendfile(int sock, int file, off_t *offset, size_t count)
{
	char call[96];
	off_t from = *offset;
	ssize_t n;
	int err;

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
	err = errno;
	if (trace_enabled(n < 0 && !step_not_yet(err) ? TRACE_STATUS :
	    TRACE_STEPS)) {
		snprintf(call, sizeof(call), "sendfile(fd=%d, file=%d, "
		    "offset %lld, %zu)", sock, file, (long long)from, count);
		step_narrate(STEP_SEND, (long)n, err, call, NULL);
	}
	errno = err;
	return n;
}

#ifdef __linux__
/* 7 send / 8 recv: splice(2) between a pipe and another descriptor. */
ssize_t
step_splice(int step, int from, int to, size_t len, unsigned flags)
{
	char call[80];
	ssize_t n;
	int err;

	do {
		n = splice(from, NULL, to, NULL, len, flags);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 && !step_not_yet(err) ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "splice(fd=%d -> fd=%d, %zu)",
		    from, to, len);
		step_narrate(step, (long)n, err, call,
		    n == 0 ? " (the other end closed)" : NULL);
	}
	errno = err;
	return n;
}
#endif
