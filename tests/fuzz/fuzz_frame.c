/*
 * fuzz_frame.c - libFuzzer harness for the frame decoder of the lesson
 * program lessons/examples/frame-recv.c (lesson 15): any byte stream must
 * decode without a crash, and decode() must accept exactly the streams a
 * reference walk over the bytes accepts (whole frames, each length at most
 * MAX_TEXT, nothing left over).
 *
 *   make fuzz FUZZ=frame FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The program under test, its main() renamed and its narration muted. */
#define main frame_recv_main
#define fprintf(stream, ...) ((void)(stream), 0)
#include "../../lessons/examples/frame-recv.c"
#undef fprintf
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference answer: 0 if DATA is a sequence of whole, allowed frames. */
static int
expected(const uint8_t *data, size_t size)
{
	size_t off = 0;
	uint32_t len;

	while (size - off >= 6) {
		len = (uint32_t)data[off] << 24 | (uint32_t)data[off + 1] << 16 |
		    (uint32_t)data[off + 2] << 8 | data[off + 3];
		if (len > MAX_TEXT || size - off - 6 < len)
			return -1;
		off += 6 + (size_t)len;
	}
	return off == size ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	int sv[2], buf = 1 << 20, got;
	size_t off;
	ssize_t n;

	if (!quiet) {	/* decode() prints each frame: not to the terminal */
		if (freopen("/dev/null", "w", stdout) == NULL)
			abort();
		quiet = 1;
	}
	if (size > 256 * 1024)
		return 0;	/* more than the socket buffer holds unread */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	for (off = 0; off < size; off += (size_t)n)
		if ((n = write(sv[1], data + off, size - off)) <= 0)
			abort();
	close(sv[1]);	/* the end of the stream */
	got = decode(sv[0]);
	close(sv[0]);
	if (got != expected(data, size))
		abort();
	return 0;
}
