/*
 * step_internal.h - what the step_*.c files share and nothing else uses:
 * EINTR retry, "not yet" errors, and the one narration format.
 */
#ifndef SOCKLAB_STEP_INTERNAL_H
#define SOCKLAB_STEP_INTERNAL_H

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0		/* macOS/BSD: SIGPIPE is ignored instead */
#endif

/* True if ret is an interrupted call to retry (step_stop not set). */
int step_retry(long ret);
/* True for the errors that only mean "not yet" on a non-blocking socket. */
int step_not_yet(int err);
/* Narrate "call = ret" or "call = -1 ENAME (message)" for a step. */
void step_narrate(int step, long ret, int err, const char *call,
    const char *extra);

#endif
