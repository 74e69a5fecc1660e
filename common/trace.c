/*
 * trace.c - the narrator. Only this file prints to stderr for common/.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

static const char *progname = "socklab";	/* prefix of every line */
static int level = TRACE_STATUS;		/* current verbosity */
static int colour;				/* stderr is a TTY, NO_COLOR unset */

#define C_STEP "\033[36m"
#define C_FAIL "\033[31m"
#define C_HINT "\033[33m"
#define C_OFF "\033[0m"

static const char *const step_names[] = {
	"", "socket", "setsockopt", "bind", "listen", "accept",
	"connect", "send", "recv", "close"
};

static const char *const step_lessons[] = {
	"lessons/README.md", "lessons/01-socket.md", "lessons/02-setsockopt.md",
	"lessons/03-bind.md", "lessons/04-listen.md", "lessons/05-accept.md",
	"lessons/06-connect.md", "lessons/07-send.md", "lessons/08-recv.md",
	"lessons/09-close.md"
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

/* The current verbosity. */
int
trace_level(void)
{
	return level;
}

/* True when lines of this level would be printed. */
int
trace_enabled(int l)
{
	return level >= l;
}

/* Print "prog: " + a formatted line, in one write so lines never interleave. */
static void
emit(const char *pre, const char *post, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m;
	int saved = errno;

	n = snprintf(line, sizeof(line), "%s: %s", progname, pre);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof(line) - 8)
		n = (int)sizeof(line) - 8;
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s\n", post);
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* stderr is gone; nothing sensible is left to tell anyone */
	}
	errno = saved;
}

/* A status line at default verbosity. */
void
trace_status(const char *fmt, ...)
{
	va_list ap;

	if (level < TRACE_STATUS)
		return;
	va_start(ap, fmt);
	emit("", "", fmt, ap);
	va_end(ap);
}

/* A step line "[N name] ..." at -v, or at default verbosity when it failed. */
void
trace_step(int step, int failed, const char *fmt, ...)
{
	char pre[64];
	va_list ap;

	if (level < (failed ? TRACE_STATUS : TRACE_STEPS))
		return;
	if (step < STEP_SOCKET || step > STEP_CLOSE)
		step = STEP_NONE;
	snprintf(pre, sizeof(pre), "%s[%d %s]%s ", colour ?
	    (failed ? C_FAIL : C_STEP) : "", step, step_names[step],
	    colour ? C_OFF : "");
	va_start(ap, fmt);
	emit(pre, "", fmt, ap);
	va_end(ap);
}

/* An unnumbered event line "[label] ..." at -v. */
void
trace_event(const char *label, const char *fmt, ...)
{
	char pre[64];
	va_list ap;

	if (level < TRACE_STEPS)
		return;
	snprintf(pre, sizeof(pre), "%s[%s]%s ", colour ? C_STEP : "", label,
	    colour ? C_OFF : "");
	va_start(ap, fmt);
	emit(pre, "", fmt, ap);
	va_end(ap);
}

/* An error line, printed at every verbosity. */
void
trace_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(colour ? C_FAIL : "", colour ? C_OFF : "", fmt, ap);
	va_end(ap);
}

/* The advice a learner needs for err at step, or NULL. */
static const char *
hint_text(int err, int step)
{
	switch (err) {
	case EADDRINUSE:
		return "another socket already holds %s: a server still "
		    "running, or a TIME_WAIT left by one that just stopped "
		    "(SO_REUSEADDR allows the latter) (lessons/02-setsockopt.md)";
	case EACCES:
		if (step == STEP_BIND)
			return "ports below 1024 need root or "
			    "CAP_NET_BIND_SERVICE; use a port above 1023 "
			    "(lessons/03-bind.md)";
		if (step == STEP_CONNECT)
			return "permission denied for %s: check the socket "
			    "file's mode and its directory "
			    "(lessons/11-unix-sockets.md)";
		return NULL;
	case EADDRNOTAVAIL:
		return "%s is not an address of this machine "
		    "(lessons/03-bind.md)";
	case ECONNREFUSED:
		return "nothing listens on %s: start a server first "
		    "(lessons/06-connect.md)";
	case ETIMEDOUT:
		return "no answer from %s: the host is down, a firewall drops "
		    "the packets, or the server's accept queue is full "
		    "(lessons/04-listen.md, lessons/06-connect.md)";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "no route to %s: check the address and the network "
		    "(lessons/06-connect.md)";
	case ECONNRESET:
		return "the peer reset the connection: it closed with unread "
		    "data or with SO_LINGER 0 (lessons/09-close.md)";
	case EPIPE:
		return "the peer has closed its side; writing on raises "
		    "SIGPIPE, which socklab ignores (lessons/07-send.md)";
	case ENOENT:
		return "no socket file at %s: start the server first, or "
		    "check the path (lessons/11-unix-sockets.md)";
	case ENAMETOOLONG:
		return "a Unix socket path must fit in sun_path (about 100 "
		    "bytes); use a shorter path (lessons/11-unix-sockets.md)";
	case EMFILE:
	case ENFILE:
		return "out of file descriptors: raise `ulimit -n` or close "
		    "idle connections (lessons/05-accept.md)";
	case EMSGSIZE:
		return "a UDP datagram carries at most 65507 bytes over IPv4 "
		    "(65527 over IPv6): send less, or split it "
		    "(lessons/10-datagrams.md)";
	default:
		return NULL;
	}
}

/* A "hint:" line for errno err met at step; nothing if no hint is known. */
void
trace_hint(int err, int step, const char *where)
{
	char text[512];
	const char *fmt = hint_text(err, step);

	if (fmt == NULL)
		return;
	/* Hint formats take at most one %s: the address or path concerned. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
	snprintf(text, sizeof(text), fmt, where ? where : "that address");
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
	trace_error("%shint:%s %s", colour ? C_HINT : "", colour ? C_OFF : "",
	    text);
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

/* The lesson file that explains a step. */
const char *
trace_step_lesson(int step)
{
	if (step < STEP_SOCKET || step > STEP_CLOSE)
		step = STEP_NONE;
	return step_lessons[step];
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
