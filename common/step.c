/*
 * step.c - the nine steps of the socket procedure, one traced wrapper each.
 *
 * The wrappers for options (step_opt.c), for descriptors and messages on
 * local sockets (step_msg.c) and for fast non-blocking servers
 * (step_fast.c) live beside it; all share step_begin/step_end below
 * (step_internal.h), so every call is narrated the same way.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "jtrace.h"
#include "step.h"
#include "step_internal.h"
#include "stepper.h"
#include "trace.h"

volatile sig_atomic_t step_stop;

/* A stop already asked for: say EINTR without making the call. */
int
step_stopped(void)
{
	if (!step_stop)
		return 0;
	errno = EINTR;
	return 1;
}

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

/* True when calls are narrated, traced or stepped through. */
int
step_telling(void)
{
	return trace_enabled(TRACE_STATUS) || jtrace_on() || stepper_on();
}

/* Before the system call: write its text, if it will be narrated. */
void
step_begin(struct step_call *c, int step, int fd, const char *fmt, ...)
{
	va_list ap;

	c->step = step;
	c->fd = fd;
	c->label = NULL;
	c->start_us = 0;
	c->told = step_telling();
	c->text[0] = '\0';
	if (!c->told)
		return;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
	/* --step and --trace (stepper.h, jtrace.h): nothing when off. */
	if (stepper_on() && step != STEP_NONE)
		stepper_before(step, c->text);
	if (jtrace_on())
		c->start_us = jtrace_now_us();
}

/* After it: narrate the result; errno is err again afterwards. */
void
step_end(struct step_call *c, long ret, int err, const char *extra)
{
	if (c->told && ret >= 0)
		trace_step(c->step, c->label, 0, "%s = %ld%s", c->text, ret,
		    extra ? extra : "");
	else if (c->told)
		/* "Not yet", or EINTR from a caught Ctrl-C (the way a stop
		 * ends a blocking step), is no failure: told at -v only. */
		trace_step(c->step, c->label, !step_not_yet(err) &&
		    !(err == EINTR && step_stop), "%s = -1 %s (%s)", c->text,
		    trace_errno_name(err), strerror(err));
	if (c->told && jtrace_on())
		jtrace_step(c->step, c->label, c->fd, c->text, c->start_us,
		    ret, err);
	if (c->told && stepper_on() && c->step != STEP_NONE)
		stepper_after(c->step, c->fd, ret);
	errno = err;
}

/* 1 socket: socket(2). */
int
step_socket(int domain, int type, int protocol)
{
	struct step_call c;
	int fd;

	step_begin(&c, STEP_SOCKET, -1, "socket(%s, %s, %d)",
	    addr_family_name(domain), addr_socktype_name(type), protocol);
	fd = socket(domain, type, protocol);
	step_end(&c, fd, errno, NULL);
	return fd;
}

/* 3 bind: bind(2). */
int
step_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct step_call c;
	char where[ADDR_STRLEN];
	int rc;

	step_begin(&c, STEP_BIND, fd, "bind(fd=%d, %s)", fd,
	    addr_format(sa, len, where, sizeof(where)));
	rc = bind(fd, sa, len);
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 4 listen: listen(2). */
int
step_listen(int fd, int backlog)
{
	struct step_call c;
	int rc;

	step_begin(&c, STEP_LISTEN, fd, "listen(fd=%d, %d)", fd, backlog);
	rc = listen(fd, backlog);
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* ", peer ADDR" for a step that learnt its peer's address. */
void
step_peer_extra(const struct sockaddr_storage *ss, socklen_t len, char *buf,
    size_t size)
{
	char where[ADDR_STRLEN];

	snprintf(buf, size, ", peer %s", addr_format((const struct sockaddr *)
	    ss, len, where, sizeof(where)));
}

/* 5 accept: accept(2). */
int
step_accept(int fd, struct sockaddr_storage *peer, socklen_t *len)
{
	struct step_call c;
	struct sockaddr_storage ss;
	socklen_t sslen;
	char extra[ADDR_STRLEN + 8] = "";
	int rc, err;

	if (step_stopped())
		return -1;
	step_begin(&c, STEP_ACCEPT, fd, "accept(fd=%d)", fd);
	do {
		sslen = sizeof(ss);
		rc = accept(fd, (struct sockaddr *)&ss, &sslen);
	} while (step_retry(rc));
	err = errno;
	if (rc >= 0 && c.told)
		step_peer_extra(&ss, sslen, extra, sizeof(extra));
	step_end(&c, rc, err, extra);
	if (rc >= 0 && peer != NULL && len != NULL) {
		memcpy(peer, &ss, sizeof(ss));
		*len = sslen;
	}
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
	struct step_call c;
	char where[ADDR_STRLEN];
	int rc, err, flags = 0;

	addr_format(sa, len, where, sizeof(where));
	if (timeout_ms >= 0)
		step_begin(&c, STEP_CONNECT, fd, "connect(fd=%d, %s, timeout "
		    "%d.%03ds)", fd, where, timeout_ms / 1000, timeout_ms % 1000);
	else
		step_begin(&c, STEP_CONNECT, fd, "connect(fd=%d, %s)", fd,
		    where);
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
	step_end(&c, rc, err, NULL);
	return rc;
}

/* 7 send: send(2), never raising SIGPIPE. */
ssize_t
step_send(int fd, const void *buf, size_t len)
{
	struct step_call c;
	ssize_t n;

	step_begin(&c, STEP_SEND, fd, "send(fd=%d, %zu)", fd, len);
	do {
		n = send(fd, buf, len, MSG_NOSIGNAL);
	} while (step_retry(n));
	step_end(&c, (long)n, errno, NULL);
	if (n > 0)
		trace_payload(buf, (size_t)n);
	return n;
}

/* 7 send: sendto(2), for datagrams. */
ssize_t
step_sendto(int fd, const void *buf, size_t len, const struct sockaddr *to,
    socklen_t tolen)
{
	struct step_call c;
	char where[ADDR_STRLEN] = "connected peer";
	ssize_t n;

	if (to != NULL && step_telling())
		addr_format(to, tolen, where, sizeof(where));
	step_begin(&c, STEP_SEND, fd, "sendto(fd=%d, %zu, %s)", fd, len, where);
	do {
		n = sendto(fd, buf, len, MSG_NOSIGNAL, to, tolen);
	} while (step_retry(n));
	step_end(&c, (long)n, errno, NULL);
	if (n > 0)
		trace_payload(buf, (size_t)n);
	return n;
}

/* 8 recv: recv(2); 0 means the peer closed its sending side. */
ssize_t
step_recv(int fd, void *buf, size_t len)
{
	struct step_call c;
	ssize_t n;

	if (step_stopped())
		return -1;
	step_begin(&c, STEP_RECV, fd, "recv(fd=%d, %zu)", fd, len);
	do {
		n = recv(fd, buf, len, 0);
	} while (step_retry(n));
	step_end(&c, (long)n, errno, n == 0 ? " (the peer closed its side)" :
	    NULL);
	if (n > 0)
		trace_payload(buf, (size_t)n);
	return n;
}

/* 8 recv: recvfrom(2), for datagrams. */
ssize_t
step_recvfrom(int fd, void *buf, size_t len, struct sockaddr_storage *from,
    socklen_t *fromlen)
{
	struct step_call c;
	char extra[ADDR_STRLEN + 8] = "", where[ADDR_STRLEN];
	ssize_t n;
	int err;

	if (step_stopped())
		return -1;
	step_begin(&c, STEP_RECV, fd, "recvfrom(fd=%d, %zu)", fd, len);
	do {
		*fromlen = sizeof(*from);
		n = recvfrom(fd, buf, len, 0, (struct sockaddr *)from, fromlen);
	} while (step_retry(n));
	err = errno;
	if (n >= 0 && c.told)
		snprintf(extra, sizeof(extra), ", from %s", addr_format(
		    (struct sockaddr *)from, *fromlen, where, sizeof(where)));
	step_end(&c, (long)n, err, extra);
	if (n > 0)
		trace_payload(buf, (size_t)n);
	return n;
}

/* 9 close: shutdown(2). */
int
step_shutdown(int fd, int how)
{
	struct step_call c;
	int rc;

	step_begin(&c, STEP_CLOSE, fd, "shutdown(fd=%d, %s)", fd,
	    how == SHUT_RD ? "SHUT_RD" : how == SHUT_WR ? "SHUT_WR" :
	    "SHUT_RDWR");
	rc = shutdown(fd, how);
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 9 close: close(2). */
int
step_close(int fd)
{
	struct step_call c;
	int rc;

	step_begin(&c, STEP_CLOSE, fd, "close(fd=%d)", fd);
	rc = close(fd);
	step_end(&c, rc, errno, NULL);
	return rc;
}
