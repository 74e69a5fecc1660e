/*
 * test_dgram.c - the batch helpers of common/dgram.c that need no socket:
 * a batch's bytes, and how its narration names where datagrams went.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include "dgram.h"
#include "trace.h"
#include "unit.h"

/* Put a datagram of len bytes from 127.0.0.1:port into slot i. */
static void
put(struct dgram_batch *b, size_t i, size_t len, unsigned port)
{
	struct sockaddr_in in4;

	memset(&in4, 0, sizeof(in4));
	in4.sin_family = AF_INET;
	in4.sin_port = htons((unsigned short)port);
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&b->addrs[i], 0, sizeof(b->addrs[i]));
	memcpy(&b->addrs[i], &in4, sizeof(in4));
	b->addrlens[i] = sizeof(in4);
	b->lens[i] = len;
}

/* Up to DGRAM_NAMED datagrams are named one by one. */
static void
test_short(void)
{
	struct dgram_batch b;
	char out[512];

	CHECK(dgram_batch_init(&b, 8, 16) == 0);
	put(&b, 0, 4, 5000);
	put(&b, 1, 1, 6000);
	put(&b, 2, 0, 5000);
	CHECK(dgram_bytes(&b, 0, 3) == 5 && dgram_bytes(&b, 1, 2) == 1);
	CHECK_STR(dgram_describe(&b, 0, 3, "from", out, sizeof(out)),
	    ": 4 bytes from 127.0.0.1:5000, 1 byte from 127.0.0.1:6000, "
	    "0 bytes from 127.0.0.1:5000");
	CHECK_STR(dgram_describe(&b, 1, 1, "to", out, sizeof(out)),
	    ": 1 byte to 127.0.0.1:6000");
	CHECK_STR(dgram_describe(&b, 0, 0, "to", out, sizeof(out)), "");
	/* A small buffer is cut, never overrun. */
	CHECK(strlen(dgram_describe(&b, 0, 3, "from", out, 12)) == 11);
	dgram_batch_free(&b);
}

/* A longer batch is summed up: one sender, or how many there were. */
static void
test_long(void)
{
	struct dgram_batch b;
	char out[512];
	size_t i;

	CHECK(dgram_batch_init(&b, 64, 16) == 0);
	for (i = 0; i < 64; i++)
		put(&b, i, 10, 7000);
	CHECK_STR(dgram_describe(&b, 0, 64, "from", out, sizeof(out)),
	    ": 640 bytes, all from 127.0.0.1:7000");
	put(&b, 10, 10, 7001);
	put(&b, 20, 10, 7002);
	put(&b, 30, 10, 7001);
	CHECK_STR(dgram_describe(&b, 0, 64, "from", out, sizeof(out)),
	    ": 640 bytes from 3 addresses");
	CHECK_STR(dgram_describe(&b, 11, 9, "to", out, sizeof(out)),
	    ": 90 bytes, all to 127.0.0.1:7000");
	dgram_batch_free(&b);
}

int
main(void)
{
	trace_init("unit");
	unit_quiet();
	test_short();
	test_long();
	return unit_report("test_dgram");
}
