/*
 * io.h - moving bytes: complete sends, an echo loop, and the stdin/stdout
 * relay that makes every tool usable in a pipe, like nc.
 */
#ifndef SOCKLAB_IO_H
#define SOCKLAB_IO_H

#include <stddef.h>

/* Bytes moved per read or recv: large enough for full-speed bulk copies. */
#define IO_BUFSIZE (128 * 1024)

/* io_relay() flags. */
enum {
	IO_HALF_CLOSE = 1,	/* on input EOF, shutdown(SHUT_WR) the socket */
	IO_SPLICE = 2		/* Linux: splice(2) where an end is a pipe, a
				 * file or /dev/null, instead of recv/send */
};

/* Where a relay failed: its socket, its input or its output. */
enum io_side {
	IO_SOCKET = 0,
	IO_INPUT = 1,
	IO_OUTPUT = 2
};

/* Make fd non-blocking (1) or blocking (0), narrated as [fcntl];
 * 0, or -1 with errno. */
int io_nonblock(int fd, int on);

/* Send all len bytes (completing partial sends, waiting on a non-blocking
 * socket); 0, or -1 with errno set. */
int io_send_all(int fd, const void *buf, size_t len);

/* Write all len bytes to a plain descriptor (stdout, a file); 0 or -1. */
int io_write_all(int fd, const void *buf, size_t len);

/* Echo every byte received on fd back to it until the peer closes;
 * 0, or -1 with errno set. */
int io_echo(int fd);

/* Relay in_fd -> sock and sock -> out_fd until both directions are done
 * (when in_fd is a terminal, once the peer has closed: nobody is left to
 * answer). in_fd may be -1 for "nothing to send". idle_ms >= 0 gives up
 * with ETIMEDOUT after that long without traffic. 0, or -1 with errno
 * set and *side saying which end failed. */
int io_relay(int sock, int in_fd, int out_fd, int idle_ms, int flags,
    int *side);

/* Tell why a relay failed (side and err from io_relay) in one line and a
 * hint: "cannot write to stdout: ...", or "connection DIR WHO failed: ..."
 * (dir "to" or "from"); returns the exit status that deserves: 74, 75 for
 * a timeout. A local failure is never blamed on the peer. */
int io_report(int side, int err, const char *dir, const char *who);

#endif
