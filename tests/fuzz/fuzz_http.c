/*
 * fuzz_http.c - libFuzzer harness for mini-httpd's request-head parser
 * and its path decoder (pure functions over bytes): no crash, no read
 * outside the input, spans inside the input, a complete head no longer
 * than the input, and a decoded path that never climbs above the root.
 *
 *   make fuzz FUZZ=http FUZZ_SECONDS=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless span s lies inside buf[0..n). */
static void
inside(struct http_span s, const char *buf, size_t n)
{
	if (s.n > 0 && (s.p < buf || s.p + s.n > buf + n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct http_span path;
	char *buf = malloc(size ? size : 1), rel[512];
	int rc, slash;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);	/* an exact-size copy: ASan sees overreads */
	rc = http_parse(buf, size, 8192, &req);
	if (rc == HTTP_COMPLETE) {
		if (req.head_len == 0 || req.head_len > size)
			abort();
		inside(req.method, buf, size);
		inside(req.target, buf, size);
		inside(req.range, buf, size);
		inside(req.if_none_match, buf, size);
		if (files_target(req.target, 0, rel, sizeof(rel), &path,
		    &slash) == 0) {
			/* No ".." segment survives, and nothing absolute. */
			if (rel[0] == '/' || strcmp(rel, "..") == 0 ||
			    strncmp(rel, "../", 3) == 0 || strstr(rel, "/../") ||
			    (strlen(rel) >= 3 &&
			    strcmp(rel + strlen(rel) - 3, "/..") == 0))
				abort();
		}
	} else if (rc == HTTP_ERROR) {
		if (req.status < 400 || req.status > 505)
			abort();
	}
	free(buf);
	return 0;
}
