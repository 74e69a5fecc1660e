/*
 * echo-client HOST PORT - the TCP client procedure and nothing else.
 * Resolves HOST, connects to the first address that answers, sends all of
 * stdin, half-closes, and prints what comes back until the server closes.
 * Lessons 06-09; graded: scripts/check-exercise file-client THIS-PROGRAM
 */
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Send or write all LEN bytes of BUF to FD; -1 with errno on failure. */
static int write_all(int fd, const char *buf, size_t len)
{
	for (ssize_t n; len > 0; buf += n, len -= (size_t)n)
		if ((n = write(fd, buf, len)) < 0)	/* may write less: loop */
			return -1;
	return 0;
}

int main(int argc, char *argv[])
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char buf[65536];
	ssize_t n;
	int fd = -1, rc;

	if (argc != 3) {
		fprintf(stderr, "usage: echo-client HOST PORT\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);	/* a reset server: EPIPE, not death */
	hints.ai_family = AF_UNSPEC;	/* IPv6 or IPv4, whatever HOST has */
	if ((rc = getaddrinfo(argv[1], argv[2], &hints, &res)) != 0) {
		fprintf(stderr, "echo-client: %s %s: %s\n", argv[1], argv[2], gai_strerror(rc));
		return 68;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {	/* try each */
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
			continue;	/* step 1 failed for this family: next */
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {	/* step 6 */
			perror("connect");
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return 69;	/* refused or unreachable, on every address */
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)	/* step 7, send */
		if (write_all(fd, buf, (size_t)n) < 0) {
			perror("send");
			return 74;
		}
	if (n < 0) {
		perror("read");	/* stdin failed: do not pretend it ended */
		return 74;
	}
	shutdown(fd, SHUT_WR);	/* step 9, half: "no more from me", still reading */
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)	/* step 8, until 0 */
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return 74;
	if (n < 0)
		perror("recv");	/* e.g. ECONNRESET */
	close(fd);	/* step 9 */
	return n < 0 ? 74 : 0;
}
