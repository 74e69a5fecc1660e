/*
 * step_internal.h - what the step_*.c files (and dgram.c) share and
 * nothing else uses: EINTR retry, "not yet" errors, and the two halves of
 * every narrated call.
 *
 * Every wrapper has the same shape, so what is narrated is exactly the
 * call that runs:
 *
 *   struct step_call c;
 *   step_begin(&c, STEP_SEND, fd, "send(fd=%d, %zu)", fd, len);
 *   n = send(fd, buf, len, MSG_NOSIGNAL);       (retried on EINTR)
 *   step_end(&c, n, errno, NULL);               (narrates; errno kept)
 *
 * step_begin writes the call's text only when someone will read it
 * (not with -q), so the fast paths pay nothing for narration.
 */
#ifndef SOCKLAB_STEP_INTERNAL_H
#define SOCKLAB_STEP_INTERNAL_H

#include <stddef.h>

#include <sys/types.h>
#include <sys/socket.h>

#include "addr.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0		/* macOS/BSD: SIGPIPE is ignored instead */
#endif

/* One narrated call, from before it runs to after. */
struct step_call {
	int step;		/* STEP_SOCKET ... STEP_CLOSE, or STEP_NONE */
	int fd;			/* the socket it acts on, or -1 (socket()) */
	int told;		/* text was written: the call will be narrated */
	const char *label;	/* "[2 getsockopt]": NULL for the step's name */
	long long start_us;	/* when it began, for --trace (else 0) */
	char text[2 * ADDR_STRLEN + 96];	/* "bind(fd=3, 0.0.0.0:7000)" */
};

/* True if ret is an interrupted call to retry (step_stop not set). */
int step_retry(long ret);
/* True for the errors that only mean "not yet" on a non-blocking socket. */
int step_not_yet(int err);

/* True when calls are narrated (not -q), traced or stepped through:
 * worth formatting arguments. */
int step_telling(void);

/* ", peer ADDR" into buf, for a step that learnt its peer's address. */
void step_peer_extra(const struct sockaddr_storage *ss, socklen_t len,
    char *buf, size_t size);

/* Before the system call: write its text, if it will be narrated;
 * with --step, show it and wait for Enter (stepper.h). */
void step_begin(struct step_call *c, int step, int fd, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* After it: narrate "text = ret[extra]", or "text = -1 ENAME (message)"
 * (at default verbosity too, unless err only means "not yet"), write its
 * --trace line and --step's look at the socket; sets errno to err again,
 * so callers see the call's own errno. */
void step_end(struct step_call *c, long ret, int err, const char *extra);

#endif
