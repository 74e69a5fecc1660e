/*
 * stepper.h - --step: stop before each numbered step, look after it.
 *
 * Before each of the nine steps the call about to be made is shown on
 * the terminal (/dev/tty: never stdin, which carries the data) and the
 * tool waits for Enter; "c" and Enter runs on without stopping again.
 * After each step one line tells the socket's kernel state (sockstate.h):
 *
 *   tcp-server:     state: LISTEN, accept queue 0 of 128
 *                   [fd 3: getsockname, SO_TYPE, SO_ACCEPTCONN, TCP_INFO]
 *
 * The look is made of queries (getsockopt, ioctl), named on that line; the
 * tool's own calls stay exactly what they are without --step.
 */
#ifndef SOCKLAB_STEPPER_H
#define SOCKLAB_STEPPER_H

/* Open the terminal to wait on; 0, or -1 with errno (no terminal). */
int stepper_open(void);
/* True with --step. */
int stepper_on(void);

/* Before step (the call's text): show it and wait for Enter, unless
 * told to run on. */
void stepper_before(int step, const char *call);
/* After step on fd returned ret: print the state of the socket it acted
 * on (the new one for socket and accept, and then the listener too). */
void stepper_after(int step, int fd, long ret);

#endif
