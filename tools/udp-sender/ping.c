/*
 * ping.c - udp-sender --ping: send a datagram, wait for udp-receiver
 * --reply to send it back, and time the round trip, like ping(8).
 *
 * UDP promises nothing, so a reply may never come: -w bounds the wait
 * (SO_RCVTIMEO), and a missing reply is counted as lost, not fatal.
 * Ctrl-C (caught by main, cli_catch_stop) ends the pings; the report is
 * printed before the tool dies of the signal.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "dgram.h"
#include "io.h"
#include "sender.h"
#include "step.h"
#include "trace.h"

/* Round-trip times seen so far, in milliseconds. */
struct rtts {
	unsigned long received;
	double min, max, sum;
};

/* What one round trip came to. */
enum trip {
	TRIP_ECHO,	/* the echo came back: the RTT is set */
	TRIP_LOST,	/* no echo within -w */
	TRIP_STOPPED,	/* a caught SIGINT or SIGTERM */
	TRIP_FAILED	/* the send or the recv failed: errno says why */
};

/* Milliseconds from a to b. */
static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* True when the datagram in reply is the echo of buf from the target. */
static int
is_echo(const struct sender *s, const struct sockaddr_storage *from,
    socklen_t fromlen, const char *reply, ssize_t n, const char *buf,
    size_t len)
{
	char who[ADDR_STRLEN];

	addr_format((const struct sockaddr *)from, fromlen, who, sizeof(who));
	if (strcmp(who, s->where) != 0 || (size_t)n != len ||
	    memcmp(reply, buf, len) != 0) {
		trace_status("ignoring a datagram from %s: not the echo of the "
		    "last one (a late reply?)", who);
		return 0;
	}
	return 1;
}

/* One round trip of buf: its outcome, the RTT in *rtt, and in *step the
 * step that failed (TRIP_FAILED, with errno). */
static enum trip
round_trip(struct sender *s, const char *buf, size_t len, char *reply,
    double *rtt, int *step)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct timespec t0, t1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*step = STEP_SEND;
	if (send_one(s, buf, len) < 0)
		return step_stop ? TRIP_STOPPED : TRIP_FAILED;
	*step = STEP_RECV;
	for (;;) {
		/* Step 8, recv: wait for the echo (lessons/10-datagrams.md). */
		n = step_recvfrom(s->fd, reply, DGRAM_SLOT, &from, &fromlen);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRIP_LOST;
		if (n < 0)
			return step_stop ? TRIP_STOPPED : TRIP_FAILED;
		if (is_echo(s, &from, fromlen, reply, n, buf, len))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*rtt = ms_between(&t0, &t1);
	return TRIP_ECHO;
}

/* The next payload: generated number seq, or the next stdin line.
 * Its length, or -1 when there is none. */
static ssize_t
next_payload(const struct options *opt, unsigned long seq, char **buf,
    size_t *cap)
{
	if (opt->count == 0)
		return getline(buf, cap, stdin);
	if (seq > (unsigned long)opt->count)
		return -1;
	return (ssize_t)make_datagram(opt, *buf, seq);
}

/* Print a line to stdout at once, so a watcher sees each reply;
 * 0, or -1 with errno. */
static int
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

/* Count and print the outcome of ping seq; 0, or -1 with errno. */
static int
tell_trip(const struct sender *s, struct rtts *r, enum trip trip,
    unsigned long seq, size_t len, double rtt)
{
	int ms = s->opt->timeout_ms;

	if (trip == TRIP_LOST)
		return say("no reply from %s: seq=%lu (waited %d.%03d s)\n",
		    s->where, seq, ms / 1000, ms % 1000);
	if (r->received == 0 || rtt < r->min)
		r->min = rtt;
	if (rtt > r->max)
		r->max = rtt;
	r->sum += rtt;
	r->received++;
	return say("%zu bytes from %s: seq=%lu time=%.3f ms\n", len, s->where,
	    seq, rtt);
}

/* The closing report, like ping(8)'s; 0, or -1 with errno. */
static int
tell_summary(const struct sender *s, const struct rtts *r)
{
	unsigned long lost = s->sent - r->received;

	if (say("--- %s udp ping: %lu sent, %lu received, %.1f%% lost\n",
	    s->where, s->sent, r->received, s->sent ? 100.0 * (double)lost /
	    (double)s->sent : 0.0) < 0)
		return -1;
	if (r->received > 0)
		return say("rtt min/avg/max = %.3f/%.3f/%.3f ms\n", r->min,
		    r->sum / (double)r->received, r->max);
	return 0;
}

/* Ping after ping until the payloads end, a send or recv fails, stdout
 * fails or a signal stops us; 0, or the exit status after saying why. */
static int
ping_loop(struct sender *s, struct rtts *r, char **buf, size_t *cap,
    char *reply)
{
	unsigned long seq;
	enum trip trip;
	ssize_t len;
	double rtt = 0;
	int step, err;

	for (seq = 1; !step_stop; seq++) {
		len = next_payload(s->opt, seq, buf, cap);
		if (len < 0 && ferror(stdin) && !step_stop)
			return io_report(IO_INPUT, errno, "to", s->where);
		if (len < 0)
			break;
		pace(s);
		if (step_stop)
			break;
		trip = round_trip(s, *buf, (size_t)len, reply, &rtt, &step);
		err = errno;
		if (trip == TRIP_STOPPED)
			break;
		if (trip == TRIP_FAILED)
			return send_failed(s, err, step);
		if (tell_trip(s, r, trip, seq, (size_t)len, rtt) < 0)
			return io_report(IO_OUTPUT, errno, "to", s->where);
	}
	return 0;
}

/* --ping: send, wait for the echo, print RTTs; the exit status. */
int
ping(struct sender *s)
{
	struct rtts r = { 0, 0, 0, 0 };
	char *buf, *reply = malloc(DGRAM_SLOT);
	size_t cap = s->opt->count ? (size_t)s->opt->size + 1 : 0;
	int status;

	buf = cap ? malloc(cap) : NULL;
	if (reply == NULL || (cap && buf == NULL)) {
		free(buf);
		free(reply);
		return cli_error(ENOMEM, STEP_NONE, NULL,
		    "cannot allocate buffers");
	}
	status = ping_loop(s, &r, &buf, &cap, reply);
	/* Stopped by Ctrl-C or at the end: the report is owed either way. */
	if (status == EX_OK && tell_summary(s, &r) < 0)
		status = io_report(IO_OUTPUT, errno, "to", s->where);
	if (status == EX_OK && s->sent > r.received)
		status = EX_TEMPFAIL;
	free(buf);
	free(reply);
	return status;
}
