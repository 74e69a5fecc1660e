/*
 * cli_exit.c - how a tool ends: the one-line error with its hint and the
 * exit code an errno deserves (sysexits, README's table), and leaving on
 * SIGINT/SIGTERM (130/143) or on a stdout that cannot be written.
 * Only a tool's top level calls the functions that exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "step.h"
#include "trace.h"

/* Print "tool: message" and exit with code. */
void
die(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	trace_error("%s", msg);
	exit(code);
}

/* Say "tool: message: strerror (ENAME)" and a hint; the exit code. */
static int
report(int err, int step, const char *where, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	trace_error("%s: %s (%s)", msg, strerror(err), trace_errno_name(err));
	trace_hint(err, step, where);
	return cli_exit_code(err, step);
}

/* Say what failed and why; the exit code it deserves. */
int
cli_error(int err, int step, const char *where, const char *fmt, ...)
{
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = report(err, step, where, fmt, ap);
	va_end(ap);
	return code;
}

/* Say what failed and why, and exit. */
void
die_errno(int err, int step, const char *where, const char *fmt, ...)
{
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = report(err, step, where, fmt, ap);
	va_end(ap);
	exit(code);
}

/* The exit code for errno err met at step. */
int
cli_exit_code(int err, int step)
{
	switch (err) {
	case ETIMEDOUT:
		return EX_TEMPFAIL;
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENOENT:
		if (step == STEP_CONNECT)
			return EX_UNAVAILABLE;
		break;
	default:
		break;
	}
	if (step == STEP_SEND || step == STEP_RECV)
		return EX_IOERR;
	return EX_OSERR;
}

/* The handler for SIGINT and SIGTERM: remember which, nothing else. */
static void
on_stop(int sig)
{
	step_stop = sig;
}

/* Catch SIGINT and SIGTERM without SA_RESTART, so blocking calls return
 * EINTR and the tool can leave in order. */
void
cli_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Die of the signal that stopped us, so the parent sees it. */
void
cli_exit_stopped(void)
{
	int sig = step_stop ? (int)step_stop : SIGTERM;

	trace_status("stopped by %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);	/* only if the signal is blocked */
}

/* Flush stdout; 74 after saying why if that fails, else 0. */
int
cli_flush_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return EX_OK;
	trace_error("cannot write to stdout: %s (%s)", strerror(errno),
	    trace_errno_name(errno));
	return EX_IOERR;
}
