/*
 * epoll-et-bug PORT - the classic edge-triggered epoll bug, on purpose.
 * With EPOLLET, epoll_wait() reports a socket when new bytes ARRIVE, not
 * while some are waiting. This server reads once per event, so whatever
 * that one recv() leaves behind waits until the client sends again: a line
 * longer than its 16-byte buffer stalls. The fix: epoll-et-fixed.c.
 * lessons/15-io-models.md
 */
#ifdef __linux__
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Echo what one event announced on FD: 1 to keep it, 0 at its end, -1 on error. */
static int on_edge(int fd)
{
	char buf[16];	/* small on purpose: a 28-byte line needs two reads */
	ssize_t n, sent;

	if ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {	/* THE BUG: if */
		fprintf(stderr, "fd %d: recv() = %zd\n", fd, n);
		for (ssize_t off = 0; off < n; off += sent)
			if ((sent = send(fd, buf + off, (size_t)(n - off), 0)) < 0)
				return -1;
	}
	if (n > 0)
		return 1;	/* more may be waiting, and no new edge will say so */
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return (int)n;	/* 0: end of stream; -1: ECONNRESET and the like */
	fprintf(stderr, "fd %d: recv() = -1 EAGAIN: all read, wait for the next edge\n", fd);
	return 1;
}

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct epoll_event ev = { .events = EPOLLIN }, ready[64];
	char *end = "";
	long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	int one = 1, lfd, ep, n, i, fd;

	if (*end != '\0' || port < 1 || port > 65535) {
		fprintf(stderr, "usage: epoll-et-bug PORT (1 to 65535)\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_port = htons((unsigned short)port);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 128) < 0) {
		perror("epoll-et-bug");
		return 71;
	}
	ev.data.fd = lfd;	/* the listener stays level-triggered */
	if ((ep = epoll_create1(0)) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) {
		perror("epoll");
		return 71;
	}
	fprintf(stderr, "epoll-et-bug: listening on 0.0.0.0:%ld\n", port);
	for (;;) {
		if ((n = epoll_wait(ep, ready, 64, -1)) < 0 && errno != EINTR) {
			perror("epoll_wait");
			return 71;
		}
		for (i = 0; i < n; i++) {
			if ((fd = ready[i].data.fd) != lfd) {
				fprintf(stderr, "fd %d: EPOLLIN, an edge\n", fd);
				if (on_edge(fd) <= 0)
					close(fd);
			} else if ((fd = accept(lfd, NULL, NULL)) >= 0) {
				struct epoll_event cev = { .events = EPOLLIN | EPOLLET, .data.fd = fd };
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) < 0)
					close(fd);
			}
		}
	}
}
#else
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "epoll-et-bug: epoll is Linux-only\n");
	return 69;
}
#endif
