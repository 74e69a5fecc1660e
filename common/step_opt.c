/*
 * step_opt.c - step 2, setsockopt and getsockopt: the options our tools set,
 * narrated by name ("SOL_SOCKET, SO_REUSEADDR").
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <netpacket/packet.h>
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "step.h"
#include "step_internal.h"
#include "trace.h"

struct optname {
	int level, name;
	const char *level_text, *name_text;
};

/* The options our tools set, by name, so narration can say what it set. */
static const struct optname optnames[] = {
	{ SOL_SOCKET, SO_REUSEADDR, "SOL_SOCKET", "SO_REUSEADDR" },
#ifdef SO_REUSEPORT
	{ SOL_SOCKET, SO_REUSEPORT, "SOL_SOCKET", "SO_REUSEPORT" },
#endif
	{ SOL_SOCKET, SO_RCVBUF, "SOL_SOCKET", "SO_RCVBUF" },
	{ SOL_SOCKET, SO_SNDBUF, "SOL_SOCKET", "SO_SNDBUF" },
	{ SOL_SOCKET, SO_KEEPALIVE, "SOL_SOCKET", "SO_KEEPALIVE" },
	{ SOL_SOCKET, SO_BROADCAST, "SOL_SOCKET", "SO_BROADCAST" },
	{ SOL_SOCKET, SO_ERROR, "SOL_SOCKET", "SO_ERROR" },
	{ SOL_SOCKET, SO_LINGER, "SOL_SOCKET", "SO_LINGER" },
	{ SOL_SOCKET, SO_TYPE, "SOL_SOCKET", "SO_TYPE" },
	{ IPPROTO_TCP, TCP_NODELAY, "IPPROTO_TCP", "TCP_NODELAY" },
	{ IPPROTO_IPV6, IPV6_V6ONLY, "IPPROTO_IPV6", "IPV6_V6ONLY" },
	{ SOL_SOCKET, SO_RCVTIMEO, "SOL_SOCKET", "SO_RCVTIMEO" },
	{ IPPROTO_IP, IP_ADD_MEMBERSHIP, "IPPROTO_IP", "IP_ADD_MEMBERSHIP" },
	{ IPPROTO_IP, IP_MULTICAST_IF, "IPPROTO_IP", "IP_MULTICAST_IF" },
	{ IPPROTO_IPV6, IPV6_JOIN_GROUP, "IPPROTO_IPV6", "IPV6_JOIN_GROUP" },
	{ IPPROTO_IPV6, IPV6_MULTICAST_IF, "IPPROTO_IPV6",
	    "IPV6_MULTICAST_IF" },
	{ SOL_SOCKET, SO_TIMESTAMP, "SOL_SOCKET", "SO_TIMESTAMP" },
#ifdef __linux__
	/* socket-watch packets: buffer, filter and counters of AF_PACKET */
	{ SOL_SOCKET, SO_RCVBUFFORCE, "SOL_SOCKET", "SO_RCVBUFFORCE" },
	{ SOL_SOCKET, SO_ATTACH_FILTER, "SOL_SOCKET", "SO_ATTACH_FILTER" },
	{ SOL_PACKET, PACKET_STATISTICS, "SOL_PACKET", "PACKET_STATISTICS" },
	{ SOL_PACKET, PACKET_AUXDATA, "SOL_PACKET", "PACKET_AUXDATA" },
	{ SOL_PACKET, PACKET_IGNORE_OUTGOING, "SOL_PACKET",
	    "PACKET_IGNORE_OUTGOING" },
#endif
};

/* Describe an option as "SOL_SOCKET, SO_REUSEADDR" (or numbers). */
static void
optname(int level, int name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof(optnames) / sizeof(optnames[0]); i++) {
		if (optnames[i].level == level && optnames[i].name == name) {
			snprintf(buf, size, "%s, %s", optnames[i].level_text,
			    optnames[i].name_text);
			return;
		}
	}
	snprintf(buf, size, "level %d, option %d", level, name);
}

/* 2 setsockopt: an int-valued option. */
int
step_setsockopt_int(int fd, int level, int name, int value)
{
	struct step_call c;
	char what[64] = "";
	int rc;

	if (step_telling())
		optname(level, name, what, sizeof(what));
	step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, %s, %d)", fd,
	    what, value);
	rc = setsockopt(fd, level, name, &value, sizeof(value));
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 2 setsockopt: SO_LINGER. */
int
step_setsockopt_linger(int fd, int onoff, int seconds)
{
	struct step_call c;
	struct linger lg;
	int rc;

	lg.l_onoff = onoff;
	lg.l_linger = seconds;
	step_begin(&c, STEP_SETSOCKOPT, fd,
	    "setsockopt(fd=%d, SOL_SOCKET, SO_LINGER, {on=%d, %ds})", fd,
	    onoff, seconds);
	rc = setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 2 setsockopt: an option whose value is a struct, told as what. */
int
step_setsockopt_data(int fd, int level, int name, const void *value,
    socklen_t len, const char *what)
{
	struct step_call c;
	char option[64] = "";
	int rc;

	if (step_telling())
		optname(level, name, option, sizeof(option));
	step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, %s, %s)", fd,
	    option, what);
	rc = setsockopt(fd, level, name, value, len);
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 2 getsockopt: an option whose value is a struct, into value/len. */
int
step_getsockopt_data(int fd, int level, int name, void *value,
    socklen_t *len)
{
	struct step_call c;
	char option[64] = "";
	int rc;

	if (step_telling())
		optname(level, name, option, sizeof(option));
	step_begin(&c, STEP_SETSOCKOPT, fd, "getsockopt(fd=%d, %s)", fd,
	    option);
	c.label = "getsockopt";
	rc = getsockopt(fd, level, name, value, len);
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 2 getsockopt: read an int-valued option back. */
int
step_getsockopt_int(int fd, int level, int name, int *value)
{
	struct step_call c;
	char what[64] = "", extra[48] = "";
	socklen_t len = sizeof(*value);
	int rc, err;

	if (step_telling())
		optname(level, name, what, sizeof(what));
	step_begin(&c, STEP_SETSOCKOPT, fd, "getsockopt(fd=%d, %s)", fd, what);
	c.label = "getsockopt";
	rc = getsockopt(fd, level, name, value, &len);
	err = errno;
	if (rc == 0)
		snprintf(extra, sizeof(extra), ", value %d", *value);
	step_end(&c, rc, err, extra);
	return rc;
}

/* 2 setsockopt: SO_RCVTIMEO / SO_SNDTIMEO, a timeout in milliseconds. */
int
step_setsockopt_timeout(int fd, int name, int ms)
{
	struct step_call c;
	char what[64] = "";
	struct timeval tv;
	int rc;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (step_telling())
		optname(SOL_SOCKET, name, what, sizeof(what));
	step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, %s, %d.%03ds)",
	    fd, what, ms / 1000, ms % 1000);
	rc = setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv));
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* Format an IPv4/IPv6 address without its port: "239.1.2.3", "[ff12::1]". */
static void
format_host(const struct sockaddr *sa, char *buf, size_t size)
{
	char *colon;

	addr_format(sa, sizeof(struct sockaddr_storage), buf, size);
	colon = strrchr(buf, ':');
	if (colon != NULL && (sa->sa_family == AF_INET ||
	    sa->sa_family == AF_INET6))
		*colon = '\0';
}

/* 2 setsockopt: join a multicast group (IP_ADD_MEMBERSHIP for IPv4,
 * IPV6_JOIN_GROUP for IPv6) on the interface with address ifaddr (IPv4,
 * NULL: the kernel's choice) or index ifindex (IPv6, 0: the kernel's). */
int
step_join_group(int fd, const struct sockaddr *group,
    const struct sockaddr *ifaddr, unsigned ifindex)
{
	struct step_call c;
	char grp[ADDR_STRLEN], ifc[ADDR_STRLEN] = "any";
	int rc;

	format_host(group, grp, sizeof(grp));	/* a group has no port */
	if (group->sa_family == AF_INET) {
		struct ip_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = ((const struct sockaddr_in *)(const void *)
		    group)->sin_addr;
		mr.imr_interface.s_addr = htonl(INADDR_ANY);
		if (ifaddr != NULL) {
			mr.imr_interface = ((const struct sockaddr_in *)
			    (const void *)ifaddr)->sin_addr;
			format_host(ifaddr, ifc, sizeof(ifc));
		}
		step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, "
		    "IPPROTO_IP, IP_ADD_MEMBERSHIP, {group %s, interface %s})",
		    fd, grp, ifc);
		rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr));
	} else {
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)
		    (const void *)group)->sin6_addr;
		mr.ipv6mr_interface = ifindex;
		step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, "
		    "IPPROTO_IPV6, IPV6_JOIN_GROUP, {group %s, interface index "
		    "%u})", fd, grp, ifindex);
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
		    sizeof(mr));
	}
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 2 setsockopt: the interface multicast leaves by (IP_MULTICAST_IF with
 * address ifaddr for IPv4, IPV6_MULTICAST_IF with ifindex for IPv6). */
int
step_multicast_if(int fd, int family, const struct sockaddr *ifaddr,
    unsigned ifindex)
{
	struct step_call c;
	char ifc[ADDR_STRLEN];
	int rc;

	if (family == AF_INET) {
		struct in_addr in = ((const struct sockaddr_in *)(const void *)
		    ifaddr)->sin_addr;

		format_host(ifaddr, ifc, sizeof(ifc));
		step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, "
		    "IPPROTO_IP, IP_MULTICAST_IF, %s)", fd, ifc);
		rc = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &in,
		    sizeof(in));
	} else {
		step_begin(&c, STEP_SETSOCKOPT, fd, "setsockopt(fd=%d, "
		    "IPPROTO_IPV6, IPV6_MULTICAST_IF, interface index %u)", fd,
		    ifindex);
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
		    sizeof(ifindex));
	}
	step_end(&c, rc, errno, NULL);
	return rc;
}

/* 2 getsockopt: the peer's pid/uid/gid (SO_PEERCRED or getpeereid). */
int
step_peercred(int fd, long *pid, long *uid, long *gid)
{
	struct step_call c;
	char extra[96] = "";
	int rc, err;
#ifdef __linux__
	struct ucred cred;
	socklen_t len = sizeof(cred);

	step_begin(&c, STEP_SETSOCKOPT, fd, "getsockopt(fd=%d, SOL_SOCKET, "
	    "SO_PEERCRED)", fd);
	rc = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	err = errno;
	*pid = rc == 0 ? (long)cred.pid : -1;
	*uid = rc == 0 ? (long)cred.uid : -1;
	*gid = rc == 0 ? (long)cred.gid : -1;
	if (rc == 0)
		snprintf(extra, sizeof(extra), ", pid %ld uid %ld gid %ld",
		    *pid, *uid, *gid);
#else
	uid_t u;
	gid_t g;

	step_begin(&c, STEP_SETSOCKOPT, fd, "getpeereid(fd=%d)", fd);
	rc = getpeereid(fd, &u, &g);
	err = errno;
	*pid = -1;
	*uid = rc == 0 ? (long)u : -1;
	*gid = rc == 0 ? (long)g : -1;
	if (rc == 0)
		snprintf(extra, sizeof(extra), ", uid %ld gid %ld", *uid, *gid);
#endif
	c.label = "getsockopt";
	step_end(&c, rc, err, extra);
	return rc;
}
