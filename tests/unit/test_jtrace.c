/*
 * test_jtrace.c - the pure parts of --trace and --step: JSON strings
 * (common/jtrace.c) and the one-line kernel state (common/sockstate.c).
 */
#include <sys/socket.h>
#include <string.h>

#include "jtrace.h"
#include "sockstate.h"
#include "unit.h"

/* A JSON string of text, in a buffer of size bytes. */
static const char *
json(const char *text, size_t size)
{
	static char out[256];

	jtrace_string(text, out, size);
	return out;
}

static void
test_strings(void)
{
	char small[10];

	CHECK_STR(json("bind(fd=3, 0.0.0.0:7000)", 256),
	    "\"bind(fd=3, 0.0.0.0:7000)\"");
	CHECK_STR(json("a \"quote\" and a \\", 256),
	    "\"a \\\"quote\\\" and a \\\\\"");
	CHECK_STR(json("tab\there\nnl\x1b[0m", 256),
	    "\"tab\\u0009here\\u000anl\\u001b[0m\"");
	CHECK_STR(json("", 256), "\"\"");
	/* UTF-8 passes; a stray byte, an overlong form or a surrogate does not */
	CHECK_STR(json("caf\xc3\xa9 \xe2\x80\x94", 256),
	    "\"caf\xc3\xa9 \xe2\x80\x94\"");
	CHECK_STR(json("\xff\xc3", 256), "\"\\u00ff\\u00c3\"");
	CHECK_STR(json("\xc0\xaf", 256), "\"\\u00c0\\u00af\"");
	CHECK_STR(json("\xed\xa0\x80", 256), "\"\\u00ed\\u00a0\\u0080\"");
	CHECK_STR(json("\xf4\x90\x80\x80", 256),
	    "\"\\u00f4\\u0090\\u0080\\u0080\"");
	/* cut to fit, still one valid string */
	CHECK(jtrace_string("0123456789abcdef", small, sizeof(small)) < 10);
	CHECK(small[0] == '"' && small[strlen(small) - 1] == '"');
	CHECK(jtrace_string("x", small, 2) == 0 && small[0] == '\0');
}

/* A state with nothing known, as sockstate_query() starts one. */
static struct sockstate
blank(int family, int type, int tcp_state)
{
	struct sockstate s;

	memset(&s, 0, sizeof(s));
	s.family = family;
	s.type = type;
	s.tcp_state = tcp_state;
	s.connected = -1;
	s.accept_queue = s.backlog = s.inq = s.outq = s.unsent = -1;
	return s;
}

static void
test_states(void)
{
	struct sockstate s;
	char buf[200];

	s = blank(AF_INET, SOCK_STREAM, 10);
	s.listening = 1;
	s.accept_queue = 1;
	s.backlog = 128;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "LISTEN, accept queue 1 of 128");
	s = blank(AF_INET6, SOCK_STREAM, 1);
	s.inq = 12;
	s.outq = s.unsent = 0;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "ESTABLISHED, 12 bytes waiting in the receive queue, 0 unsent");
	s.outq = 100;
	s.unsent = 40;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "ESTABLISHED, 12 bytes waiting in the receive queue, 40 unsent, "
	    "60 sent but not yet acknowledged");
	/* states where no data flows say only their name, unless it waits */
	s = blank(AF_INET, SOCK_STREAM, 5);
	s.inq = s.outq = s.unsent = 0;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)), "FIN_WAIT2");
	s = blank(AF_INET, SOCK_STREAM, 4);
	s.inq = 0;
	s.outq = s.unsent = 5;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "FIN_WAIT1, 0 bytes waiting in the receive queue, 5 unsent");
	s = blank(AF_INET, SOCK_DGRAM, -1);
	s.connected = 0;
	s.inq = 0;
	s.outq = 0;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "UDP, not connected, no datagram waiting, 0 bytes in the send queue");
	s.inq = 512;
	s.connected = 1;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "UDP, connected, the next datagram waiting is 512 bytes, "
	    "0 bytes in the send queue");
	s = blank(AF_UNIX, SOCK_STREAM, -1);
	s.connected = 1;
	s.inq = 3;
	s.outq = 7;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)),
	    "ESTABLISHED, 3 bytes waiting in the receive queue, 7 bytes not "
	    "yet read by the peer");
	s = blank(AF_UNIX, SOCK_STREAM, -1);
	s.listening = 1;
	CHECK_STR(sockstate_format(&s, buf, sizeof(buf)), "LISTEN");
	/* a small buffer is cut, never overrun */
	s = blank(AF_INET, SOCK_STREAM, 1);
	s.inq = s.outq = s.unsent = 0;
	CHECK(strlen(sockstate_format(&s, buf, 8)) == 7);
	CHECK_STR(sockstate_tcp_name(6), "TIME_WAIT");
	CHECK_STR(sockstate_tcp_name(12), "SYN_RECV");
	CHECK_STR(sockstate_tcp_name(99), "UNKNOWN");
	CHECK_STR(sockstate_tcp_name(-1), "UNKNOWN");
}

int
main(void)
{
	unit_quiet();
	test_strings();
	test_states();
	return unit_report("test_jtrace");
}
