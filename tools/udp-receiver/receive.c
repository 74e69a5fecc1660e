/*
 * receive.c - udp-receiver's loop: recvfrom (in batches), then write,
 * show, count or reply, until -c, -w or Ctrl-C ends it.
 *
 * Nothing received is ever dropped on the way out: each batch is written
 * to stdout completely before the next recv, so whatever ends the loop
 * (a count, a timeout, a signal caught by main) finds nothing left in a
 * buffer. A batch is what one recvmmsg returned (up to 64 datagrams, on
 * Linux), or one datagram by recvfrom when only one is wanted (-c, or
 * --one-by-one): the same calls at every verbosity.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "dgram.h"
#include "io.h"
#include "receiver.h"
#include "step.h"
#include "trace.h"

/* Datagrams taken per recvmmsg call: enough to amortise the call. */
#define BATCH 64

/* Write iov[0..n) to fd completely, despite partial writes; 0 or -1. */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;	/* even when stopping: finish the batch */
		if (w < 0)
			return -1;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Default output: the payloads of the batch, back to back, in one writev. */
static int
write_payloads(const struct dgram_batch *b)
{
	struct iovec iov[BATCH];
	size_t i;

	for (i = 0; i < b->n; i++) {
		iov[i].iov_base = dgram_slot(b, i);
		iov[i].iov_len = b->lens[i];
	}
	return writev_all(STDOUT_FILENO, iov, (int)b->n);
}

/* --show: one line per datagram, "FROM SIZE bytes "PREVIEW"". */
static int
show_lines(const struct dgram_batch *b)
{
	static char text[BATCH * 512];	/* a line is at most ~400 bytes */
	char from[ADDR_STRLEN], preview[200];
	struct iovec iov;
	size_t i, used = 0;

	for (i = 0; i < b->n; i++) {
		addr_format((const struct sockaddr *)&b->addrs[i],
		    b->addrlens[i], from, sizeof(from));
		trace_escape(dgram_slot(b, i), b->lens[i], 48, preview,
		    sizeof(preview));
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%s %zu byte%s %s\n", from, b->lens[i],
		    b->lens[i] == 1 ? "" : "s", preview);
	}
	iov.iov_base = text;
	iov.iov_len = used;
	return writev_all(STDOUT_FILENO, &iov, 1);
}

/* What one batch becomes: output, statistics, replies. 0, or the exit
 * status after saying why. */
static int
handle_batch(int fd, const struct options *opt, struct dgram_batch *b,
    struct seqstats *st)
{
	size_t i;
	int rc = 0;

	if (opt->stats)
		for (i = 0; i < b->n; i++)
			stats_add(st, dgram_slot(b, i), b->lens[i]);
	else
		st->received += b->n;
	if (opt->show)
		rc = show_lines(b);
	else if (!opt->stats)
		rc = write_payloads(b);
	/* A closed or full stdout is our failure, never the sender's. */
	if (rc < 0)
		return io_report(IO_OUTPUT, errno, "from", NULL);
	/* Step 7, send: each datagram back to the address recvfrom gave. */
	if (opt->reply && dgram_send_batch(fd, b, b->n, NULL, 0, 0) < 0)
		trace_error("reply failed: %s (%s); carrying on",
		    strerror(errno), trace_errno_name(errno));
	return 0;
}

/* Why the recv failed, if it was not a caught signal: the exit status. */
static int
recv_ended(int err, const struct options *opt, const struct seqstats *st)
{
	if (err == EINTR && step_stop) {	/* Ctrl-C: report and stop */
		trace_status("interrupted: stopping");
		return EX_OK;
	}
	if (err == EAGAIN || err == EWOULDBLOCK) {	/* -w ran out */
		trace_status("no datagram for %d.%03d s: stopping",
		    opt->idle_ms / 1000, opt->idle_ms % 1000);
		return st->received == 0 ? EX_TEMPFAIL : EX_OK;
	}
	return cli_error(err, STEP_RECV, NULL, "cannot receive");
}

/* Steps 8 (and 7) until -c, -w or a signal; returns the exit status. */
int
receive_loop(int fd, const struct options *opt, struct seqstats *st)
{
	unsigned long count = (unsigned long)opt->count;
	struct dgram_batch b;
	size_t want, max = opt->one_by_one ? 1 : BATCH;
	int rc = EX_OK;

	if (dgram_batch_init(&b, max, DGRAM_SLOT) < 0)
		return cli_error(errno, STEP_NONE, NULL,
		    "cannot allocate buffers");
	while (!step_stop && (count == 0 || st->received < count)) {
		want = max;
		if (count > 0 && count - st->received < want)
			want = count - st->received;
		/* Step 8, recv: recvfrom for one, recvmmsg for a batch
		 * (lessons/08-recv.md, lessons/10-datagrams.md). */
		if (dgram_recv_batch(fd, &b, want) < 0) {
			rc = recv_ended(errno, opt, st);
			break;
		}
		if (opt->stats)
			stats_clock(st);
		if ((rc = handle_batch(fd, opt, &b, st)) != 0)
			break;
	}
	dgram_batch_free(&b);
	return rc;
}
