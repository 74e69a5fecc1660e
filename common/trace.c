/*
 * trace.c - the narrator. Only this file prints to stderr for common/.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jtrace.h"
#include "step.h"
#include "trace.h"

static const char *progname = "socklab";	/* prefix of every line */
static int level = TRACE_STATUS;		/* current verbosity */
static int colour;				/* stderr is a TTY, NO_COLOR unset */

#define C_STEP "\033[36m"
#define C_FAIL "\033[31m"
#define C_OFF "\033[0m"

static const char *const step_names[] = {
	"", "socket", "setsockopt", "bind", "listen", "accept",
	"connect", "send", "recv", "close"
};

struct errno_name {
	int num;
	const char *name;
};

/* Names for the errors sockets meet; strerror() gives only the message. */
static const struct errno_name errno_names[] = {
	{ EACCES, "EACCES" }, { EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
	{ EAGAIN, "EAGAIN" }, { EALREADY, "EALREADY" }, { EBADF, "EBADF" },
	{ ECONNABORTED, "ECONNABORTED" }, { ECONNREFUSED, "ECONNREFUSED" },
	{ ECONNRESET, "ECONNRESET" }, { EDESTADDRREQ, "EDESTADDRREQ" },
	{ EEXIST, "EEXIST" }, { EFAULT, "EFAULT" },
	{ EHOSTUNREACH, "EHOSTUNREACH" }, { EINPROGRESS, "EINPROGRESS" },
	{ EINTR, "EINTR" }, { EINVAL, "EINVAL" }, { EIO, "EIO" },
	{ EISCONN, "EISCONN" }, { EMFILE, "EMFILE" },
	{ EMSGSIZE, "EMSGSIZE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENETDOWN, "ENETDOWN" }, { ENETUNREACH, "ENETUNREACH" },
	{ ENFILE, "ENFILE" }, { ENOBUFS, "ENOBUFS" }, { ENODEV, "ENODEV" },
	{ ENOENT, "ENOENT" }, { ENOMEM, "ENOMEM" }, { ENOSPC, "ENOSPC" },
	{ ENOPROTOOPT, "ENOPROTOOPT" },
	{ ENOTCONN, "ENOTCONN" }, { ENOTDIR, "ENOTDIR" },
	{ ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EPERM, "EPERM" }, { EPIPE, "EPIPE" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { EPROTOTYPE, "EPROTOTYPE" },
	{ ETIMEDOUT, "ETIMEDOUT" },
#if EWOULDBLOCK != EAGAIN
	{ EWOULDBLOCK, "EWOULDBLOCK" },
#endif
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
	{ ENOTSUP, "ENOTSUP" },
#endif
};

/* Set the program name that prefixes every line, and decide on colour. */
void
trace_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
	colour = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
}

/* The program name given to trace_init(). */
const char *
trace_progname(void)
{
	return progname;
}

/* Set the verbosity, clamped to the levels that exist. */
void
trace_set_level(int l)
{
	if (l < TRACE_QUIET)
		l = TRACE_QUIET;
	if (l > TRACE_PAYLOAD)
		l = TRACE_PAYLOAD;
	level = l;
}

/* True when lines of this level would be printed. */
int
trace_enabled(int l)
{
	return level >= l;
}

/* True when lines carry colours (stderr is a TTY, NO_COLOR unset). */
int
trace_colour(void)
{
	return colour;
}

/* Print "prog: " + pre + msg + post, in one write so lines never
 * interleave. */
static void
emit_line(const char *pre, const char *msg, const char *post)
{
	char line[1024];
	int n;
	int saved = errno;

	n = snprintf(line, sizeof(line), "%s: %s%s", progname, pre, msg);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line) - 8)
		n = (int)sizeof(line) - 8;
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", post);
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* stderr is gone; nothing sensible is left to tell anyone */
	}
	errno = saved;
}

/* Format a line once; print it at verbosity min or more, and write it to
 * the --trace file as kind (with label) whatever the verbosity. */
static void
tell(int min, const char *kind, const char *label, const char *pre,
    const char *post, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	if (level < min && !jtrace_on())
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level >= min)
		emit_line(pre, msg, post);
	jtrace_text(kind, label, msg);
	errno = saved;
}

/* A status line at default verbosity. */
void
trace_status(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tell(TRACE_STATUS, "status", NULL, "", "", fmt, ap);
	va_end(ap);
}

/* A step line "[N name] ..." at -v, or at default verbosity when it failed
 * (step_end writes the --trace line, with the call's fields). */
void
trace_step(int step, const char *label, int failed, const char *fmt, ...)
{
	char pre[64], msg[1024];
	va_list ap;

	if (level < (failed ? TRACE_STATUS : TRACE_STEPS))
		return;
	if (step < STEP_SOCKET || step > STEP_CLOSE)
		step = STEP_NONE;
	snprintf(pre, sizeof(pre), "%s[%d %s]%s ", colour ?
	    (failed ? C_FAIL : C_STEP) : "", step, label ? label :
	    step_names[step],
	    colour ? C_OFF : "");
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit_line(pre, msg, "");
}

/* An unnumbered event line "[label] ..." at -v. */
void
trace_event(const char *label, const char *fmt, ...)
{
	char pre[64];
	va_list ap;

	snprintf(pre, sizeof(pre), "%s[%s]%s ", colour ? C_STEP : "", label,
	    colour ? C_OFF : "");
	va_start(ap, fmt);
	tell(TRACE_STEPS, "event", label, pre, "", fmt, ap);
	va_end(ap);
}

/* A state machine's transition at -v. */
void
trace_transition(const char *machine, int fd, const char *from,
    const char *to)
{
	char pre[96], msg[128];

	jtrace_transition(machine, fd, from, to);
	if (level < TRACE_STEPS)
		return;
	snprintf(pre, sizeof(pre), "%s[%s fd=%d]%s ", colour ? C_STEP : "",
	    machine, fd, colour ? C_OFF : "");
	snprintf(msg, sizeof(msg), "%s -> %s", from, to);
	emit_line(pre, msg, "");
}

/* A failed connection: one line and its hint. */
void
trace_peer_failed(const char *dir, const char *who, int err, int step)
{
	trace_error("connection %s %s failed: %s (%s)", dir, who,
	    strerror(err), trace_errno_name(err));
	trace_hint(err, step, who);
}

/* An error line, printed at every verbosity. */
void
trace_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tell(TRACE_QUIET, "error", NULL, colour ? C_FAIL : "", colour ? C_OFF :
	    "", fmt, ap);
	va_end(ap);
}

/* At -vv, an escaped preview of the first bytes of a payload. */
void
trace_payload(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	char out[300];
	size_t i, n = 0, shown = len < 64 ? len : 64;

	if (level < TRACE_PAYLOAD)
		return;
	out[n++] = '"';
	for (i = 0; i < shown; i++) {
		unsigned char c = p[i];

		if (c == '\n')
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\n");
		else if (c == '\r')
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\r");
		else if (c == '\t')
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\t");
		else if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, sizeof(out) - n,
			    "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, sizeof(out) - n,
			    "\\x%02x", c);
	}
	out[n++] = '"';
	out[n] = '\0';
	if (len > shown)
		trace_status("    %s ... (%zu more bytes)", out, len - shown);
	else
		trace_status("    %s", out);
}

/* "ECONNREFUSED" for ECONNREFUSED; "E?" for numbers not in the table. */
const char *
trace_errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == err)
			return errno_names[i].name;
	return "E?";
}

/* The step's name. */
const char *
trace_step_name(int step)
{
	if (step < STEP_SOCKET || step > STEP_CLOSE)
		return "";
	return step_names[step];
}

/* Escape up to max bytes of buf into out (as trace_payload shows them,
 * quoted, with " ..." if cut); returns out. */
char *
trace_escape(const void *buf, size_t len, size_t max, char *out, size_t size)
{
	const unsigned char *p = buf;
	size_t i, n = 0, shown = len < max ? len : max;

	if (size < 16) {
		if (size > 0)
			out[0] = '\0';
		return out;
	}
	out[n++] = '"';
	for (i = 0; i < shown && n + 12 < size; i++) {
		unsigned char c = p[i];

		if (c == '\n' || c == '\r' || c == '\t') {
			out[n++] = '\\';
			out[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			out[n++] = (char)c;
		} else {
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		}
	}
	out[n++] = '"';
	if (i < len)
		n += (size_t)snprintf(out + n, size - n, " ...");
	out[n] = '\0';
	return out;
}
