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
	char call[160], what[64];
	int rc = setsockopt(fd, level, name, &value, sizeof(value));
	int err = errno;

	if (trace_enabled(TRACE_STATUS)) {
		optname(level, name, what, sizeof(what));
		snprintf(call, sizeof(call), "setsockopt(fd=%d, %s, %d)", fd,
		    what, value);
		step_narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
	}
	errno = err;
	return rc;
}

/* 2 setsockopt: SO_LINGER. */
int
step_setsockopt_linger(int fd, int onoff, int seconds)
{
	char call[160];
	struct linger lg;
	int rc, err;

	lg.l_onoff = onoff;
	lg.l_linger = seconds;
	rc = setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	err = errno;
	snprintf(call, sizeof(call),
	    "setsockopt(fd=%d, SOL_SOCKET, SO_LINGER, {on=%d, %ds})", fd,
	    onoff, seconds);
	step_narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
	return rc;
}

/* 2 getsockopt: read an int-valued option back. */
int
step_getsockopt_int(int fd, int level, int name, int *value)
{
	char call[160], what[64], extra[48];
	socklen_t len = sizeof(*value);
	int rc = getsockopt(fd, level, name, value, &len);
	int err = errno;

	optname(level, name, what, sizeof(what));
	snprintf(call, sizeof(call), "getsockopt(fd=%d, %s)", fd, what);
	snprintf(extra, sizeof(extra), ", value %d", rc == 0 ? *value : 0);
	step_narrate(STEP_SETSOCKOPT, rc, err, call, rc == 0 ? extra : NULL);
	return rc;
}

/* 2 setsockopt: SO_RCVTIMEO / SO_SNDTIMEO, a timeout in milliseconds. */
int
step_setsockopt_timeout(int fd, int name, int ms)
{
	char call[160], what[64];
	struct timeval tv;
	int rc, err;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	rc = setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv));
	err = errno;
	optname(SOL_SOCKET, name, what, sizeof(what));
	snprintf(call, sizeof(call), "setsockopt(fd=%d, %s, %d.%03ds)", fd,
	    what, ms / 1000, ms % 1000);
	step_narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
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
	char call[ADDR_STRLEN * 2 + 96], grp[ADDR_STRLEN], ifc[ADDR_STRLEN];
	int rc, err;

	format_host(group, grp, sizeof(grp));	/* a group has no port */
	if (group->sa_family == AF_INET) {
		struct ip_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = ((const struct sockaddr_in *)(const void *)
		    group)->sin_addr;
		mr.imr_interface.s_addr = htonl(INADDR_ANY);
		if (ifaddr != NULL)
			mr.imr_interface = ((const struct sockaddr_in *)
			    (const void *)ifaddr)->sin_addr;
		rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr));
		err = errno;
		if (ifaddr != NULL)
			format_host(ifaddr, ifc, sizeof(ifc));
		else
			snprintf(ifc, sizeof(ifc), "any");
		snprintf(call, sizeof(call), "setsockopt(fd=%d, IPPROTO_IP, "
		    "IP_ADD_MEMBERSHIP, {group %s, interface %s})", fd, grp,
		    ifc);
	} else {
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)
		    (const void *)group)->sin6_addr;
		mr.ipv6mr_interface = ifindex;
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
		    sizeof(mr));
		err = errno;
		snprintf(call, sizeof(call), "setsockopt(fd=%d, IPPROTO_IPV6, "
		    "IPV6_JOIN_GROUP, {group %s, interface index %u})", fd,
		    grp, ifindex);
	}
	step_narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
	return rc;
}

/* 2 setsockopt: the interface multicast leaves by (IP_MULTICAST_IF with
 * address ifaddr for IPv4, IPV6_MULTICAST_IF with ifindex for IPv6). */
int
step_multicast_if(int fd, int family, const struct sockaddr *ifaddr,
    unsigned ifindex)
{
	char call[ADDR_STRLEN + 96], ifc[ADDR_STRLEN];
	int rc, err;

	if (family == AF_INET) {
		struct in_addr in = ((const struct sockaddr_in *)(const void *)
		    ifaddr)->sin_addr;

		rc = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &in,
		    sizeof(in));
		err = errno;
		format_host(ifaddr, ifc, sizeof(ifc));
		snprintf(call, sizeof(call), "setsockopt(fd=%d, IPPROTO_IP, "
		    "IP_MULTICAST_IF, %s)", fd, ifc);
	} else {
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
		    sizeof(ifindex));
		err = errno;
		snprintf(call, sizeof(call), "setsockopt(fd=%d, IPPROTO_IPV6, "
		    "IPV6_MULTICAST_IF, interface index %u)", fd, ifindex);
	}
	step_narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
	return rc;
}

/* 2 getsockopt: the peer's pid/uid/gid (SO_PEERCRED or getpeereid). */
int
step_peercred(int fd, long *pid, long *uid, long *gid)
{
	char call[96], extra[96];
	int rc, err;
#ifdef __linux__
	struct ucred cred;
	socklen_t len = sizeof(cred);

	rc = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	err = errno;
	*pid = rc == 0 ? (long)cred.pid : -1;
	*uid = rc == 0 ? (long)cred.uid : -1;
	*gid = rc == 0 ? (long)cred.gid : -1;
	snprintf(call, sizeof(call), "getsockopt(fd=%d, SOL_SOCKET, "
	    "SO_PEERCRED)", fd);
	snprintf(extra, sizeof(extra), ", pid %ld uid %ld gid %ld", *pid,
	    *uid, *gid);
#else
	uid_t u;
	gid_t g;

	rc = getpeereid(fd, &u, &g);
	err = errno;
	*pid = -1;
	*uid = rc == 0 ? (long)u : -1;
	*gid = rc == 0 ? (long)g : -1;
	snprintf(call, sizeof(call), "getpeereid(fd=%d)", fd);
	snprintf(extra, sizeof(extra), ", uid %ld gid %ld", *uid, *gid);
#endif
	step_narrate(STEP_SETSOCKOPT, rc, err, call, rc == 0 ? extra : NULL);
	return rc;
}
