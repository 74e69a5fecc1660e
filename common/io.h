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
	IO_END_ON_PEER_EOF = 2	/* stop once the peer closes (servers, TTYs) */
};

/* Send all len bytes (completing partial sends, waiting on a non-blocking
 * socket); 0, or -1 with errno set. */
int io_send_all(int fd, const void *buf, size_t len);

/* Write all len bytes to a plain descriptor (stdout, a file); 0 or -1. */
int io_write_all(int fd, const void *buf, size_t len);

/* Echo every byte received on fd back to it until the peer closes;
 * 0, or -1 with errno set. */
int io_echo(int fd);

/* Relay in_fd -> sock and sock -> out_fd until both directions are done
 * (or, with IO_END_ON_PEER_EOF, the peer has closed). in_fd may be -1 for
 * "nothing to send". idle_ms >= 0 gives up with ETIMEDOUT after that long
 * without traffic. Returns 0, or -1 with errno set. */
int io_relay(int sock, int in_fd, int out_fd, int idle_ms, int flags);

#endif
