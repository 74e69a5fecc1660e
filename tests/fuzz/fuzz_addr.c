/*
 * fuzz_addr.c - libFuzzer harness for the address helpers (common/addr.c):
 * port parsing must accept exactly the decimal numbers 1..65535 (0 when
 * allowed) and addr_format must print any sockaddr without overrunning.
 *
 *   make fuzz FUZZ=addr FUZZ_SECONDS=60
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference answer: decimal digits only, 1..5 of them, in range. */
static int
expected_port(const char *text, int allow_zero, unsigned *port)
{
	size_t i, n = strlen(text);
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(text[i] - '0');
	}
	if (v > 65535 || (v == 0 && !allow_zero))
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64], out[ADDR_STRLEN];
	struct sockaddr_storage ss;
	unsigned got = 0, want = 0;
	int allow_zero;

	/* 1: the port parser against the reference. */
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		for (allow_zero = 0; allow_zero <= 1; allow_zero++) {
			int rc = addr_parse_port(text, allow_zero, &got);
			int ref = expected_port(text, allow_zero, &want);

			if (rc != ref || (rc == 0 && got != want))
				abort();
		}
	}

	/* 2: formatting arbitrary bytes as a sockaddr of any claimed length. */
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, data, size < sizeof(ss) ? size : sizeof(ss));
	addr_format((struct sockaddr *)&ss,
	    (socklen_t)(size < sizeof(ss) ? size : sizeof(ss)), out, sizeof(out));
	if (strlen(out) >= sizeof(out))
		abort();
	return 0;
}
