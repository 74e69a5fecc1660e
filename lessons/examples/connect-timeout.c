/*
 * connect-timeout HOST PORT SECS - connect, but give up after SECS seconds.
 * A blocking connect() waits as long as the kernel retries SYN (about 2
 * minutes). Here: O_NONBLOCK, connect() says EINPROGRESS, poll() waits
 * for writable with our timeout, SO_ERROR tells how the handshake ended.
 * Exit status: 0 connected, 69 refused or unreachable, 75 timed out.
 * lessons/15-io-models.md, lessons/06-connect.md
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Connect FD to AI within MS milliseconds: 0, or -1 with errno. */
static int connect_within(int fd, const struct addrinfo *ai, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int flags = fcntl(fd, F_GETFL), err = 0, n;
	socklen_t len = sizeof(err);

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);	/* connect() returns at once */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
		return -1;	/* failed at once, e.g. ENETUNREACH */
	while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;	/* (a real program would shorten ms by the time spent) */
	if (n == 0)
		errno = ETIMEDOUT;	/* no answer in time: we give up */
	if (n <= 0)
		return -1;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);	/* how it ended */
	if (err != 0) {
		errno = err;	/* e.g. ECONNREFUSED */
		return -1;
	}
	fcntl(fd, F_SETFL, flags);	/* blocking again, for the usual recv/send */
	return 0;
}

int main(int argc, char *argv[])
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char *end = "", host[NI_MAXHOST], port[NI_MAXSERV];
	long secs = argc == 4 ? strtol(argv[3], &end, 10) : 0;
	int fd = -1, rc, err = 0;

	if (*end != '\0' || secs < 1 || secs > 3600) {
		fprintf(stderr, "usage: connect-timeout HOST PORT SECS (1 to 3600)\n");
		return 64;
	}
	if ((rc = getaddrinfo(argv[1], argv[2], &hints, &res)) != 0) {
		fprintf(stderr, "connect-timeout: %s: %s\n", argv[1], gai_strerror(rc));
		return 68;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), port,
		    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
			continue;
		if (connect_within(fd, ai, (int)secs * 1000) == 0)
			break;
		err = errno;
		fprintf(stderr, "connect-timeout: %s port %s: %s\n", host, port, strerror(err));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err == ETIMEDOUT ? 75 : 69;
	printf("connected to %s port %s\n", host, port);
	close(fd);
	return 0;
}
