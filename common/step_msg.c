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
	struct step_call c;
	char extra[48] = "";
	int rc, err;

	step_begin(&c, STEP_SOCKET, -1, "socketpair(%s, %s, %d)",
	    addr_family_name(domain), addr_socktype_name(type), protocol);
	rc = socketpair(domain, type, protocol, sv);
	err = errno;
	if (rc == 0)
		snprintf(extra, sizeof(extra), ", fds %d and %d", sv[0], sv[1]);
	step_end(&c, rc, err, extra);
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

/* At -vv, a preview of what the first buffer of msg carried. */
static void
msg_payload(const struct msghdr *msg, ssize_t n)
{
	if (n > 0 && msg->msg_iovlen > 0)
		trace_payload(msg->msg_iov[0].iov_base, (size_t)n <
		    msg->msg_iov[0].iov_len ? (size_t)n :
		    msg->msg_iov[0].iov_len);
}

/* 7 send: sendmsg(2), never raising SIGPIPE. */
ssize_t
step_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct step_call c;
	char extra[160] = "";
	ssize_t n;

	if (step_telling())
		cmsg_describe(msg, extra, sizeof(extra));
	step_begin(&c, STEP_SEND, fd, "sendmsg(fd=%d, %zu bytes)", fd,
	    iov_total(msg));
	do {
		n = sendmsg(fd, msg, flags | MSG_NOSIGNAL);
	} while (step_retry(n));
	step_end(&c, (long)n, errno, extra);
	msg_payload(msg, n);
	return n;
}

/* 8 recv: recvmsg(2), with the ancillary data it brought. */
ssize_t
step_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct step_call c;
	char extra[200] = "";
	size_t used;
	ssize_t n;
	int err;

	if (step_stopped())
		return -1;
	step_begin(&c, STEP_RECV, fd, "recvmsg(fd=%d, %zu)", fd,
	    iov_total(msg));
	do {
		n = recvmsg(fd, msg, flags);
	} while (step_retry(n));
	err = errno;
	if (n >= 0 && c.told) {
		cmsg_describe(msg, extra, sizeof(extra));
		used = strlen(extra);
		if (msg->msg_flags & MSG_CTRUNC)
			snprintf(extra + used, sizeof(extra) - used,
			    " (MSG_CTRUNC: control data cut short)");
		else if (n == 0)
			snprintf(extra + used, sizeof(extra) - used,
			    " (the peer closed its side)");
	}
	step_end(&c, (long)n, err, extra);
	msg_payload(msg, n);
	return n;
}
