/*
 * fdpass.c - passing an open descriptor to another process with
 * SCM_RIGHTS: the kernel installs a new descriptor in the receiver that
 * refers to the same open file, offset and all.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "step.h"
#include "unix-socket.h"

/* Control-message room for one descriptor, aligned as cmsghdr needs. */
union fd_control {
	struct cmsghdr hdr;
	char buf[CMSG_SPACE(sizeof(int))];
};

/* Pass fd over sock with SCM_RIGHTS; 0, or -1 with errno. */
int
us_send_fd(int sock, int fd, const char *label)
{
	union fd_control control;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;

	/* A stream socket carries ancillary data only alongside real bytes:
	 * the label is the message the descriptor travels with. */
	iov.iov_base = (char *)label;	/* sendmsg only reads it */
	iov.iov_len = strlen(label);
	memset(&msg, 0, sizeof(msg));
	memset(&control, 0, sizeof(control));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return step_sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

/* Receive one descriptor from sock; the descriptor, or -1 with errno. */
int
us_recv_fd(int sock, char *label, size_t size)
{
	union fd_control control;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1, flags = 0;

#ifdef MSG_CMSG_CLOEXEC
	flags = MSG_CMSG_CLOEXEC;	/* not inherited by programs we run */
#endif
	iov.iov_base = label;
	iov.iov_len = size - 1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	n = step_recvmsg(sock, &msg, flags);
	if (n < 0)
		return -1;
	label[n] = '\0';
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (fd < 0)
		errno = EBADMSG;
	return fd;
}
