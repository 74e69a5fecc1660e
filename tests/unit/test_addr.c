/*
 * test_addr.c - ports and addresses as text (common/addr.c), and the
 * datagram sequence header (common/dgram.c).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>

#include "addr.h"
#include "dgram.h"
#include "trace.h"
#include "unit.h"

/* addr_parse_port: digits only, 1..65535, 0 when allowed. */
static void
test_ports(void)
{
	unsigned p = 1234;

	CHECK(addr_parse_port("1", 0, &p) == 0 && p == 1);
	CHECK(addr_parse_port("65535", 0, &p) == 0 && p == 65535);
	CHECK(addr_parse_port("0", 1, &p) == 0 && p == 0);
	CHECK(addr_parse_port("0", 0, &p) < 0);
	CHECK(addr_parse_port("65536", 0, &p) < 0);
	CHECK(addr_parse_port("99999999999999999999", 0, &p) < 0);
	CHECK(addr_parse_port("", 0, &p) < 0);
	CHECK(addr_parse_port(NULL, 0, &p) < 0);
	CHECK(addr_parse_port("-1", 1, &p) < 0);
	CHECK(addr_parse_port("+1", 1, &p) < 0);
	CHECK(addr_parse_port(" 1", 1, &p) < 0);
	CHECK(addr_parse_port("7a", 1, &p) < 0);
	CHECK(addr_parse_port("0x10", 1, &p) < 0);
	CHECK(addr_parse_port("00080", 1, &p) == 0 && p == 80);
	CHECK(addr_parse_port("000000", 1, &p) < 0);
}

/* addr_format: the text every tool prints for an address. */
static void
test_format(void)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr_un un;
	char buf[ADDR_STRLEN];
	socklen_t len;

	memset(&in4, 0, sizeof(in4));
	in4.sin_family = AF_INET;
	in4.sin_port = htons(7000);
	inet_pton(AF_INET, "127.0.0.1", &in4.sin_addr);
	CHECK_STR(addr_format((struct sockaddr *)&in4, sizeof(in4), buf,
	    sizeof(buf)), "127.0.0.1:7000");
	CHECK(addr_port((struct sockaddr *)&in4) == 7000);

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(443);
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	CHECK_STR(addr_format((struct sockaddr *)&in6, sizeof(in6), buf,
	    sizeof(buf)), "[::1]:443");
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr);
	CHECK_STR(addr_format((struct sockaddr *)&in6, sizeof(in6), buf,
	    sizeof(buf)), "10.1.2.3:443");

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/tmp/x.sock");
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 12);
	CHECK_STR(addr_format((struct sockaddr *)&un, len, buf, sizeof(buf)),
	    "/tmp/x.sock");
	memcpy(un.sun_path, "\0name", 5);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 5);
	CHECK_STR(addr_format((struct sockaddr *)&un, len, buf, sizeof(buf)),
	    "@name");
	len = (socklen_t)offsetof(struct sockaddr_un, sun_path);
	CHECK_STR(addr_format((struct sockaddr *)&un, len, buf, sizeof(buf)),
	    "(unnamed)");
	/* A buffer too small is cut, never overrun. */
	CHECK(strlen(addr_format((struct sockaddr *)&in4, sizeof(in4), buf,
	    5)) == 4);
}

/* A bind loop's failures: an address in use is kept, both named. */
static void
test_failure(void)
{
	struct addr_failure f = { 0, "" };

	addr_failure_note(&f, EAFNOSUPPORT, "[::]:7");
	CHECK(f.err == EAFNOSUPPORT && strcmp(f.where, "[::]:7") == 0);
	addr_failure_note(&f, EADDRINUSE, "0.0.0.0:7");
	CHECK(f.err == EADDRINUSE && strcmp(f.where, "0.0.0.0:7") == 0);
	addr_failure_note(&f, EACCES, "10.0.0.1:7");
	CHECK(f.err == EADDRINUSE && strcmp(f.where, "0.0.0.0:7") == 0);
	f = (struct addr_failure){ 0, "" };
	addr_failure_note(&f, EADDRINUSE, "[::]:7");
	addr_failure_note(&f, EADDRINUSE, "0.0.0.0:7");
	CHECK_STR(f.where, "[::]:7 and 0.0.0.0:7");
}

/* The "SEQ/TOTAL " header udp-sender writes and udp-receiver reads. */
static void
test_seq(void)
{
	char buf[64];
	unsigned long seq = 0, total = 0;
	size_t n;

	n = dgram_seq_format(buf, 7, 42, 1000000);
	CHECK(n == 16 && memcmp(buf, "0000042/1000000 ", 16) == 0);
	CHECK(dgram_seq_parse(buf, n, &seq, &total) == 1 && seq == 42 &&
	    total == 1000000);
	CHECK(dgram_seq_parse("5/9\n", 4, &seq, &total) == 1 && seq == 5);
	CHECK(dgram_seq_parse("5/9", 3, &seq, &total) == 1 && total == 9);
	CHECK(dgram_seq_parse("0/9 ", 4, &seq, &total) == 0);
	CHECK(dgram_seq_parse("5/", 2, &seq, &total) == 0);
	CHECK(dgram_seq_parse("/5 ", 3, &seq, &total) == 0);
	CHECK(dgram_seq_parse("5/9x", 4, &seq, &total) == 0);
	CHECK(dgram_seq_parse("hello", 5, &seq, &total) == 0);
	CHECK(dgram_seq_parse("", 0, &seq, &total) == 0);
	CHECK(dgram_seq_parse("99999999999/1 ", 14, &seq, &total) == 0);
	CHECK(dgram_seq_parse("1000000001/1 ", 13, &seq, &total) == 0);
	CHECK(dgram_seq_parse("1000000000/1000000000 ", 22, &seq, &total) ==
	    1 && seq == 1000000000UL);
	CHECK(dgram_digits(0) == 1 && dgram_digits(9) == 1 &&
	    dgram_digits(10) == 2 && dgram_digits(1000000) == 7);
}

int
main(void)
{
	trace_init("unit");
	unit_quiet();
	test_ports();
	test_format();
	test_failure();
	test_seq();
	return unit_report("test_addr");
}
