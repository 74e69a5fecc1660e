/*
 * addr.c - addresses: ports, getaddrinfo, and sockaddr <-> text.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#ifdef __linux__
#include <linux/netlink.h>
#include <netpacket/packet.h>
#endif
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "trace.h"

/* Parse a decimal port 1..65535 (0 too if allow_zero); -1 on bad text. */
int
addr_parse_port(const char *text, int allow_zero, unsigned *port)
{
	unsigned long v = 0;
	const char *p;

	if (text == NULL || *text == '\0' || strlen(text) > 5)
		return -1;
	for (p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535 || (v == 0 && !allow_zero))
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* Format an AF_UNIX address: a path, "@name" for abstract, or "(unnamed)". */
static char *
format_unix(const struct sockaddr_un *sun, socklen_t len, char *buf,
    size_t size)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);
	size_t n = len > off ? (size_t)len - off : 0;

	if (n == 0 || (sun->sun_path[0] == '\0' && n == 1))
		snprintf(buf, size, "(unnamed)");
	else if (sun->sun_path[0] == '\0')
		snprintf(buf, size, "@%.*s", (int)(n - 1), sun->sun_path + 1);
	else
		snprintf(buf, size, "%.*s", (int)strnlen(sun->sun_path, n),
		    sun->sun_path);
	return buf;
}

#ifdef __linux__
/* Format an AF_PACKET address: "interface lo (index 1), protocol 0x0003"
 * (the protocol in the machine's order: ETH_P_ALL is 3). */
static char *
format_packet(const struct sockaddr_ll *sll, char *buf, size_t size)
{
	char name[IF_NAMESIZE] = "?";

	if (sll->sll_ifindex == 0)
		snprintf(name, sizeof(name), "any");
	else if (if_indextoname((unsigned)sll->sll_ifindex, name) == NULL)
		snprintf(name, sizeof(name), "?");
	snprintf(buf, size, "interface %s (index %d), protocol 0x%04x", name,
	    sll->sll_ifindex, ntohs(sll->sll_protocol));
	return buf;
}
#endif

/* Format any sockaddr as text into buf; returns buf. */
char *
addr_format(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (sa == NULL || size == 0) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], host,
			    sizeof(host));
			snprintf(buf, size, "%s:%u", host,
			    ntohs(sin6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &sin6->sin6_addr, host,
			    sizeof(host));
			snprintf(buf, size, "[%s]:%u", host,
			    ntohs(sin6->sin6_port));
		}
		break;
	}
	case AF_UNIX:
		return format_unix((const void *)sa, len, buf, size);
#ifdef __linux__
	case AF_PACKET:
		return format_packet((const void *)sa, buf, size);
	case AF_NETLINK:
		snprintf(buf, size, "netlink port %u%s",
		    ((const struct sockaddr_nl *)(const void *)sa)->nl_pid,
		    ((const struct sockaddr_nl *)(const void *)sa)->nl_pid ?
		    "" : " (the kernel)");
		break;
#endif
	default:
		snprintf(buf, size, "(family %d)", sa->sa_family);
	}
	return buf;
}

/* The port of an IPv4/IPv6 sockaddr, 0 for other families. */
unsigned
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)
		    ->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)
		    ->sin6_port);
	return 0;
}

/* Move the IPv6 entries of a list ahead of the others, keeping order. */
static struct addrinfo *
ipv6_first(struct addrinfo *list)
{
	struct addrinfo *v6 = NULL, **v6end = &v6;
	struct addrinfo *other = NULL, **otherend = &other;
	struct addrinfo *ai, *next;

	for (ai = list; ai != NULL; ai = next) {
		next = ai->ai_next;
		ai->ai_next = NULL;
		if (ai->ai_family == AF_INET6) {
			*v6end = ai;
			v6end = &ai->ai_next;
		} else {
			*otherend = ai;
			otherend = &ai->ai_next;
		}
	}
	*v6end = other;
	return v6;
}

/* Resolve host/port with getaddrinfo, narrated as "[resolve]". */
int
addr_resolve(const char *host, const char *port, int family, int socktype,
    int passive, struct addrinfo **res)
{
	struct addrinfo hints, *ai;
	char list[512], one[ADDR_STRLEN];
	size_t used = 0;
	int rc, count = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	/* A numeric port needs no services database. */
	hints.ai_flags |= AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc != 0) {
		trace_event("resolve", "getaddrinfo(%s, %s, %s, %s) = %s",
		    host ? host : "NULL", port, addr_family_name(family),
		    addr_socktype_name(socktype), gai_strerror(rc));
		return rc;
	}
	if (passive && host == NULL)
		*res = ipv6_first(*res);
	list[0] = '\0';
	for (ai = *res; ai != NULL; ai = ai->ai_next) {
		count++;
		addr_format(ai->ai_addr, ai->ai_addrlen, one, sizeof(one));
		if (used + strlen(one) + 2 < sizeof(list))
			used += (size_t)snprintf(list + used,
			    sizeof(list) - used, " %s", one);
	}
	trace_event("resolve", "getaddrinfo(%s, %s, %s, %s) = %d address%s:%s",
	    host ? host : "NULL", port, addr_family_name(family),
	    addr_socktype_name(socktype), count, count == 1 ? "" : "es", list);
	return 0;
}

/* Name the family for narration. */
const char *
addr_family_name(int family)
{
	switch (family) {
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_UNIX: return "AF_UNIX";
#ifdef __linux__
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
#endif
	case AF_UNSPEC: return "AF_UNSPEC";
	default: return "AF_?";
	}
}

/* Name the socket type for narration. */
const char *
addr_socktype_name(int type)
{
	switch (type) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	case SOCK_RAW: return "SOCK_RAW";
	case 0: return "any type";
	default: return "SOCK_?";
	}
}

/* A multicast interface for family: an IPv4 address into ss (AF_INET), or
 * an interface name or number into ifindex (AF_INET6); 0, or -1. */
int
addr_parse_iface(const char *text, int family, struct sockaddr_storage *ss,
    unsigned *ifindex)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	unsigned port;

	memset(ss, 0, sizeof(*ss));
	*ifindex = 0;
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		return inet_pton(AF_INET, text, &sin->sin_addr) == 1 ? 0 : -1;
	}
	/* An interface number reads like a port: digits, 1..65535. */
	if (addr_parse_port(text, 0, &port) == 0) {
		*ifindex = port;
		return 0;
	}
	*ifindex = if_nametoindex(text);
	return *ifindex == 0 ? -1 : 0;
}

/* True when sa is an IPv4 or IPv6 multicast address. */
int
addr_is_multicast(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr);
	return 0;
}

/* getsockname(2), narrated: the local address the kernel gave. */
int
addr_local(int fd, struct sockaddr_storage *ss, socklen_t *len, char *buf,
    size_t size)
{
	int rc, err;

	*len = sizeof(*ss);
	rc = getsockname(fd, (struct sockaddr *)ss, len);
	err = errno;
	if (rc == 0)
		addr_format((struct sockaddr *)ss, *len, buf, size);
	else if (size > 0)
		buf[0] = '\0';
	if (rc == 0)
		trace_event("getsockname", "getsockname(fd=%d) = %s", fd, buf);
	else
		trace_event("getsockname", "getsockname(fd=%d) = -1 %s", fd,
		    trace_errno_name(err));
	errno = err;
	return rc;
}

/* Note a failed step of a listener's bind loop; see addr.h. */
void
addr_failure_note(struct addr_failure *f, int err, const char *where)
{
	size_t used = strlen(f->where);

	if (f->err == EADDRINUSE && err == EADDRINUSE)
		snprintf(f->where + used, sizeof(f->where) - used, " and %s",
		    where);
	else if (f->err != EADDRINUSE)
		snprintf(f->where, sizeof(f->where), "%s", where);
	if (f->err != EADDRINUSE)
		f->err = err;
}
