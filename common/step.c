/*
 * step.c - the nine steps of the socket procedure, one traced wrapper each.
 *
 * The wrappers for options (step_opt.c), for descriptors and messages on
 * local sockets (step_msg.c) and for fast non-blocking servers
 * (step_fast.c) live beside it; all share the narration in step_internal.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "step.h"
#include "step_internal.h"
#include "trace.h"

volatile sig_atomic_t step_stop;

/* Retry an interrupted call, unless a signal handler asked us to stop. */
int
step_retry(long ret)
{
	return ret < 0 && errno == EINTR && !step_stop;
}

/* Errors that only mean "not yet" on a non-blocking socket. */
int
step_not_yet(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS;
}

/* Narrate "call = ret" or "call = -1 ENAME (message)" for a step. */
void
step_narrate(int step, long ret, int err, const char *call, const char *extra)
{
	if (ret >= 0)
		trace_step(step, 0, "%s = %ld%s", call, ret, extra ? extra : "");
	else
		trace_step(step, !step_not_yet(err), "%s = -1 %s (%s)", call,
		    trace_errno_name(err), strerror(err));
	errno = err;
}

/* 1 socket: socket(2). */
int
step_socket(int domain, int type, int protocol)
{
	char call[128];
	int fd = socket(domain, type, protocol);
	int err = errno;

	if (trace_enabled(TRACE_STATUS)) {
		snprintf(call, sizeof(call), "socket(%s, %s, %d)",
		    addr_family_name(domain), addr_socktype_name(type),
		    protocol);
		step_narrate(STEP_SOCKET, fd, err, call, NULL);
	}
	errno = err;
	return fd;
}

/* 3 bind: bind(2). */
int
step_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	char call[ADDR_STRLEN + 32], where[ADDR_STRLEN];
	int rc = bind(fd, sa, len);
	int err = errno;

	snprintf(call, sizeof(call), "bind(fd=%d, %s)", fd,
	    addr_format(sa, len, where, sizeof(where)));
	step_narrate(STEP_BIND, rc, err, call, NULL);
	return rc;
}

/* After bind or connect: getsockname(2), the local address the kernel gave. */
int
step_getsockname(int fd, struct sockaddr_storage *ss, socklen_t *len,
    char *buf, size_t size)
{
	int rc, err;

	*len = sizeof(*ss);
	rc = getsockname(fd, (struct sockaddr *)ss, len);
	err = errno;
	if (rc == 0)
		addr_format((struct sockaddr *)ss, *len, buf, size);
	else if (size > 0)
		buf[0] = '\0';
	if (rc == 0)
		trace_event("getsockname", "getsockname(fd=%d) = %s", fd, buf);
	else
		trace_event("getsockname", "getsockname(fd=%d) = -1 %s", fd,
		    trace_errno_name(err));
	errno = err;
	return rc;
}

/* 4 listen: listen(2). */
int
step_listen(int fd, int backlog)
{
	char call[64];
	int rc = listen(fd, backlog);
	int err = errno;

	snprintf(call, sizeof(call), "listen(fd=%d, %d)", fd, backlog);
	step_narrate(STEP_LISTEN, rc, err, call, NULL);
	return rc;
}

/* 5 accept: accept(2). */
int
step_accept(int fd, struct sockaddr_storage *peer, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char call[64], extra[ADDR_STRLEN + 8], where[ADDR_STRLEN];
	int rc, err;

	do {
		sslen = sizeof(ss);
		rc = accept(fd, (struct sockaddr *)&ss, &sslen);
	} while (step_retry(rc));
	err = errno;
	snprintf(call, sizeof(call), "accept(fd=%d)", fd);
	if (rc >= 0)
		snprintf(extra, sizeof(extra), ", peer %s",
		    addr_format((struct sockaddr *)&ss, sslen, where,
		    sizeof(where)));
	step_narrate(STEP_ACCEPT, rc, err, call, rc >= 0 ? extra : NULL);
	if (rc >= 0 && peer != NULL && len != NULL) {
		memcpy(peer, &ss, sizeof(ss));
		*len = sslen;
	}
	errno = err;
	return rc;
}

/* Wait for a non-blocking connect to finish; 0, or -1 with errno set. */
static int
connect_wait(int fd, int timeout_ms)
{
	struct pollfd pfd;
	int rc, soerr = 0;
	socklen_t len = sizeof(soerr);

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		rc = poll(&pfd, 1, timeout_ms);
	} while (step_retry(rc));
	if (rc < 0)
		return -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	/* The handshake's outcome is kept in SO_ERROR. */
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* 6 connect: connect(2), blocking or with a timeout. */
int
step_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	char call[ADDR_STRLEN + 48], where[ADDR_STRLEN];
	int rc, err, flags = 0;

	if (timeout_ms >= 0) {
		flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	}
	rc = connect(fd, sa, len);
	/* An interrupted connect goes on in the background: wait for it. */
	if (rc < 0 && (errno == EINPROGRESS || errno == EINTR))
		rc = connect_wait(fd, timeout_ms);
	err = errno;
	if (timeout_ms >= 0)
		fcntl(fd, F_SETFL, flags);
	addr_format(sa, len, where, sizeof(where));
	if (timeout_ms >= 0)
		snprintf(call, sizeof(call), "connect(fd=%d, %s, timeout %d.%03ds)",
		    fd, where, timeout_ms / 1000, timeout_ms % 1000);
	else
		snprintf(call, sizeof(call), "connect(fd=%d, %s)", fd, where);
	step_narrate(STEP_CONNECT, rc, err, call, NULL);
	return rc;
}

/* 7 send: send(2), never raising SIGPIPE. */
ssize_t
step_send(int fd, const void *buf, size_t len)
{
	char call[64];
	ssize_t n;
	int err;

	do {
		n = send(fd, buf, len, MSG_NOSIGNAL);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "send(fd=%d, %zu)", fd, len);
		step_narrate(STEP_SEND, (long)n, err, call, NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 7 send: sendto(2), for datagrams. */
ssize_t
step_sendto(int fd, const void *buf, size_t len, const struct sockaddr *to,
    socklen_t tolen)
{
	char call[ADDR_STRLEN + 48], where[ADDR_STRLEN];
	ssize_t n;
	int err;

	do {
		n = sendto(fd, buf, len, MSG_NOSIGNAL, to, tolen);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "sendto(fd=%d, %zu, %s)", fd, len,
		    to ? addr_format(to, tolen, where, sizeof(where)) :
		    "connected peer");
		step_narrate(STEP_SEND, (long)n, err, call, NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 8 recv: recv(2); 0 means the peer closed its sending side. */
ssize_t
step_recv(int fd, void *buf, size_t len)
{
	char call[64];
	ssize_t n;
	int err;

	do {
		n = recv(fd, buf, len, 0);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "recv(fd=%d, %zu)", fd, len);
		step_narrate(STEP_RECV, (long)n, err, call,
		    n == 0 ? " (the peer closed its side)" : NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 8 recv: recvfrom(2), for datagrams. */
ssize_t
step_recvfrom(int fd, void *buf, size_t len, struct sockaddr_storage *from,
    socklen_t *fromlen)
{
	char call[64], extra[ADDR_STRLEN + 8], where[ADDR_STRLEN];
	ssize_t n;
	int err;

	do {
		*fromlen = sizeof(*from);
		n = recvfrom(fd, buf, len, 0, (struct sockaddr *)from,
		    fromlen);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "recvfrom(fd=%d, %zu)", fd, len);
		if (n >= 0)
			snprintf(extra, sizeof(extra), ", from %s",
			    addr_format((struct sockaddr *)from, *fromlen,
			    where, sizeof(where)));
		step_narrate(STEP_RECV, (long)n, err, call, n >= 0 ? extra : NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 9 close: shutdown(2). */
int
step_shutdown(int fd, int how)
{
	char call[64];
	int rc = shutdown(fd, how);
	int err = errno;

	snprintf(call, sizeof(call), "shutdown(fd=%d, %s)", fd,
	    how == SHUT_RD ? "SHUT_RD" : how == SHUT_WR ? "SHUT_WR" :
	    "SHUT_RDWR");
	step_narrate(STEP_CLOSE, rc, err, call, NULL);
	return rc;
}

/* 9 close: close(2). */
int
step_close(int fd)
{
	char call[64];
	int rc = close(fd);
	int err = errno;

	snprintf(call, sizeof(call), "close(fd=%d)", fd);
	step_narrate(STEP_CLOSE, rc, err, call, NULL);
	return rc;
}

/* Make fd non-blocking (1) or blocking (0). */
int
step_nonblock(int fd, int on)
{
	int flags = fcntl(fd, F_GETFL);
	int rc;

	if (flags < 0)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	rc = fcntl(fd, F_SETFL, flags);
	trace_event("fcntl", "fcntl(fd=%d, F_SETFL, %sO_NONBLOCK) = %d", fd,
	    on ? "" : "~", rc);
	return rc;
}
