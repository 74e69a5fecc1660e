/*
 * addr.h - addresses: ports, getaddrinfo, and sockaddr <-> text.
 *
 * Text forms are the ones every tool prints and accepts:
 *   127.0.0.1:7000   [::1]:7000   /tmp/sock   @abstract-name
 */
#ifndef SOCKLAB_ADDR_H
#define SOCKLAB_ADDR_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>

/* Big enough for "[ipv6%scope]:port" and for any Unix socket path. */
#define ADDR_STRLEN 160

/* Parse a decimal port 1..65535 (0 too if allow_zero); -1 on bad text. */
int addr_parse_port(const char *text, int allow_zero, unsigned *port);

/* Format any sockaddr as text into buf; returns buf. IPv4-mapped IPv6
 * addresses are shown as plain IPv4, as a learner expects. */
char *addr_format(const struct sockaddr *sa, socklen_t len, char *buf,
    size_t size);

/* The port of an IPv4/IPv6 sockaddr, 0 for other families. */
unsigned addr_port(const struct sockaddr *sa);

/* Resolve host/port with getaddrinfo, narrated as "[resolve]". host NULL
 * with passive set means "every local address" (IPv6 wildcard first, so
 * one dual-stack socket serves both families). Returns getaddrinfo's
 * code: 0, or an EAI_* value for gai_strerror(). */
int addr_resolve(const char *host, const char *port, int family,
    int socktype, int passive, struct addrinfo **res);

/* After bind or connect: getsockname(2), the local address the kernel
 * gave, narrated as [getsockname]; into ss/len, and as text into buf.
 * 0, or -1 with errno. */
int addr_local(int fd, struct sockaddr_storage *ss, socklen_t *len,
    char *buf, size_t size);

/* What a listener's loop over the addresses to bind keeps of its
 * failures, for the one line that reports them: the errno, and the
 * addresses it came from. An address in use is the news to keep: a
 * later, different error never hides it, and when both wildcards are in
 * use both are named, since from two EADDRINUSE answers no one can tell
 * which socket holds the port (lessons/03-bind.md). */
struct addr_failure {
	int err;				/* 0 until something failed */
	char where[2 * ADDR_STRLEN + 8];	/* "[::]:7000 and 0.0.0.0:7000" */
};
/* Note that the step for where failed with err. */
void addr_failure_note(struct addr_failure *f, int err, const char *where);

/* Name the family for narration: "AF_INET6". */
const char *addr_family_name(int family);
/* Name the socket type for narration: "SOCK_STREAM". */
const char *addr_socktype_name(int type);

/* A multicast interface for family: an IPv4 address into ss (AF_INET), or
 * an interface name or number into ifindex (AF_INET6); 0, or -1. */
int addr_parse_iface(const char *text, int family,
    struct sockaddr_storage *ss, unsigned *ifindex);
/* True when sa is an IPv4 or IPv6 multicast address. */
int addr_is_multicast(const struct sockaddr *sa);

#endif
