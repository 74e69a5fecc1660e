/*
 * ping.c - udp-sender --ping: send a datagram, wait for udp-receiver
 * --reply to send it back, and time the round trip, like ping(8).
 *
 * UDP promises nothing, so a reply may never come: -w bounds the wait
 * (SO_RCVTIMEO), and a missing reply is counted as lost, not fatal.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "dgram.h"
#include "sender.h"
#include "step.h"
#include "trace.h"

/* Round-trip times seen so far, in milliseconds. */
struct rtts {
	unsigned long received;
	double min, max, sum;
};

/* SIGINT/SIGTERM: stop waiting, then print the summary. */
static void
on_signal(int sig)
{
	(void)sig;
	step_stop = 1;
}

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

/* One round trip: the RTT in ms, -1 on timeout, -2 when interrupted. */
static double
round_trip(struct sender *s, const char *buf, size_t len, char *reply)
{
	struct sockaddr_storage from;
	socklen_t fromlen;
	struct timespec t0, t1;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	send_one(s, buf, len);
	for (;;) {
		/* Step 8, recv: wait for the echo (lessons/10-datagrams.md). */
		n = step_recvfrom(s->fd, reply, DGRAM_SLOT, &from, &fromlen);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -1;
		if (n < 0 && errno == EINTR)
			return -2;
		if (n < 0)
			die_send(s, errno, STEP_RECV);
		if (is_echo(s, &from, fromlen, reply, n, buf, len))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ms_between(&t0, &t1);
}

/* The next payload: generated number seq, or the next stdin line.
 * Its length, or -1 when there is none. */
static ssize_t
next_payload(const struct options *opt, unsigned long seq, char **buf,
    size_t *cap)
{
	if (opt->count == 0)
		return getline(buf, cap, stdin);
	if (seq > opt->count)
		return -1;
	return (ssize_t)make_datagram(opt, *buf, seq);
}

/* Print a line to stdout at once, so a watcher sees each reply. */
static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fflush(stdout) != 0)
		die_errno(errno, STEP_NONE, NULL, "cannot write to stdout");
}

/* --ping: send, wait for the echo, print RTTs; the exit status. */
int
ping(struct sender *s)
{
	const struct options *opt = s->opt;
	struct rtts r = { 0, 0, 0, 0 };
	struct sigaction sa;
	char *buf, *reply = malloc(DGRAM_SLOT);
	size_t cap = opt->count ? (size_t)opt->size + 1 : 0;
	unsigned long seq, lost;
	ssize_t len;
	double rtt;

	buf = cap ? malloc(cap) : NULL;
	if (reply == NULL || (cap && buf == NULL))
		die_errno(ENOMEM, STEP_NONE, NULL, "cannot allocate buffers");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (seq = 1; !step_stop; seq++) {
		len = next_payload(opt, seq, &buf, &cap);
		if (len < 0)
			break;
		pace(s);
		rtt = round_trip(s, buf, (size_t)len, reply);
		if (rtt == -2)
			break;
		if (rtt < 0) {
			say("no reply from %s: seq=%lu (waited %d.%03d s)\n",
			    s->where, seq, opt->timeout_ms / 1000,
			    opt->timeout_ms % 1000);
			continue;
		}
		if (r.received == 0 || rtt < r.min)
			r.min = rtt;
		if (rtt > r.max)
			r.max = rtt;
		r.sum += rtt;
		r.received++;
		say("%zd bytes from %s: seq=%lu time=%.3f ms\n", len, s->where,
		    seq, rtt);
	}
	lost = s->sent - r.received;
	say("--- %s udp ping: %lu sent, %lu received, %.1f%% lost\n",
	    s->where, s->sent, r.received, s->sent ? 100.0 * (double)lost /
	    (double)s->sent : 0.0);
	if (r.received > 0)
		say("rtt min/avg/max = %.3f/%.3f/%.3f ms\n", r.min,
		    r.sum / (double)r.received, r.max);
	free(buf);
	free(reply);
	return lost > 0 ? EX_TEMPFAIL : EX_OK;
}
