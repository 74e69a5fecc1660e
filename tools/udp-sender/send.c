/*
 * send.c - udp-sender's step 7: stdin lines or generated datagrams.
 *
 * A line of stdin, newline included, is one datagram: the receiver's
 * stdout then rebuilds the input exactly, and an empty line is a 1-byte
 * datagram, never "nothing". Generated datagrams go out in batches
 * (sendmmsg on Linux, see common/dgram.h), paced by --rate, or one
 * sendto each with --one-by-one: the same calls at every verbosity.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
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

/* Datagrams per sendmmsg call: enough to amortise the call. */
#define BATCH 64

/* Say why a send or recv failed, with the hint it needs; the exit code. */
int
send_failed(const struct sender *s, int err, int step)
{
	const char *dir = step == STEP_RECV ? "from" : "to";

	if (err == ECONNREFUSED) {
		trace_error("%s %s %s failed: %s (%s)", trace_step_name(step),
		    dir, s->where, strerror(err), trace_errno_name(err));
		trace_error("hint: this error belongs to an EARLIER datagram: "
		    "it reached %s, where nothing is bound, and that host "
		    "answered with an ICMP port-unreachable message. UDP "
		    "reports it only because this socket is connected "
		    "(--connect), on the next send or recv; an unconnected "
		    "socket never hears of it (lessons/10-datagrams.md)",
		    s->where);
		return EX_UNAVAILABLE;
	}
	if (err == EACCES && step == STEP_SEND && !s->opt->broadcast) {
		trace_error("%s to %s failed: %s (%s)", trace_step_name(step),
		    s->where, strerror(err), trace_errno_name(err));
		trace_error("hint: %s is a broadcast address: sending there "
		    "needs --broadcast (SO_BROADCAST) (lessons/10-datagrams.md)",
		    s->where);
		return EX_NOPERM;
	}
	return cli_error(err, step, s->where, "%s %s %s failed",
	    trace_step_name(step), dir, s->where);
}

/* After the first datagram: the local address the kernel picked. */
static void
narrate_ephemeral(const struct sender *s)
{
	struct sockaddr_storage local;
	socklen_t len;
	char me[ADDR_STRLEN];

	if (addr_local(s->fd, &local, &len, me, sizeof(me)) == 0)
		trace_status("sending to %s from %s (the kernel chose that "
		    "port at the first sendto)", s->where, me);
}

/* Step 7 for one datagram; after the first, narrate the chosen port.
 * 0, or -1 with errno. */
int
send_one(struct sender *s, const void *buf, size_t len)
{
	const struct sockaddr *to = s->opt->connect ? NULL :
	    (const struct sockaddr *)&s->to;

	/* Step 7, send: one sendto is one datagram (lessons/10-datagrams.md). */
	if (step_sendto(s->fd, buf, len, to, s->tolen) < 0)
		return -1;
	s->sent++;
	s->bytes += len;
	/* An unbound socket gets an ephemeral port at its first sendto. */
	if (s->sent == 1 && !s->bound)
		narrate_ephemeral(s);
	return 0;
}

/* Seconds since s->start. */
static double
elapsed(const struct sender *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - s->start.tv_sec) +
	    (double)(now.tv_nsec - s->start.tv_nsec) / 1e9;
}

/* Wait until datagram number sent+1 is due under --rate. */
void
pace(struct sender *s)
{
	struct timespec ts;
	double wait;

	if (s->opt->rate <= 0)
		return;
	if (s->sent == 0)
		clock_gettime(CLOCK_MONOTONIC, &s->start);
	wait = (double)s->sent / (double)s->opt->rate - elapsed(s);
	if (wait <= 0)
		return;
	ts.tv_sec = (time_t)wait;
	ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
	/* A caught Ctrl-C ends the wait: the caller sees step_stop. */
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !step_stop)
		continue;
}

/* Each line of stdin (with its newline) as one datagram; the exit
 * status. A closed stdin reads as empty (cli_init): nothing is sent. */
int
send_lines(struct sender *s)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = EX_OK, err;

	while (!step_stop && (len = getline(&line, &cap, stdin)) >= 0) {
		pace(s);
		if (step_stop)
			break;
		if (send_one(s, line, (size_t)len) < 0) {
			if (!step_stop)
				status = send_failed(s, errno, STEP_SEND);
			break;
		}
	}
	err = errno;
	if (status == EX_OK && !step_stop && ferror(stdin))
		status = io_report(IO_INPUT, err, "to", s->where);
	free(line);
	return status;
}

/* Fill buf with generated datagram number seq; its length. */
size_t
make_datagram(const struct options *opt, char *buf, unsigned long seq)
{
	size_t size = (size_t)opt->size;

	/* Dots, a newline at the end, and the number at the start. */
	memset(buf, '.', size);
	if (size > 0)
		buf[size - 1] = '\n';
	if (opt->seq)
		dgram_seq_format(buf, dgram_digits(opt->count), seq,
		    opt->count);
	return size;
}

/* How many datagrams --rate allows now (at least 1), at most max. */
static size_t
due(struct sender *s, size_t max)
{
	double may;

	if (s->opt->rate <= 0)
		return max;
	pace(s);	/* wait for the next one, then count how many are due */
	may = elapsed(s) * (double)s->opt->rate + 1 - (double)s->sent;
	if (may < 1)
		return 1;
	return may < (double)max ? (size_t)may : max;
}

/* Send datagrams 2.. of --count in batches of max, paced by --rate;
 * 0, or -1 with errno (EINTR when stopped). */
static int
send_batches(struct sender *s, struct dgram_batch *b, size_t max, size_t len)
{
	const struct options *opt = s->opt;
	const struct sockaddr *to = opt->connect ? NULL :
	    (const struct sockaddr *)&s->to;
	unsigned long total = (unsigned long)opt->count;
	unsigned width = dgram_digits(total);
	size_t i, n;

	for (i = 0; i < max; i++) {
		make_datagram(opt, dgram_slot(b, i), 1);
		b->lens[i] = len;
	}
	while (s->sent < total && !step_stop) {
		n = due(s, max);
		if (n > total - s->sent)
			n = total - s->sent;
		/* Only the number changes from one datagram to the next. */
		for (i = 0; opt->seq && i < n; i++)
			dgram_seq_format(dgram_slot(b, i), width,
			    s->sent + 1 + i, total);
		/* Step 7, send: a batch in one call (lessons/10-datagrams.md). */
		if (dgram_send_batch(s->fd, b, n, to, s->tolen,
		    opt->connect) < 0)
			return -1;
		s->sent += n;
		s->bytes += (unsigned long long)n * len;
	}
	return 0;
}

/* --count datagrams of --size bytes, batched, paced by --rate; the exit
 * status. The first goes alone, by sendto: it is the one that binds an
 * unbound socket, and the port the kernel chose is narrated after it. */
int
send_generated(struct sender *s)
{
	const struct options *opt = s->opt;
	struct dgram_batch b;
	size_t len, max = opt->one_by_one ? 1 : BATCH;
	int rc, err;

	if (dgram_batch_init(&b, max, opt->size > 0 ? (size_t)opt->size :
	    1) < 0)
		return cli_error(errno, STEP_NONE, NULL,
		    "cannot allocate buffers");
	len = make_datagram(opt, dgram_slot(&b, 0), 1);
	pace(s);
	rc = step_stop ? 0 : send_one(s, dgram_slot(&b, 0), len);
	if (rc == 0)
		rc = send_batches(s, &b, max, len);
	err = errno;
	dgram_batch_free(&b);
	if (rc < 0 && !step_stop)
		return send_failed(s, err, STEP_SEND);
	return EX_OK;
}
