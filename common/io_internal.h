/*
 * io_internal.h - the relay's state, shared by io.c (recv/send) and
 * io_splice.c (the --splice path, Linux only). Not for tools.
 */
#ifndef SOCKLAB_IO_INTERNAL_H
#define SOCKLAB_IO_INTERNAL_H

#include <stddef.h>

struct relay {
	int sock, in_fd, out_fd;
	int flags;
	int in_open;		/* input not yet at EOF */
	int sock_open;		/* peer has not yet closed its side */
	int end_on_peer_eof;	/* input is a terminal: stop when the peer does */
	int side;		/* where the last failure happened */
	char *up;		/* input -> socket bytes not yet sent */
	size_t up_off, up_len;
	char *down;		/* socket -> output buffer */
	int splice_in;		/* --splice: input is a pipe, spliced to sock */
	int splice_out;		/* --splice: sock -> (our pipe ->) out_fd */
	int sock_full;		/* --splice: the socket took nothing; await room */
	int pipe[2];		/* --splice: our pipe before a non-pipe out_fd */
};

/* The input has ended: no more reading; half-close if the flags say. */
void relay_input_ended(struct relay *r);

/* Decide which directions go through splice(2) (IO_SPLICE); 0 or -1. */
int relay_splice_setup(struct relay *r);

/* Splice the input pipe to the socket; half-close at EOF. 0 or -1. */
int relay_splice_in(struct relay *r);

/* Splice what the socket has to the output; 0 or -1. */
int relay_splice_out(struct relay *r);

/* Close our pipe, if there is one. */
void relay_splice_done(struct relay *r);

#endif
