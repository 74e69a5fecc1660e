/*
 * frame-send HOST PORT - send each line of stdin as one binary frame:
 *
 *   bytes 0-3  length of the text, uint32, network byte order (big-endian)
 *   bytes 4-5  sequence number 1, 2, ..., uint16, network byte order
 *   bytes 6-   the text, without its newline
 *
 * Each integer is packed byte by byte at a fixed offset, never by sending a
 * C struct (padding, byte order and sizes differ). frame-recv.c decodes.
 * lessons/15-io-models.md
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Encode one frame into OUT (room for 6 + LEN bytes); returns its size. */
static size_t encode(unsigned char *out, uint16_t seq, const char *text, uint32_t len)
{
	uint32_t nlen = htonl(len);	/* 5 -> bytes 00 00 00 05 */
	uint16_t nseq = htons(seq);	/* 1 -> bytes 00 01 */

	memcpy(out, &nlen, 4);	/* memcpy: OUT may not be aligned for a uint32_t */
	memcpy(out + 4, &nseq, 2);
	memcpy(out + 6, text, len);
	return 6 + (size_t)len;
}

int main(int argc, char *argv[])
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	unsigned char frame[6 + 65536];
	char *line = NULL;
	size_t room = 0, size;
	ssize_t len, sent;
	int fd = -1, rc;
	uint16_t seq = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: frame-send HOST PORT\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((rc = getaddrinfo(argv[1], argv[2], &hints, &res)) != 0) {
		fprintf(stderr, "frame-send: %s: %s\n", argv[1], gai_strerror(rc));
		return 68;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) >= 0 &&
		    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			perror("connect");
			close(fd);
			fd = -1;
		}
	freeaddrinfo(res);
	if (fd < 0)
		return 69;
	while ((len = getline(&line, &room, stdin)) > 0) {
		if (line[len - 1] == '\n')
			len--;	/* the frame carries its length instead */
		if (len > 65536 || seq == UINT16_MAX) {
			fprintf(stderr, "frame-send: line %u: too long, or too many lines\n", seq + 1u);
			free(line);
			return 65;
		}
		size = encode(frame, ++seq, line, (uint32_t)len);
		for (size_t off = 0; off < size; off += (size_t)sent)
			if ((sent = send(fd, frame + off, size - off, 0)) < 0) {
				perror("send");
				free(line);
				return 74;
			}
	}
	free(line);
	close(fd);	/* the receiver sees the end of the stream between two frames */
	return 0;
}
