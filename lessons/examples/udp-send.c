/*
 * udp-send HOST PORT - send each line of stdin as one UDP datagram.
 * No connection: every sendto() names the destination, and nothing tells
 * us whether a datagram arrived (lessons/10-datagrams.md).
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char *line = NULL;
	size_t room = 0;
	ssize_t len;
	int fd, rc, status = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: udp-send HOST PORT\n");
		return 64;
	}
	hints.ai_family = AF_UNSPEC;
	if ((rc = getaddrinfo(argv[1], argv[2], &hints, &res)) != 0) {
		fprintf(stderr, "udp-send: %s %s: %s\n", argv[1], argv[2], gai_strerror(rc));
		return 68;
	}
	/* Step 1, socket: of the family of the first address (no handshake to try others) */
	if ((fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol)) < 0) {
		perror("socket");
		return 71;
	}
	while ((len = getline(&line, &room, stdin)) > 0) {	/* the newline included */
		/* Step 7, send: one sendto is one datagram, whole or not at all */
		if (sendto(fd, line, (size_t)len, 0, res->ai_addr, res->ai_addrlen) < 0) {
			perror("sendto");	/* EMSGSIZE: longer than a datagram can be */
			status = 74;
			break;
		}
	}
	free(line);
	freeaddrinfo(res);
	close(fd);	/* step 9: nothing to say goodbye to, just release it */
	return status;
}
