/*
 * diag.c - asking the kernel for its socket table over a netlink socket
 * (see diag.h): step 1 socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG),
 * then for each dump a step 7 sendto() of the request and step 8 recv()s
 * until NLMSG_DONE, each narrated like any other step.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "step.h"

#ifdef __linux__
#include <linux/netlink.h>
#include <linux/sock_diag.h>

/* Large enough for what one recv() of a dump brings (the kernel fills up
 * to 32 KiB per message batch). */
#define DIAG_BUFSIZE (64 * 1024)

struct diag {
	int fd;
	unsigned seq;		/* each request's number, checked in answers */
	unsigned char buf[DIAG_BUFSIZE];
};

/* The netlink socket; NULL with errno. */
struct diag *
diag_open(void)
{
	struct diag *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	/* Step 1, socket: the protocol argument names the netlink family,
	 * here the kernel's socket diagnostics (lessons/01-socket.md). */
	d->fd = step_socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	if (d->fd < 0) {
		int err = errno;

		free(d);
		errno = err;
		return NULL;
	}
	return d;
}

/* Dump the table; 0, or -1 with errno. */
int
diag_dump(struct diag *d, int family, int proto, unsigned port,
    unsigned states, diag_fn *fn, void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t len;
	ssize_t n;
	int done = 0;

	len = diag_request(d->buf, sizeof(d->buf), family, proto, port,
	    states, ++d->seq);
	/* Step 7, send: the request goes to the kernel (netlink port 0). */
	if (step_sendto(d->fd, d->buf, len, (struct sockaddr *)&kernel,
	    sizeof(kernel)) < 0)
		return -1;
	/* Step 8, recv: the answer, a batch of sockets per call. */
	while (!done) {
		n = step_recv(d->fd, d->buf, sizeof(d->buf));
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EPROTO;
			return -1;
		}
		if (diag_parse(d->buf, (size_t)n, proto, &done, fn, ctx) < 0)
			return -1;
	}
	return 0;
}

/* Close the socket and free d. */
void
diag_close(struct diag *d)
{
	if (d == NULL)
		return;
	/* Step 9, close (lessons/09-close.md). */
	step_close(d->fd);
	free(d);
}

#else	/* not Linux: no sock_diag */

struct diag *
diag_open(void)
{
	errno = EAFNOSUPPORT;
	return NULL;
}

int
diag_dump(struct diag *d, int family, int proto, unsigned port,
    unsigned states, diag_fn *fn, void *ctx)
{
	(void)d, (void)family, (void)proto, (void)port, (void)states;
	(void)fn, (void)ctx;
	errno = EAFNOSUPPORT;
	return -1;
}

void
diag_close(struct diag *d)
{
	(void)d;
}
#endif
