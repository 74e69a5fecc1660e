/*
 * epoll-server PORT - one process echoes to many clients at once with epoll
 * (Linux): the kernel keeps the watched set, and epoll_wait() returns only
 * the ready descriptors. Level-triggered: a socket with unread bytes is
 * reported again at every epoll_wait(). lessons/15-io-models.md
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

/* Echo what a readable client sent: 0 at its end of stream, -1 on error. */
static ssize_t echo_once(int fd)
{
	char buf[65536];
	ssize_t n = recv(fd, buf, sizeof(buf), 0), sent;

	for (ssize_t off = 0; off < n; off += sent)	/* may block: see the lesson */
		if ((sent = send(fd, buf + off, (size_t)(n - off), 0)) < 0)
			return -1;
	return n;
}

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct epoll_event ev = { .events = EPOLLIN }, ready[64];
	char *end = "";
	long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	int one = 1, lfd, ep, n, i, fd;

	if (*end != '\0' || port < 1 || port > 65535) {
		fprintf(stderr, "usage: epoll-server PORT (1 to 65535)\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_port = htons((unsigned short)port);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 128) < 0) {
		perror("epoll-server");
		return 71;
	}
	ev.data.fd = lfd;	/* what epoll_wait() will give back for it */
	if ((ep = epoll_create1(0)) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) {
		perror("epoll");	/* epoll_create1: the watched set, in the kernel */
		return 71;
	}
	fprintf(stderr, "epoll-server: listening on 0.0.0.0:%ld\n", port);
	for (;;) {
		if ((n = epoll_wait(ep, ready, 64, -1)) < 0) {	/* at most 64 at a time */
			if (errno == EINTR)
				continue;
			perror("epoll_wait");
			return 71;
		}
		for (i = 0; i < n; i++) {
			if ((fd = ready[i].data.fd) != lfd) {
				if (echo_once(fd) <= 0)
					close(fd);	/* its last descriptor: leaves the set */
			} else if ((fd = accept(lfd, NULL, NULL)) >= 0) {
				ev.data.fd = fd;	/* what epoll_wait gives back for it */
				if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
					close(fd);	/* ENOMEM, ENOSPC: refuse this one */
			}
		}
	}
}
#else
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "epoll-server: epoll is Linux-only; use poll-server here\n");
	return 69;
}
#endif
