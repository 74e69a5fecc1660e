/*
 * udp-recv PORT [COUNT] - print every UDP datagram that arrives on PORT.
 * Each recvfrom() returns one whole datagram and who sent it; stops after
 * COUNT datagrams (default: never). PORT 0: the kernel picks one, printed.
 * lessons/10-datagrams.md
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET }, peer;
	socklen_t len = sizeof(addr);
	char buf[65536], ip[INET_ADDRSTRLEN], *pend = "", *cend = "";
	long port = argc >= 2 ? strtol(argv[1], &pend, 10) : -1;
	long count = argc == 3 ? strtol(argv[2], &cend, 10) : -1;
	int fd;

	if (argc < 2 || argc > 3 || *pend != '\0' || *cend != '\0' || pend == argv[1] ||
	    port < 0 || port > 65535 || (argc == 3 && count < 1)) {
		fprintf(stderr, "usage: udp-recv PORT [COUNT]\n");
		return 64;
	}
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||	/* step 1, socket */
	    bind(fd, (struct sockaddr *)&addr, len) < 0 ||	/* step 3, bind */
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
		perror("udp-recv");
		return 71;
	}
	fprintf(stderr, "udp-recv: listening on 0.0.0.0:%d\n", ntohs(addr.sin_port));
	for (long got = 0; count < 0 || got < count; got++) {
		len = sizeof(peer);	/* value-result, as for accept */
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len);
		if (n < 0) {	/* step 8: one datagram, or an error */
			perror("recvfrom");
			return 74;
		}
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
		fprintf(stderr, "udp-recv: %zd bytes from %s:%d\n", n, ip, ntohs(peer.sin_port));
		fwrite(buf, 1, (size_t)n, stdout);	/* a datagram of 0 bytes is fine too */
		fflush(stdout);
	}
	close(fd);	/* step 9 */
	return 0;
}
