/*
 * diag.h - the kernel's socket table, read through NETLINK_SOCK_DIAG
 * (man 7 sock_diag), the interface ss(8) uses; unprivileged.
 *
 * One request asks for every socket of one family and protocol
 * (SOCK_DIAG_BY_FAMILY with NLM_F_DUMP); for TCP and UDP the kernel
 * itself keeps only those on the watched port, by running a small
 * bytecode filter (INET_DIAG_REQ_BYTECODE: sport == P or dport == P) over
 * each socket. The answer is a series of netlink messages, one socket
 * each, ended by NLMSG_DONE: a snapshot of the table at that moment.
 */
#ifndef SOCKET_WATCH_DIAG_H
#define SOCKET_WATCH_DIAG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>

/* The longest Unix socket name kept, as "@abstract" or a path. */
#define DIAG_NAME_MAX 110

/* One socket as the kernel's table shows it. */
struct diag_sock {
	int family;		/* AF_INET, AF_INET6 or AF_UNIX */
	int proto;		/* IPPROTO_TCP, IPPROTO_UDP; for AF_UNIX its type */
	int state;		/* Linux's TCP state number (TCP_LISTEN...) */
	struct sockaddr_storage local, peer;	/* AF_INET/AF_INET6 */
	unsigned long long cookie;	/* the kernel's id of this socket */
	unsigned long inode;	/* the socket's inode (0: not a full socket) */
	unsigned long peer_inode;	/* AF_UNIX: the peer's inode, or 0 */
	unsigned long vfs_inode;	/* AF_UNIX: the socket file's inode, or 0 */
	unsigned long rq, wq;	/* receive / send queue bytes; for a
				 * listener: accept queue and its limit */
	unsigned long expires_ms;	/* its timer: TIME_WAIT's time left */
	char name[DIAG_NAME_MAX];	/* AF_UNIX: its address, or "" */
};

/* Called for each socket of a dump. */
typedef void diag_fn(const struct diag_sock *s, void *ctx);

/* Parse len bytes that one recv() of a dump of proto's sockets
 * (IPPROTO_TCP, IPPROTO_UDP; the answers do not say) brought: call fn for
 * each socket; set *done at NLMSG_DONE. 0, or -1 with errno (the kernel's
 * error for NLMSG_ERROR, EBADMSG for a message that does not parse). A
 * pure function over the buffer: unit-tested and fuzzed. */
int diag_parse(const void *buf, size_t len, int proto, int *done,
    diag_fn *fn, void *ctx);

/* Build the request for every socket of family and proto (IPPROTO_TCP,
 * IPPROTO_UDP) with port as source or destination (0: every port);
 * family AF_UNSPEC with TCP asks for IPv4 and IPv6 in one dump (the
 * kernel walks its whole connection table for each dump: one walk is
 * half the cost of two); AF_UNIX asks for every Unix socket. Into buf;
 * its length, or 0 if it does not fit. states is the bit mask of states
 * wanted (1 << TCP_ESTABLISHED | ...). */
size_t diag_request(void *buf, size_t size, int family, int proto,
    unsigned port, unsigned states, unsigned seq);

struct diag;

/* The netlink socket, narrated as step 1; NULL with errno (EAFNOSUPPORT,
 * EPROTONOSUPPORT where there is no sock_diag). */
struct diag *diag_open(void);
/* Dump the table (as diag_request() says) and call fn for each socket;
 * 0, or -1 with errno. */
int diag_dump(struct diag *d, int family, int proto, unsigned port,
    unsigned states, diag_fn *fn, void *ctx);
/* Close the socket (step 9) and free d. */
void diag_close(struct diag *d);

#endif
