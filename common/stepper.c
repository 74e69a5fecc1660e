/*
 * stepper.c - --step: stop before each numbered step, look after it
 * (see stepper.h).
 */
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jtrace.h"
#include "sockstate.h"
#include "step.h"
#include "stepper.h"
#include "trace.h"

static int tty_fd = -1;		/* the terminal we wait on, -1 without --step */
static int running_on;		/* "c" was typed: no more stops */
/* Descriptors last seen holding a TCP socket, to tell what its close
 * leaves behind once the descriptor is gone. */
#define STEPPER_FDS 1024
static unsigned char was_tcp[STEPPER_FDS];

/* Open the terminal to wait on; 0, or -1 with errno. */
int
stepper_open(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	tty_fd = jtrace_out_of_the_way(fd);
	return 0;
}

/* True with --step. */
int
stepper_on(void)
{
	return tty_fd >= 0;
}

/* Write text to fd in one call, ignoring failure (nothing to tell). */
static void
put(int fd, const char *text, size_t len)
{
	int saved = errno;

	if (write(fd, text, len) < 0) {
		/* the terminal or stderr is gone: nothing sensible to do */
	}
	errno = saved;
}

/* Read one line from the terminal; 1 if it asks to run on ("c"), else 0. */
static int
read_answer(void)
{
	char line[64];
	size_t used = 0;
	ssize_t n;
	int saved = errno;

	for (;;) {
		n = read(tty_fd, line + used, sizeof(line) - 1 - used);
		if (n < 0 && errno == EINTR && !step_stop)
			continue;
		if (n <= 0)
			break;	/* end of input, or a signal to stop: run on */
		used += (size_t)n;
		if (memchr(line, '\n', used) != NULL || used == sizeof(line) - 1)
			break;
	}
	errno = saved;
	if (n <= 0)
		return 1;
	line[used] = '\0';
	return line[strspn(line, " \t")] == 'c';
}

/* Before a step: show the call and wait for Enter (or "c" + Enter). */
void
stepper_before(int step, const char *call)
{
	char line[1200];
	int n;

	if (tty_fd < 0 || running_on)
		return;
	n = snprintf(line, sizeof(line), "%s: next, step %d: %s\n%s: "
	    "  Enter runs it, c + Enter runs on without stopping: ",
	    trace_progname(), step, call, trace_progname());
	if (n > 0)
		put(tty_fd, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
	running_on = read_answer();
}

/* Tell the state of socket fd in one line on stderr and in the trace;
 * who prefixes it ("listener " for the listener after an accept). */
static void
tell_state(int step, int fd, const char *who)
{
	struct sockstate s;
	char text[256], line[600], fields[900], quoted[300];
	int n;

	if (sockstate_query(fd, &s) == 0) {
		sockstate_format(&s, text, sizeof(text));
		if (fd < STEPPER_FDS)
			was_tcp[fd] = s.tcp_state >= 0;
	} else if (errno == EBADF && fd < STEPPER_FDS && was_tcp[fd]) {
		snprintf(text, sizeof(text), "closed; the kernel may keep the "
		    "connection a while (FIN_WAIT, TIME_WAIT): socket-watch "
		    "states shows it");
	} else if (errno == EBADF) {
		snprintf(text, sizeof(text), "closed: the descriptor and its "
		    "socket are gone");
	} else
		snprintf(text, sizeof(text), "unknown: %s (%s)",
		    strerror(errno), trace_errno_name(errno));
	n = snprintf(line, sizeof(line), "%s:     %sstate: %s  [fd %d: %s]\n",
	    trace_progname(), who, text, fd, s.calls);
	if (n > 0)
		put(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
	jtrace_string(text, quoted, sizeof(quoted));
	snprintf(fields, sizeof(fields), "\"step\":%d,\"fd\":%d,\"state\":\"%s\","
	    "\"text\":%s,\"accept_queue\":%ld,\"backlog\":%ld,\"inq\":%ld,"
	    "\"outq\":%ld,\"unsent\":%ld,\"asked\":\"%s\"", step, fd,
	    s.tcp_state >= 0 ? sockstate_tcp_name(s.tcp_state) : "",
	    quoted, s.accept_queue, s.backlog, s.inq, s.outq, s.unsent,
	    s.calls);
	jtrace_fields("state", 0, fields);
}

/* After a step: the state of the socket it acted on. */
void
stepper_after(int step, int fd, long ret)
{
	if (tty_fd < 0)
		return;
	/* socket() and accept() act on the socket they return. */
	if ((step == STEP_SOCKET || step == STEP_ACCEPT) && ret >= 0) {
		tell_state(step, (int)ret, "");
		if (step == STEP_ACCEPT && fd >= 0)
			tell_state(step, fd, "listener ");
		return;
	}
	if (fd >= 0)
		tell_state(step, fd, "");
}
