/*
 * step.c - the nine steps of the socket procedure, one traced wrapper each.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "step.h"
#include "trace.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0		/* macOS/BSD: SIGPIPE is ignored instead */
#endif

volatile sig_atomic_t step_stop;

/* Retry an interrupted call, unless a signal handler asked us to stop. */
static int
retry(long ret)
{
	return ret < 0 && errno == EINTR && !step_stop;
}

/* Errors that only mean "not yet" on a non-blocking socket. */
static int
not_yet(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS;
}

/* Narrate "call = ret" or "call = -1 ENAME (message)" for a step. */
static void
narrate(int step, long ret, int err, const char *call, const char *extra)
{
	if (ret >= 0)
		trace_step(step, 0, "%s = %ld%s", call, ret, extra ? extra : "");
	else
		trace_step(step, !not_yet(err), "%s = -1 %s (%s)", call,
		    trace_errno_name(err), strerror(err));
	errno = err;
}

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

/* 1 socket: socket(2). */
int
step_socket(int domain, int type, int protocol)
{
	char call[128];
	int fd = socket(domain, type, protocol);
	int err = errno;

	if (trace_enabled(TRACE_STATUS)) {
		snprintf(call, sizeof(call), "socket(%s, %s, %d)",
		    addr_family_name(domain), addr_socktype_name(type),
		    protocol);
		narrate(STEP_SOCKET, fd, err, call, NULL);
	}
	errno = err;
	return fd;
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
		narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
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
	narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
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
	narrate(STEP_SETSOCKOPT, rc, err, call, rc == 0 ? extra : NULL);
	return rc;
}

/* 3 bind: bind(2). */
int
step_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	char call[ADDR_STRLEN + 32], where[ADDR_STRLEN];
	int rc = bind(fd, sa, len);
	int err = errno;

	snprintf(call, sizeof(call), "bind(fd=%d, %s)", fd,
	    addr_format(sa, len, where, sizeof(where)));
	narrate(STEP_BIND, rc, err, call, NULL);
	return rc;
}

/* After bind or connect: getsockname(2), the local address the kernel gave. */
int
step_getsockname(int fd, struct sockaddr_storage *ss, socklen_t *len,
    char *buf, size_t size)
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

/* 4 listen: listen(2). */
int
step_listen(int fd, int backlog)
{
	char call[64];
	int rc = listen(fd, backlog);
	int err = errno;

	snprintf(call, sizeof(call), "listen(fd=%d, %d)", fd, backlog);
	narrate(STEP_LISTEN, rc, err, call, NULL);
	return rc;
}

/* 5 accept: accept(2). */
int
step_accept(int fd, struct sockaddr_storage *peer, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char call[64], extra[ADDR_STRLEN + 8], where[ADDR_STRLEN];
	int rc, err;

	do {
		sslen = sizeof(ss);
		rc = accept(fd, (struct sockaddr *)&ss, &sslen);
	} while (retry(rc));
	err = errno;
	snprintf(call, sizeof(call), "accept(fd=%d)", fd);
	if (rc >= 0)
		snprintf(extra, sizeof(extra), ", peer %s",
		    addr_format((struct sockaddr *)&ss, sslen, where,
		    sizeof(where)));
	narrate(STEP_ACCEPT, rc, err, call, rc >= 0 ? extra : NULL);
	if (rc >= 0 && peer != NULL && len != NULL) {
		memcpy(peer, &ss, sizeof(ss));
		*len = sslen;
	}
	errno = err;
	return rc;
}

/* Wait for a non-blocking connect to finish; 0, or -1 with errno set. */
static int
connect_wait(int fd, int timeout_ms)
{
	struct pollfd pfd;
	int rc, soerr = 0;
	socklen_t len = sizeof(soerr);

	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		rc = poll(&pfd, 1, timeout_ms);
	} while (retry(rc));
	if (rc < 0)
		return -1;
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	/* The handshake's outcome is kept in SO_ERROR. */
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* 6 connect: connect(2), blocking or with a timeout. */
int
step_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	char call[ADDR_STRLEN + 48], where[ADDR_STRLEN];
	int rc, err, flags = 0;

	if (timeout_ms >= 0) {
		flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	}
	rc = connect(fd, sa, len);
	/* An interrupted connect goes on in the background: wait for it. */
	if (rc < 0 && (errno == EINPROGRESS || errno == EINTR))
		rc = connect_wait(fd, timeout_ms);
	err = errno;
	if (timeout_ms >= 0)
		fcntl(fd, F_SETFL, flags);
	addr_format(sa, len, where, sizeof(where));
	if (timeout_ms >= 0)
		snprintf(call, sizeof(call), "connect(fd=%d, %s, timeout %d.%03ds)",
		    fd, where, timeout_ms / 1000, timeout_ms % 1000);
	else
		snprintf(call, sizeof(call), "connect(fd=%d, %s)", fd, where);
	narrate(STEP_CONNECT, rc, err, call, NULL);
	return rc;
}

/* 7 send: send(2), never raising SIGPIPE. */
ssize_t
step_send(int fd, const void *buf, size_t len)
{
	char call[64];
	ssize_t n;
	int err;

	do {
		n = send(fd, buf, len, MSG_NOSIGNAL);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "send(fd=%d, %zu)", fd, len);
		narrate(STEP_SEND, (long)n, err, call, NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 7 send: sendto(2), for datagrams. */
ssize_t
step_sendto(int fd, const void *buf, size_t len, const struct sockaddr *to,
    socklen_t tolen)
{
	char call[ADDR_STRLEN + 48], where[ADDR_STRLEN];
	ssize_t n;
	int err;

	do {
		n = sendto(fd, buf, len, MSG_NOSIGNAL, to, tolen);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "sendto(fd=%d, %zu, %s)", fd, len,
		    to ? addr_format(to, tolen, where, sizeof(where)) :
		    "connected peer");
		narrate(STEP_SEND, (long)n, err, call, NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 8 recv: recv(2); 0 means the peer closed its sending side. */
ssize_t
step_recv(int fd, void *buf, size_t len)
{
	char call[64];
	ssize_t n;
	int err;

	do {
		n = recv(fd, buf, len, 0);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "recv(fd=%d, %zu)", fd, len);
		narrate(STEP_RECV, (long)n, err, call,
		    n == 0 ? " (the peer closed its side)" : NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 8 recv: recvfrom(2), for datagrams. */
ssize_t
step_recvfrom(int fd, void *buf, size_t len, struct sockaddr_storage *from,
    socklen_t *fromlen)
{
	char call[64], extra[ADDR_STRLEN + 8], where[ADDR_STRLEN];
	ssize_t n;
	int err;

	do {
		*fromlen = sizeof(*from);
		n = recvfrom(fd, buf, len, 0, (struct sockaddr *)from,
		    fromlen);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "recvfrom(fd=%d, %zu)", fd, len);
		if (n >= 0)
			snprintf(extra, sizeof(extra), ", from %s",
			    addr_format((struct sockaddr *)from, *fromlen,
			    where, sizeof(where)));
		narrate(STEP_RECV, (long)n, err, call, n >= 0 ? extra : NULL);
		if (n > 0)
			trace_payload(buf, (size_t)n);
	}
	errno = err;
	return n;
}

/* 9 close: shutdown(2). */
int
step_shutdown(int fd, int how)
{
	char call[64];
	int rc = shutdown(fd, how);
	int err = errno;

	snprintf(call, sizeof(call), "shutdown(fd=%d, %s)", fd,
	    how == SHUT_RD ? "SHUT_RD" : how == SHUT_WR ? "SHUT_WR" :
	    "SHUT_RDWR");
	narrate(STEP_CLOSE, rc, err, call, NULL);
	return rc;
}

/* 9 close: close(2). */
int
step_close(int fd)
{
	char call[64];
	int rc = close(fd);
	int err = errno;

	snprintf(call, sizeof(call), "close(fd=%d)", fd);
	narrate(STEP_CLOSE, rc, err, call, NULL);
	return rc;
}

/* Make fd non-blocking (1) or blocking (0). */
int
step_nonblock(int fd, int on)
{
	int flags = fcntl(fd, F_GETFL);
	int rc;

	if (flags < 0)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	rc = fcntl(fd, F_SETFL, flags);
	trace_event("fcntl", "fcntl(fd=%d, F_SETFL, %sO_NONBLOCK) = %d", fd,
	    on ? "" : "~", rc);
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
	narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
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
	narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
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
	narrate(STEP_SETSOCKOPT, rc, err, call, NULL);
	return rc;
}

/* 1 socket: socketpair(2), two connected sockets. */
int
step_socketpair(int domain, int type, int protocol, int sv[2])
{
	char call[128], extra[48];
	int rc = socketpair(domain, type, protocol, sv);
	int err = errno;

	snprintf(call, sizeof(call), "socketpair(%s, %s, %d)",
	    addr_family_name(domain), addr_socktype_name(type), protocol);
	if (rc == 0)
		snprintf(extra, sizeof(extra), ", fds %d and %d", sv[0], sv[1]);
	narrate(STEP_SOCKET, rc, err, call, rc == 0 ? extra : NULL);
	return rc;
}

/* Describe the ancillary data of msg: ", SCM_RIGHTS fds 5 6". */
static void
cmsg_describe(const struct msghdr *msg, char *buf, size_t size)
{
	const struct cmsghdr *c;
	const unsigned char *data;
	size_t used = 0, i, n;
	int fd;

	buf[0] = '\0';
	if (msg->msg_control == NULL || msg->msg_controllen == 0)
		return;
	for (c = CMSG_FIRSTHDR(msg); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)msg, (struct cmsghdr *)c)) {
		if (used + 48 > size)
			break;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			used += (size_t)snprintf(buf + used, size - used,
			    ", control level %d type %d", c->cmsg_level,
			    c->cmsg_type);
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		used += (size_t)snprintf(buf + used, size - used,
		    ", SCM_RIGHTS fd%s", n == 1 ? "" : "s");
		data = CMSG_DATA(c);
		for (i = 0; i < n && used + 16 < size; i++) {
			memcpy(&fd, data + i * sizeof(int), sizeof(int));
			used += (size_t)snprintf(buf + used, size - used,
			    " %d", fd);
		}
	}
}

/* The bytes an iovec list holds. */
static size_t
iov_total(const struct msghdr *msg)
{
	size_t i, total = 0;

	for (i = 0; i < (size_t)msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return total;
}

/* 7 send: sendmsg(2), never raising SIGPIPE. */
ssize_t
step_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	char call[64], extra[160];
	ssize_t n;
	int err;

	do {
		n = sendmsg(fd, msg, flags | MSG_NOSIGNAL);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "sendmsg(fd=%d, %zu bytes)", fd,
		    iov_total(msg));
		cmsg_describe(msg, extra, sizeof(extra));
		narrate(STEP_SEND, (long)n, err, call, extra);
		if (n > 0 && msg->msg_iovlen > 0)
			trace_payload(msg->msg_iov[0].iov_base,
			    (size_t)n < msg->msg_iov[0].iov_len ? (size_t)n :
			    msg->msg_iov[0].iov_len);
	}
	errno = err;
	return n;
}

/* 8 recv: recvmsg(2), with the ancillary data it brought. */
ssize_t
step_recvmsg(int fd, struct msghdr *msg, int flags)
{
	char call[64], extra[200];
	size_t used;
	ssize_t n;
	int err;

	do {
		n = recvmsg(fd, msg, flags);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "recvmsg(fd=%d, %zu)", fd,
		    iov_total(msg));
		extra[0] = '\0';
		if (n >= 0)
			cmsg_describe(msg, extra, sizeof(extra));
		used = strlen(extra);
		if (n >= 0 && (msg->msg_flags & MSG_CTRUNC))
			snprintf(extra + used, sizeof(extra) - used,
			    " (MSG_CTRUNC: control data cut short)");
		else if (n == 0)
			snprintf(extra + used, sizeof(extra) - used,
			    " (the peer closed its side)");
		narrate(STEP_RECV, (long)n, err, call, extra);
		if (n > 0 && msg->msg_iovlen > 0)
			trace_payload(msg->msg_iov[0].iov_base,
			    (size_t)n < msg->msg_iov[0].iov_len ? (size_t)n :
			    msg->msg_iov[0].iov_len);
	}
	errno = err;
	return n;
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
	narrate(STEP_SETSOCKOPT, rc, err, call, rc == 0 ? extra : NULL);
	return rc;
}

#ifdef __linux__
/* 7 send / 8 recv: splice(2) between a pipe and another descriptor. */
ssize_t
step_splice(int step, int from, int to, size_t len, unsigned flags)
{
	char call[80];
	ssize_t n;
	int err;

	do {
		n = splice(from, NULL, to, NULL, len, flags);
	} while (retry(n));
	err = errno;
	if (trace_enabled(n < 0 && !not_yet(err) ? TRACE_STATUS : TRACE_STEPS)) {
		snprintf(call, sizeof(call), "splice(fd=%d -> fd=%d, %zu)",
		    from, to, len);
		narrate(step, (long)n, err, call,
		    n == 0 ? " (the other end closed)" : NULL);
	}
	errno = err;
	return n;
}
#endif
