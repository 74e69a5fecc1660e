/*
 * fuzz_packet.c - libFuzzer harness for socket-watch's parsers: frames
 * (packet_decode, both link types, every capture length up to the
 * frame's), their lines' relative numbers (flows_relative), and the
 * kernel's sock_diag answers (diag_parse). The first byte chooses.
 *
 *   make fuzz FUZZ=packet FUZZ_SECONDS=60
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "flows.h"
#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct flows *flows;

/* Touch what a parsed socket holds, so a bad read shows. */
static void
each(const struct diag_sock *s, void *ctx)
{
	size_t *n = ctx;

	*n += strlen(s->name) + (size_t)s->state + s->rq;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet p;
	struct relative r;
	size_t n = 0, i;
	int done = 0;

	if (size < 1)
		return 0;
	if (flows == NULL && (flows = flows_new()) == NULL)
		return 0;
	if (data[0] & 1) {
		diag_parse(data + 1, size - 1, data[0] >> 1, &done, each, &n);
		return 0;
	}
	for (i = size - 1; i + 1 > 0 && i + 64 >= size - 1; i--) {
		/* the capture cut at i bytes, the frame size - 1 long */
		if (packet_decode(data + 1, i, size - 1, data[0] & 2 ?
		    PACKET_LINK_IP : PACKET_LINK_ETHERNET, &p) == 0 &&
		    p.proto == IPPROTO_TCP && !p.fragment && p.ipver != 0) {
			flows_relative(flows, &p, &r);
			n += p.captured ? p.payload[p.captured - 1] : 0;
		}
		if (i == 0)
			break;
	}
	return (int)(n & 0);
}
