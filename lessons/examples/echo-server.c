/*
 * echo-server PORT - the TCP server procedure and nothing else (lessons 01-09).
 * Serves clients one after another, forever: accept, echo until recv()
 * returns 0, close. PORT 0: the kernel picks a port, which is printed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Print which call failed and why, and exit (start-up errors only). */
static void die(const char *call) { perror(call); exit(71); }

/* Echo one client until it closes its side (0) or fails (-1, errno). */
static int echo(int fd)
{
	char buf[65536];
	ssize_t n, sent;

	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {	/* step 8, recv */
		if (n < 0 && errno == EINTR)
			continue;	/* a signal came first: try again */
		if (n < 0)
			return -1;	/* ECONNRESET: this client is gone */
		for (ssize_t off = 0; off < n; off += sent)	/* step 7: all of it */
			if ((sent = send(fd, buf + off, (size_t)(n - off), 0)) < 0)
				return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET }, peer;
	socklen_t len = sizeof(addr);
	char *end, ip[INET_ADDRSTRLEN];
	long port = 0;
	int one = 1, lfd, fd;

	if (argc != 2 || (port = strtol(argv[1], &end, 10)) < 0 || port > 65535 ||
	    end == argv[1] || *end != '\0') {	/* a number, and nothing else */
		fprintf(stderr, "usage: echo-server PORT (0 to 65535)\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);	/* a send to a reset client fails with EPIPE */
	addr.sin_addr.s_addr = htonl(INADDR_ANY);	/* every local address */
	addr.sin_port = htons((unsigned short)port);	/* network byte order */
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) die("socket");	/* step 1 */
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("setsockopt");	/* step 2: restart even with TIME_WAITs left */
	if (bind(lfd, (struct sockaddr *)&addr, len) < 0) die("bind");	/* step 3 */
	if (listen(lfd, 128) < 0) die("listen");	/* step 4 */
	getsockname(lfd, (struct sockaddr *)&addr, &len);	/* which port? */
	fprintf(stderr, "echo-server: listening on 0.0.0.0:%d\n", ntohs(addr.sin_port));
	for (;;) {
		len = sizeof(peer);	/* value-result: in, the room; out, the size */
		if ((fd = accept(lfd, (struct sockaddr *)&peer, &len)) < 0) {	/* step 5 */
			perror("accept");	/* e.g. ECONNABORTED: serve the next */
			continue;
		}
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
		fprintf(stderr, "echo-server: client %s:%d\n", ip, ntohs(peer.sin_port));
		if (echo(fd) < 0)
			perror("echo-server: client");	/* ECONNRESET, EPIPE */
		close(fd);	/* step 9, close */
	}
}
