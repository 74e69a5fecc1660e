/*
 * cgi_env.c - the environment a CGI script runs with (RFC 3875, 4.1):
 * the request meta-variables, one HTTP_* variable per header field, and
 * PATH; nothing else of the server's own environment.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi.h"
#include "cli.h"
#include "files.h"

/* Append "name=value" and its NUL. */
static int
put_var(struct growbuf *b, const char *name, const char *v, size_t n)
{
	return text_puts(b, name) | text_put(b, "=", 1) | text_put(b, v, n) |
	    text_put(b, "", 1);
}

/* put_var() for a C string. */
static int
put_str(struct growbuf *b, const char *name, const char *v)
{
	return put_var(b, name, v, strlen(v));
}

/* Fields a script never sees: its body's framing is the server's, the
 * credentials are not the script's to read (4.1.18), and HTTP_PROXY
 * would become the proxy of every HTTP library the script uses. */
static int
skipped_field(struct http_span name)
{
	return http_span_is(name, "content-length") ||
	    http_span_is(name, "content-type") ||
	    http_span_is(name, "transfer-encoding") ||
	    http_span_is(name, "authorization") ||
	    http_span_is(name, "proxy-authorization") ||
	    http_span_is(name, "proxy");
}

/* The next header line of the head after *pos: name and value. */
static int
next_field(const char *head, size_t len, size_t *pos, struct http_span *name,
    struct http_span *value)
{
	const char *lf = memchr(head + *pos, '\n', len - *pos);
	const char *p = head + *pos, *colon, *end;

	if (lf == NULL)
		return 0;
	*pos = (size_t)(lf - head) + 1;
	end = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
	if (end == p)
		return 0;	/* the empty line: the head is over */
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL)
		return next_field(head, len, pos, name, value);
	*name = (struct http_span){ p, (size_t)(colon - p) };
	for (p = colon + 1; p < end && (*p == ' ' || *p == '\t'); p++)
		continue;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*value = (struct http_span){ p, (size_t)(end - p) };
	return 1;
}

/* Whether two field names are the same (case-insensitive). */
static int
same_name(struct http_span a, struct http_span b)
{
	return a.n == b.n && strncasecmp(a.p, b.p, a.n) == 0;
}

/* Whether a field line in head[start..end) has this name. */
static int
seen_before(const char *head, size_t start, size_t end, struct http_span name)
{
	struct http_span n, v;
	size_t pos = start;

	while (next_field(head, end, &pos, &n, &v))
		if (same_name(n, name))
			return 1;
	return 0;
}

/* One HTTP_* variable for each field name in head[start..len), its
 * lines joined by ", " (RFC 3875 4.1.18); names with '_' are dropped,
 * so that "X-A" and "X_A" cannot both claim HTTP_X_A. */
static int
put_fields(struct growbuf *b, const char *head, size_t start, size_t len)
{
	struct http_span name, v, n2, v2;
	size_t pos = start, at, p2, i;
	char var[128];
	int rc = 0;

	for (at = pos; next_field(head, len, &pos, &name, &v); at = pos) {
		if (skipped_field(name) || name.n + 6 > sizeof(var) ||
		    memchr(name.p, '_', name.n) != NULL ||
		    seen_before(head, start, at, name))
			continue;
		memcpy(var, "HTTP_", 5);
		for (i = 0; i < name.n; i++)
			var[5 + i] = name.p[i] == '-' ? '_' :
			    (char)toupper((unsigned char)name.p[i]);
		var[5 + name.n] = '\0';
		rc |= text_puts(b, var) | text_put(b, "=", 1) |
		    text_put(b, v.p, v.n);
		for (p2 = pos; next_field(head, len, &p2, &n2, &v2);)
			if (same_name(n2, name))
				rc |= text_put(b, ", ", 2) | text_put(b, v2.p, v2.n);
		rc |= text_put(b, "", 1);
	}
	return rc;
}

/* The address (no port) and port of sa. */
static void
host_port(const struct sockaddr *sa, char *host, size_t size, unsigned *port)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

	snprintf(host, size, "-");
	*port = 0;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)size);
		*port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, host,
			    (socklen_t)size);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)size);
		*port = ntohs(s6->sin6_port);
	}
}

/* The value of the first field named lw (lowercase) in head[start..len). */
static int
find_field(const char *head, size_t start, size_t len, const char *lw,
    struct http_span *v)
{
	struct http_span name;
	size_t pos = start;

	while (next_field(head, len, &pos, &name, v))
		if (http_span_is(name, lw))
			return 1;
	return 0;
}

/* SERVER_NAME: the Host field's name without its port (4.1.14), else
 * the address the client reached; CONTENT_TYPE (4.1.3) if there is one. */
static int
put_host_type(struct growbuf *b, const char *head, size_t start, size_t len,
    const char *local)
{
	struct http_span v;
	const char *end;
	size_t n;
	int rc = 0;

	if (find_field(head, start, len, "content-type", &v))
		rc |= put_var(b, "CONTENT_TYPE", v.p, v.n);
	if (!find_field(head, start, len, "host", &v) || v.n == 0)
		return rc | put_str(b, "SERVER_NAME", local);
	end = v.p[0] == '[' ? memchr(v.p, ']', v.n) : NULL;
	if (end != NULL)
		n = (size_t)(end - v.p) + 1;
	else
		for (n = 0; n < v.n && v.p[n] != ':'; n++)
			continue;
	return rc | put_var(b, "SERVER_NAME", v.p, n);
}

/* The request's own meta-variables (4.1.5 ... 4.1.17). */
static int
put_request(struct growbuf *b, struct cgi *g, const struct httpd_config *cfg,
    const struct http_request *req)
{
	struct http_span query;
	char proto[16], translated[2 * PATH_MAX];
	size_t i;
	int rc;

	for (i = 0; i < req->target.n && req->target.p[i] != '?' &&
	    req->target.p[i] != '#'; i++)
		continue;
	query = (struct http_span){ req->target.p + i, 0 };
	if (i < req->target.n && req->target.p[i] == '?') {
		query.p++;
		while (++i < req->target.n && req->target.p[i] != '#')
			query.n++;
	}
	snprintf(proto, sizeof(proto), "HTTP/1.%d", req->minor);
	rc = put_str(b, "GATEWAY_INTERFACE", "CGI/1.1") |
	    put_str(b, "SERVER_SOFTWARE", "mini-httpd/" SOCKLAB_VERSION) |
	    put_str(b, "SERVER_PROTOCOL", proto) |
	    put_var(b, "REQUEST_METHOD", req->method.p, req->method.n) |
	    put_var(b, "REQUEST_URI", req->target.p, req->target.n) |
	    put_var(b, "QUERY_STRING", query.p, query.n) |
	    put_str(b, "SCRIPT_NAME", g->name) |
	    put_str(b, "SCRIPT_FILENAME", g->real) |
	    put_str(b, "DOCUMENT_ROOT", cfg->root_real);
	if (g->path_info[0] != '\0') {
		snprintf(translated, sizeof(translated), "%s%s", cfg->root_real,
		    g->path_info);
		rc |= put_str(b, "PATH_INFO", g->path_info) |
		    put_str(b, "PATH_TRANSLATED", translated);
	}
	return rc;
}

/* The meta-variables of the request (see cgi.h). */
int
cgi_environment(struct cgi *g, const struct httpd_config *cfg,
    const struct http_request *req, const char *head, const struct sockaddr *peer,
    int fd)
{
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char host[64], port[16], here[64];
	const char *lf, *path = getenv("PATH");
	unsigned pnum;
	size_t start;
	struct growbuf *b = &g->env;
	int rc;

	/* The header fields start after the request line's LF. */
	lf = memchr(req->line.p + req->line.n, '\n',
	    req->head_len - (size_t)(req->line.p + req->line.n - head));
	if (lf == NULL)
		return -1;
	start = (size_t)(lf - head) + 1;
	b->len = 0;
	rc = put_request(b, g, cfg, req);
	host_port(peer, host, sizeof(host), &pnum);
	snprintf(port, sizeof(port), "%u", pnum);
	rc |= put_str(b, "REMOTE_ADDR", host) | put_str(b, "REMOTE_PORT", port);
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		return -1;
	host_port((struct sockaddr *)&local, here, sizeof(here), &pnum);
	snprintf(port, sizeof(port), "%u", pnum);
	rc |= put_str(b, "SERVER_ADDR", here) | put_str(b, "SERVER_PORT", port) |
	    put_host_type(b, head, start, req->head_len, here) |
	    put_fields(b, head, start, req->head_len) |
	    put_str(b, "PATH", path != NULL ? path : "/usr/bin:/bin");
	return rc != 0 ? -1 : 0;
}
