/*
 * step_msg.c - socketpair, and sendmsg/recvmsg with the ancillary data
 * (passed descriptors) they carry: the steps unix-socket adds.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "step.h"
#include "step_internal.h"
#include "trace.h"

/* 1 socket: socketpair(2), two connected sockets. */
int
step_socketpair(int domain, int type, int protocol, int sv[2])
{
	char call[128], extra[48];
	int rc = socketpair(domain, type, protocol, sv);
	int err = errno;

	snprintf(call, sizeof(call), "socketpair(%s, %s, %d)",
	    addr_family_name(domain), addr_socktype_name(type), protocol);
	if (rc == 0)
		snprintf(extra, sizeof(extra), ", fds %d and %d", sv[0], sv[1]);
	step_narrate(STEP_SOCKET, rc, err, call, rc == 0 ? extra : NULL);
	return rc;
}

/* Describe the ancillary data of msg: ", SCM_RIGHTS fds 5 6". */
static void
cmsg_describe(const struct msghdr *msg, char *buf, size_t size)
{
	const struct cmsghdr *c;
	const unsigned char *data;
	size_t used = 0, i, n;
	int fd;

	buf[0] = '\0';
	if (msg->msg_control == NULL || msg->msg_controllen == 0)
		return;
	for (c = CMSG_FIRSTHDR(msg); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)msg, (struct cmsghdr *)c)) {
		if (used + 48 > size)
			break;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			used += (size_t)snprintf(buf + used, size - used,
			    ", control level %d type %d", c->cmsg_level,
			    c->cmsg_type);
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		used += (size_t)snprintf(buf + used, size - used,
		    ", SCM_RIGHTS fd%s", n == 1 ? "" : "s");
		data = CMSG_DATA(c);
		for (i = 0; i < n && used + 16 < size; i++) {
			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			used += (size_t)snprintf(buf + used, size - used,
			    " %d", fd);
		}
	}
}

/* The bytes an iovec list holds. */
static size_t
iov_total(const struct msghdr *msg)
{
	size_t i, total = 0;

	for (i = 0; i < (size_t)msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return total;
}

/* 7 send: sendmsg(2), never raising SIGPIPE. */
ssize_t
step_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	char call[64], extra[160];
	ssize_t n;
	int err;

	do {
		n = sendmsg(fd, msg, flags | MSG_NOSIGNAL);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "sendmsg(fd=%d, %zu bytes)", fd,
		    iov_total(msg));
		cmsg_describe(msg, extra, sizeof(extra));
		step_narrate(STEP_SEND, (long)n, err, call, extra);
		if (n > 0 && msg->msg_iovlen > 0)
			trace_payload(msg->msg_iov[0].iov_base,
			    (size_t)n < msg->msg_iov[0].iov_len ? (size_t)n :
			    msg->msg_iov[0].iov_len);
	}
	errno = err;
	return n;
}

/* 8 recv: recvmsg(2), with the ancillary data it brought. */
ssize_t
step_recvmsg(int fd, struct msghdr *msg, int flags)
{
	char call[64], extra[200];
	size_t used;
	ssize_t n;
	int err;

	do {
		n = recvmsg(fd, msg, flags);
	} while (step_retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "recvmsg(fd=%d, %zu)", fd,
		    iov_total(msg));
		extra[0] = '\0';
		if (n >= 0)
			cmsg_describe(msg, extra, sizeof(extra));
		used = strlen(extra);
		if (n >= 0 && (msg->msg_flags & MSG_CTRUNC))
			snprintf(extra + used, sizeof(extra) - used,
			    " (MSG_CTRUNC: control data cut short)");
		else if (n == 0)
			snprintf(extra + used, sizeof(extra) - used,
			    " (the peer closed its side)");
		step_narrate(STEP_RECV, (long)n, err, call, extra);
		if (n > 0 && msg->msg_iovlen > 0)
			trace_payload(msg->msg_iov[0].iov_base,
			    (size_t)n < msg->msg_iov[0].iov_len ? (size_t)n :
			    msg->msg_iov[0].iov_len);
	}
	errno = err;
	return n;
}
