/*
 * jtrace.c - --trace FILE: one JSON line per event (see jtrace.h).
 */
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jtrace.h"
#include "trace.h"

/* The trace file, or -1 when not tracing. */
static int trace_fd = -1;

/* Move fd up to 100 or above (closing the original), so that the
 * sockets get the numbers they get without --trace or --step (fd=3, as
 * the lessons show); fd itself if that is not possible (ulimit -n). */
int
jtrace_out_of_the_way(int fd)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 100);

	if (high < 0)
		return fd;
	close(fd);
	return high;
}

/* Start tracing into path; 0, or -1 with errno. */
int
jtrace_open(const char *path, int append)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    (append ? 0 : O_TRUNC), 0644);

	if (fd < 0)
		return -1;
	trace_fd = jtrace_out_of_the_way(fd);
	return 0;
}

/* True while tracing. */
int
jtrace_on(void)
{
	return trace_fd >= 0;
}

/* Microseconds since the epoch, now. */
long long
jtrace_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The length of the valid UTF-8 sequence at p (at most left bytes), or 0
 * if the bytes there are not one. */
static size_t
utf8_length(const unsigned char *p, size_t left)
{
	size_t len, i;
	unsigned long cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > left)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Write text into out as a JSON string; the length written. */
size_t
jtrace_string(const char *text, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = 0, left = strlen(text), len;

	if (size < 3) {
		if (size > 0)
			out[0] = '\0';
		return 0;
	}
	out[n++] = '"';
	/* Keep room for the longest escape (6), the quote and the NUL. */
	while (left > 0 && n + 8 < size) {
		if (*p == '"' || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
			len = 1;
		} else if (*p >= 0x20 && *p < 0x7f) {
			out[n++] = (char)*p;
			len = 1;
		} else if (*p >= 0x80 && (len = utf8_length(p, left)) > 0) {
			memcpy(out + n, p, len);
			n += len;
		} else {
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", *p);
			len = 1;
		}
		p += len;
		left -= len;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

/* Write one line: the common members, then fields, in one write(2). */
static void
write_line(const char *kind, long long t_us, const char *fields)
{
	char line[4096], tool[96];
	int n, saved = errno;

	jtrace_string(trace_progname(), tool, sizeof(tool));
	n = snprintf(line, sizeof(line), "{\"t_us\":%lld,\"tool\":%s,"
	    "\"pid\":%ld,\"kind\":\"%s\"%s%s}\n", t_us ? t_us :
	    jtrace_now_us(), tool, (long)getpid(), kind, fields[0] ? "," : "",
	    fields);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = saved;
		return;		/* fields are cut to fit before this */
	}
	if (write(trace_fd, line, (size_t)n) < 0) {
		/* a full disk: the narration on stderr goes on regardless */
	}
	errno = saved;
}

/* A numbered call. */
void
jtrace_step(int step, const char *name, int fd, const char *call,
    long long start_us, long ret, int err)
{
	char fields[1536], text[1200], ename[32];

	if (trace_fd < 0)
		return;
	jtrace_string(call, text, sizeof(text));
	if (ret < 0)
		snprintf(ename, sizeof(ename), "\"%s\"", trace_errno_name(err));
	else
		snprintf(ename, sizeof(ename), "null");
	snprintf(fields, sizeof(fields), "\"step\":%d,\"name\":\"%s\","
	    "\"fd\":%d,\"call\":%s,\"start_us\":%lld,\"result\":%ld,"
	    "\"errno\":%s", step, name ? name : trace_step_name(step), fd,
	    text, start_us, ret, ename);
	write_line("step", 0, fields);
}

/* A line of narration of kind, with an optional label. */
void
jtrace_text(const char *kind, const char *label, const char *text)
{
	char fields[2400], quoted[2048], lab[96];

	if (trace_fd < 0)
		return;
	jtrace_string(text, quoted, sizeof(quoted));
	if (label != NULL) {
		jtrace_string(label, lab, sizeof(lab));
		snprintf(fields, sizeof(fields), "\"label\":%s,\"text\":%s",
		    lab, quoted);
	} else {
		snprintf(fields, sizeof(fields), "\"text\":%s", quoted);
	}
	write_line(kind, 0, fields);
}

/* A state machine's transition. */
void
jtrace_transition(const char *machine, int fd, const char *from,
    const char *to)
{
	char fields[512], m[96], f[96], t[96];

	if (trace_fd < 0)
		return;
	jtrace_string(machine, m, sizeof(m));
	jtrace_string(from, f, sizeof(f));
	jtrace_string(to, t, sizeof(t));
	snprintf(fields, sizeof(fields), "\"machine\":%s,\"fd\":%d,\"from\":%s,"
	    "\"to\":%s", m, fd, f, t);
	write_line("transition", 0, fields);
}

/* A line whose other fields the caller wrote as JSON members. */
void
jtrace_fields(const char *kind, long long t_us, const char *fields)
{
	if (trace_fd >= 0)
		write_line(kind, t_us, fields);
}
