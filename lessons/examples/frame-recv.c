/*
 * frame-recv PORT - accept one connection and decode the frames of
 * frame-send.c: a 6-byte header (uint32 length, uint16 sequence number,
 * both in network byte order), then the text. recv() returns whatever has
 * arrived, so each part is read in a loop until it is complete. Exit 0 if
 * the stream ended between two frames, 65 on a broken or hostile frame.
 * lessons/15-io-models.md
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_TEXT 65536	/* a length above this is refused: never trust one */

/* Read exactly LEN bytes unless the stream ends first: the bytes read, or -1. */
static ssize_t recv_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	for (ssize_t n; got < len; got += (size_t)n) {
		n = recv(fd, buf + got, len - got, 0);	/* whatever has arrived */
		fprintf(stderr, "frame-recv: recv(%zu) = %zd\n", len - got, n);
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;	/* 0: the end of the stream */
	}
	return (ssize_t)got;
}

/* Decode frames until the stream ends; 0 if it ended between two frames. */
static int decode(int fd)
{
	static unsigned char text[MAX_TEXT];
	unsigned char head[6];
	uint32_t len;
	uint16_t seq;
	ssize_t n;

	while ((n = recv_full(fd, head, 6)) == 6) {
		memcpy(&len, head, 4);	/* memcpy, then ntohl: alignment, byte order */
		memcpy(&seq, head + 4, 2);
		len = ntohl(len);
		seq = ntohs(seq);
		if (len > MAX_TEXT) {
			fprintf(stderr, "frame-recv: frame %u claims %lu bytes: refused\n",
			    seq, (unsigned long)len);
			return -1;
		}
		if ((n = recv_full(fd, text, len)) != (ssize_t)len) {
			if (n == 0)
				n = 1;	/* the end came before the text: inside a frame */
			break;
		}
		printf("frame %u: %lu bytes: %.*s\n", seq, (unsigned long)len, (int)len, (char *)text);
		fflush(stdout);
	}
	if (n < 0)
		perror("recv");	/* e.g. ECONNRESET */
	else if (n != 0)
		fprintf(stderr, "frame-recv: the stream ended inside a frame\n");
	return n == 0 ? 0 : -1;
}

int main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	socklen_t alen = sizeof(addr);
	char *end = "";
	long port = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	int one = 1, lfd, fd;

	if (*end != '\0' || port < 0 || port > 65535) {
		fprintf(stderr, "usage: frame-recv PORT (0: any)\n");
		return 64;
	}
	addr.sin_port = htons((unsigned short)port);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&addr, alen) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
		perror("frame-recv");
		return 71;
	}
	fprintf(stderr, "frame-recv: listening on 0.0.0.0:%d\n", ntohs(addr.sin_port));
	if ((fd = accept(lfd, NULL, NULL)) < 0) {
		perror("accept");
		return 71;
	}
	close(lfd);	/* one connection only: stop listening */
	if (decode(fd) < 0)
		return 65;
	close(fd);
	return 0;
}
