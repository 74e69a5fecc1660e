/*
 * diag_parse.c - sock_diag requests and answers as bytes: building a
 * dump request with its port filter, and reading the kernel's messages
 * into struct diag_sock (diag.h). No system calls here, so every byte can
 * be tested and fuzzed (tests/unit/test_packet.c, tests/fuzz/).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"

#ifdef __linux__
#include <linux/netlink.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

/* The bytecode "sport == port or dport == port", as ss(8) compiles an
 * "or". Each op jumps ahead by "yes" bytes when its test holds and by
 * "no" when not; landing exactly on the end keeps the socket, going past
 * it leaves the socket out. A test is an op and an op whose "no" holds
 * the port; the kernel checks that every "yes" leads to the next op.
 *
 *    0  S_EQ port   yes 8: on to the JMP;  no 12: try D_EQ
 *    8  JMP         always "no" 12: to the end (20), keep
 *   12  D_EQ port   yes 8: to the end, keep;  no 12: past it, leave out
 */
struct port_filter {
	struct inet_diag_bc_op sport, sport_arg, keep, dport, dport_arg;
};

/* Build the dump request into buf; its length, or 0 if it does not fit. */
size_t
diag_request(void *buf, size_t size, int family, int proto, unsigned port,
    unsigned states, unsigned seq)
{
	struct nlmsghdr nlh = { 0 };
	struct inet_diag_req_v2 req = { 0 };
	struct inet_diag_req both = { 0 };
	struct unix_diag_req ureq = { 0 };
	struct port_filter f = {
		{ INET_DIAG_BC_S_EQ, 8, 12 }, { 0, 0, (unsigned short)port },
		{ INET_DIAG_BC_JMP, 4, 12 },
		{ INET_DIAG_BC_D_EQ, 8, 12 }, { 0, 0, (unsigned short)port },
	};
	struct nlattr attr = { NLA_HDRLEN + sizeof(f), INET_DIAG_REQ_BYTECODE };
	size_t body = family == AF_UNIX ? sizeof(ureq) : family == AF_UNSPEC ?
	    sizeof(both) : sizeof(req);
	size_t len = NLMSG_LENGTH(body) + (port && family != AF_UNIX ?
	    NLA_HDRLEN + sizeof(f) : 0);
	char *p = buf;

	if (len > size)
		return 0;
	nlh.nlmsg_len = (unsigned)len;
	nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh.nlmsg_seq = seq;
	memcpy(p, &nlh, sizeof(nlh));
	if (family == AF_UNIX) {
		ureq.sdiag_family = AF_UNIX;
		ureq.udiag_states = states;
		ureq.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS |
		    UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN;
		memcpy(p + NLMSG_HDRLEN, &ureq, sizeof(ureq));
		return len;
	}
	if (family == AF_UNSPEC) {
		/* TCP of both families in one walk of the kernel's table:
		 * the older request (TCPDIAG_GETSOCK) asks for both, as ss
		 * does; the newer one names one family. */
		nlh.nlmsg_type = TCPDIAG_GETSOCK;
		memcpy(p, &nlh, sizeof(nlh));
		both.idiag_states = states;
		memcpy(p + NLMSG_HDRLEN, &both, sizeof(both));
	} else {
		req.sdiag_family = (unsigned char)family;
		req.sdiag_protocol = (unsigned char)proto;
		req.idiag_states = states;
		memcpy(p + NLMSG_HDRLEN, &req, sizeof(req));
	}
	if (port) {
		memcpy(p + NLMSG_LENGTH(body), &attr, sizeof(attr));
		memcpy(p + NLMSG_LENGTH(body) + NLA_HDRLEN, &f, sizeof(f));
	}
	return len;
}

/* An address and port from inet_diag's socket id into ss (built apart
 * and copied: no struct written through another's pointer). */
static void
inet_address(int family, const uint32_t *addr, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = port;
		memcpy(&sin.sin_addr, addr, 4);
		memcpy(ss, &sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = port;
		memcpy(&sin6.sin6_addr, addr, 16);
		memcpy(ss, &sin6, sizeof(sin6));
	}
}

/* One TCP or UDP socket's message; 0, or -1 if it is too short. */
static int
parse_inet(const unsigned char *p, size_t len, int proto, struct diag_sock *s)
{
	struct inet_diag_msg m;

	if (len < sizeof(m))
		return -1;
	memcpy(&m, p, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
		return -1;
	s->family = m.idiag_family;
	s->proto = proto;
	s->state = m.idiag_state;
	inet_address(s->family, m.id.idiag_src, m.id.idiag_sport, &s->local);
	inet_address(s->family, m.id.idiag_dst, m.id.idiag_dport, &s->peer);
	s->cookie = (unsigned long long)m.id.idiag_cookie[1] << 32 |
	    m.id.idiag_cookie[0];
	s->inode = m.idiag_inode;
	s->rq = m.idiag_rqueue;
	s->wq = m.idiag_wqueue;
	s->expires_ms = m.idiag_expires;
	return 0;
}

/* A Unix socket's name attribute as "path" or "@abstract": a path ends
 * at its NUL; every byte of an abstract name is part of it. */
static void
unix_name(const unsigned char *data, size_t len, char *name)
{
	size_t n = len < DIAG_NAME_MAX - 2 ? len : DIAG_NAME_MAX - 2, i;

	if (n > 0 && data[0] == '\0') {
		name[0] = '@';
		memcpy(name + 1, data + 1, n - 1);
		name[n] = '\0';
	} else {
		n = strnlen((const char *)data, n);
		memcpy(name, data, n);
		name[n] = '\0';
	}
	/* A name is bytes: keep the table printable. */
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20)
			name[i] = '?';
}

/* One attribute of a Unix socket's message into s. */
static void
unix_attr(int type, const unsigned char *data, size_t len, struct diag_sock *s)
{
	struct unix_diag_rqlen rql;
	struct unix_diag_vfs vfs;
	uint32_t peer;

	if (type == UNIX_DIAG_NAME) {
		unix_name(data, len, s->name);
	} else if (type == UNIX_DIAG_PEER && len >= sizeof(peer)) {
		memcpy(&peer, data, sizeof(peer));
		s->peer_inode = peer;
	} else if (type == UNIX_DIAG_VFS && len >= sizeof(vfs)) {
		memcpy(&vfs, data, sizeof(vfs));
		s->vfs_inode = vfs.udiag_vfs_ino;
	} else if (type == UNIX_DIAG_RQLEN && len >= sizeof(rql)) {
		memcpy(&rql, data, sizeof(rql));
		s->rq = rql.udiag_rqueue;
		s->wq = rql.udiag_wqueue;
	}
}

/* One Unix socket's message and its attributes; 0, or -1. */
static int
parse_unix(const unsigned char *p, size_t len, struct diag_sock *s)
{
	struct unix_diag_msg m;
	struct nlattr a;
	size_t off = NLMSG_ALIGN(sizeof(m));

	if (len < sizeof(m))
		return -1;
	memcpy(&m, p, sizeof(m));
	s->family = AF_UNIX;
	s->proto = m.udiag_type;
	s->state = m.udiag_state;
	s->inode = m.udiag_ino;
	s->cookie = (unsigned long long)m.udiag_cookie[1] << 32 |
	    m.udiag_cookie[0];
	while (off + NLA_HDRLEN <= len) {
		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			return -1;
		unix_attr(a.nla_type & NLA_TYPE_MASK, p + off + NLA_HDRLEN,
		    a.nla_len - NLA_HDRLEN, s);
		off += NLA_ALIGN(a.nla_len);
	}
	return 0;
}

/* Parse one recv() of a dump of proto's sockets; 0, or -1 with errno. */
int
diag_parse(const void *buf, size_t len, int proto, int *done, diag_fn *fn,
    void *ctx)
{
	const unsigned char *p = buf;
	struct nlmsghdr h;
	struct nlmsgerr e;
	struct diag_sock s;
	size_t off = 0, body;
	int rc;

	while (off + sizeof(h) <= len) {
		memcpy(&h, p + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off) {
			errno = EBADMSG;
			return -1;
		}
		body = h.nlmsg_len - NLMSG_HDRLEN;
		if (h.nlmsg_type == NLMSG_DONE) {
			*done = 1;
			return 0;
		}
		if (h.nlmsg_type == NLMSG_ERROR) {
			if (body < sizeof(e)) {
				errno = EBADMSG;
				return -1;
			}
			memcpy(&e, p + off + NLMSG_HDRLEN, sizeof(e));
			/* The kernel sends -errno; a hostile INT_MIN has no
			 * positive counterpart. */
			errno = e.error < 0 && e.error > INT_MIN ? -e.error :
			    EPROTO;
			*done = 1;
			return e.error == 0 ? 0 : -1;
		}
		if ((h.nlmsg_type == SOCK_DIAG_BY_FAMILY ||
		    h.nlmsg_type == TCPDIAG_GETSOCK) && body > 0) {
			memset(&s, 0, sizeof(s));
			/* Both answers start with the family byte. */
			rc = p[off + NLMSG_HDRLEN] == AF_UNIX ?
			    parse_unix(p + off + NLMSG_HDRLEN, body, &s) :
			    parse_inet(p + off + NLMSG_HDRLEN, body, proto, &s);
			if (rc < 0) {
				errno = EBADMSG;
				return -1;
			}
			fn(&s, ctx);
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return 0;
}

#else	/* no sock_diag: socket-watch states refuses to start */

size_t
diag_request(void *buf, size_t size, int family, int proto, unsigned port,
    unsigned states, unsigned seq)
{
	(void)buf, (void)size, (void)family, (void)proto, (void)port;
	(void)states, (void)seq;
	return 0;
}

int
diag_parse(const void *buf, size_t len, int proto, int *done, diag_fn *fn,
    void *ctx)
{
	(void)buf, (void)len, (void)proto, (void)fn, (void)ctx;
	*done = 1;
	errno = ENOSYS;
	return -1;
}
#endif
