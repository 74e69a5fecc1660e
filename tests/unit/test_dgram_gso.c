/*
 * test_dgram_gso.c - dgram_gso_fits and dgram_send_gso (common/
 * dgram_gso.c): which batches go in one UDP_SEGMENT send, and that the
 * receiver then gets the same datagrams, sizes, bytes and order, as if
 * each had been sent alone. Over 127.0.0.1.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "dgram.h"
#include "trace.h"
#include "unit.h"

/* Fill batch slot i with len bytes of the letter 'a' + i. */
static void
fill(struct dgram_batch *b, size_t i, size_t len)
{
	memset(dgram_slot(b, i), 'a' + (int)i, len);
	b->lens[i] = len;
}

/* Which batches fit one send (on Linux; nowhere else). */
static void
test_fits(struct dgram_batch *b)
{
	size_t seg = 0, i;

	for (i = 0; i < 4; i++)
		fill(b, i, 10);
	fill(b, 4, 3);
#ifdef __linux__
	CHECK(dgram_gso_fits(b, 5, &seg) && seg == 10);
	CHECK(dgram_gso_fits(b, 4, &seg) && seg == 10);	/* all the same */
	CHECK(!dgram_gso_fits(b, 1, &seg));		/* one: sendto */
	fill(b, 4, 11);
	CHECK(!dgram_gso_fits(b, 5, &seg));		/* last longer */
	fill(b, 4, 0);
	CHECK(!dgram_gso_fits(b, 5, &seg));		/* last empty */
	fill(b, 2, 9);
	CHECK(!dgram_gso_fits(b, 4, &seg));		/* sizes differ */
	for (i = 0; i < DGRAM_GSO_MAX + 1; i++)
		fill(b, i, 8);
	CHECK(dgram_gso_fits(b, DGRAM_GSO_MAX, &seg));
	CHECK(!dgram_gso_fits(b, DGRAM_GSO_MAX + 1, &seg));	/* too many */
	for (i = 0; i < 2; i++)
		fill(b, i, 40000);
	CHECK(!dgram_gso_fits(b, 2, &seg));		/* over 65507 bytes */
#else
	CHECK(!dgram_gso_fits(b, 5, &seg));
#endif
}

#ifdef __linux__
/* Four datagrams of 10 bytes and one of 3 in one send arrive as five. */
static void
test_send(struct dgram_batch *b)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char got[64];
	size_t seg, i;
	ssize_t n;
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET,
	    SOCK_DGRAM, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(r >= 0 && s >= 0);
	CHECK(bind(r, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(getsockname(r, (struct sockaddr *)&sin, &len) == 0);
	for (i = 0; i < 4; i++)
		fill(b, i, 10);
	fill(b, 4, 3);
	CHECK(dgram_gso_fits(b, 5, &seg));
	/* Unconnected, to an address; then connected, to none. */
	CHECK(dgram_send_gso(s, b, 5, seg, (struct sockaddr *)&sin,
	    sizeof(sin)) == 5);
	CHECK(connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(dgram_send_gso(s, b, 5, seg, NULL, 0) == 5);
	for (i = 0; i < 10; i++) {
		n = recv(r, got, sizeof(got), MSG_DONTWAIT);
		CHECK(n == (i % 5 == 4 ? 3 : 10));
		CHECK(n > 0 && got[0] == 'a' + (int)(i % 5) &&
		    got[n - 1] == 'a' + (int)(i % 5));
	}
	CHECK(recv(r, got, sizeof(got), MSG_DONTWAIT) < 0);	/* no more */
	close(r);
	close(s);
}
#endif

int
main(void)
{
	struct dgram_batch b;

	unit_quiet();
	trace_init("test_dgram_gso");
	trace_set_level(TRACE_QUIET);
	CHECK(dgram_batch_init(&b, DGRAM_GSO_MAX + 1, 65536) == 0);
	test_fits(&b);
#ifdef __linux__
	test_send(&b);
#endif
	dgram_batch_free(&b);
	return unit_report("test_dgram_gso");
}
