/*
 * packets.c - socket-watch packets: every TCP/UDP segment on an
 * interface, one line each.
 *
 *   socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))   frames of every
 *       protocol, whole, Ethernet header included: the third argument,
 *       usually 0, here names the protocol, in network byte order
 *   setsockopt(SO_ATTACH_FILTER)     a one-instruction BPF program that
 *       keeps only the first bytes of each frame (the headers and a
 *       preview), so a fast transfer costs the kernel little to copy
 *   setsockopt(PACKET_IGNORE_OUTGOING)   on loopback every packet passes
 *       twice, once going out and once coming in: keep one copy
 *   bind(interface)                  only this interface's frames
 *   recvmsg() ...                    a frame each, with its time
 *   getsockopt(PACKET_STATISTICS)    at the end: how many the kernel had
 *       to drop because we were too slow
 *
 * Each frame's headers are decoded by hand (packet.c). Sequence and
 * acknowledgement numbers are shown relative to the first one seen in
 * each direction, as tcpdump does: a SYN's seq is 0, the next byte 1.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "flows.h"
#include "io.h"
#include "jtrace.h"
#include "loop.h"
#include "packet.h"
#include "step.h"
#include "trace.h"
#include "watch.h"

#ifdef __linux__
#include <linux/filter.h>
#include <linux/if_packet.h>

/* ETH_P_ALL (linux/if_ether.h): frames of every protocol. */
#define WATCH_ETH_P_ALL 0x0003
/* ARPHRD_* (linux/if_arp.h): what the interface's frames start with. */
#define HATYPE_ETHER 1
#define HATYPE_LOOPBACK 772
/* Bytes kept of each frame: the longest headers, and the preview. */
#define HEADROOM 192
/* Receive buffer asked for: room for a burst at loopback speed. */
#define CAPTURE_RCVBUF (32 * 1024 * 1024)
/* Frames taken per wake-up, so the timers still get their turn. */
#define BATCH 256

struct capture {
	const struct options *opt;
	int fd, ifindex, loopback, ignore_outgoing;
	int rcvbuf;		/* the receive buffer the kernel gave us */
	struct loop *loop;
	struct loop_timer stop;
	struct flows *flows;
	unsigned char *buf;
	size_t snap;
	unsigned long frames, shown, others, copies, malformed;
	int status;
};

/* The frame's time from its SO_TIMESTAMP message, its original length
 * from PACKET_AUXDATA; now and n if they are missing. */
static long long
frame_meta(struct msghdr *msg, size_t *wirelen)
{
	struct cmsghdr *c;
	struct timeval tv;
	struct tpacket_auxdata aux;
	long long t = 0;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type ==
		    SCM_TIMESTAMP && c->cmsg_len >= CMSG_LEN(sizeof(tv))) {
			memcpy(&tv, CMSG_DATA(c), sizeof(tv));
			t = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
		} else if (c->cmsg_level == SOL_PACKET && c->cmsg_type ==
		    PACKET_AUXDATA && c->cmsg_len >= CMSG_LEN(sizeof(aux))) {
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			*wirelen = aux.tp_len;
		}
	}
	return t ? t : jtrace_now_us();
}

/* True if p is what the command line asks to see. */
static int
wanted(const struct capture *c, const struct packet *p)
{
	const struct options *opt = c->opt;

	if (p->ipver == 0 || p->fragment)
		return 0;
	if (p->proto == IPPROTO_TCP ? !opt->tcp : p->proto == IPPROTO_UDP ?
	    !opt->udp : 1)
		return 0;
	if ((opt->cli.family == AF_INET && p->ipver != 4) ||
	    (opt->cli.family == AF_INET6 && p->ipver != 6))
		return 0;
	return opt->port == 0 || p->sport == opt->port ||
	    p->dport == opt->port;
}

/* One frame: decode it, and tell it if it is wanted. */
static void
on_frame(struct capture *c, size_t n, size_t wirelen, long long t_us,
    int pkttype)
{
	struct packet p;

	c->frames++;
	/* Loopback's second copy, if the kernel could not leave it out. */
	if (c->loopback && pkttype == PACKET_OUTGOING) {
		c->copies++;
		return;
	}
	if (packet_decode(c->buf, n, wirelen, PACKET_LINK_ETHERNET, &p) < 0) {
		c->malformed++;
		trace_event("decode", "a %zu-byte frame: %s", wirelen, p.error);
		return;
	}
	if (!wanted(c, &p)) {
		c->others++;
		return;
	}
	c->shown++;
	flows_tell(c->flows, &p, t_us, pkttype == PACKET_OUTGOING ? "out" :
	    "in", c->opt->port, c->opt->preview);
}

/* The socket has frames: take what is queued (up to BATCH). */
static void
on_readable(struct loop *l, int fd, int events, void *ctx)
{
	struct capture *c = ctx;
	struct sockaddr_ll from;
	union {
		char space[CMSG_SPACE(sizeof(struct timeval)) +
		    CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { c->buf, c->snap };
	struct msghdr msg;
	ssize_t n;
	size_t wirelen;
	int i;

	(void)events;
	for (i = 0; i < BATCH; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.space;
		msg.msg_controllen = sizeof(control.space);
		/* Step 8, recv: one frame, its source and its time. */
		n = step_recvmsg(fd, &msg, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			c->status = cli_error(errno, STEP_RECV, NULL, "cannot "
			    "read frames");
			loop_stop(l);
			return;
		}
		/* Frames that came before bind(), from other interfaces. */
		if (from.sll_ifindex != c->ifindex)
			continue;
		wirelen = (size_t)n;
		on_frame(c, (size_t)n, wirelen, frame_meta(&msg, &wirelen),
		    from.sll_pkttype);
	}
	if (fflush(stdout) != 0) {
		c->status = cli_flush_stdout();
		loop_stop(l);
	}
}

/* Step 2: a filter that keeps the first snap bytes of every frame, a big
 * buffer, a time on each frame, and one copy of loopback's packets. */
static void
set_capture_options(struct capture *c)
{
	struct sock_filter keep = BPF_STMT(BPF_RET | BPF_K, (uint32_t)c->snap);
	struct sock_fprog prog = { 1, &keep };
	char what[64];

	snprintf(what, sizeof(what), "BPF {ret #%zu}: keep %zu bytes a frame",
	    c->snap, c->snap);
	step_setsockopt_data(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog), what);
	/* The kernel caps it at net.core.rmem_max, then doubles it: read
	 * back what we got. */
	step_setsockopt_int(c->fd, SOL_SOCKET, SO_RCVBUF, CAPTURE_RCVBUF);
	step_getsockopt_int(c->fd, SOL_SOCKET, SO_RCVBUF, &c->rcvbuf);
	step_setsockopt_int(c->fd, SOL_SOCKET, SO_TIMESTAMP, 1);
	step_setsockopt_int(c->fd, SOL_PACKET, PACKET_AUXDATA, 1);
	if (c->loopback)
		c->ignore_outgoing = step_setsockopt_int(c->fd, SOL_PACKET,
		    PACKET_IGNORE_OUTGOING, 1) == 0;
}

/* Is the interface loopback? From its flags (SIOCGIFFLAGS). */
static int
is_loopback(int fd, const char *iface)
{
	struct ifreq ifr;
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	trace_event("ioctl", "ioctl(fd=%d, SIOCGIFFLAGS, %s) = %d%s", fd,
	    iface, rc, rc == 0 && (ifr.ifr_flags & IFF_LOOPBACK) ?
	    ", IFF_LOOPBACK" : "");
	return rc == 0 && (ifr.ifr_flags & IFF_LOOPBACK);
}

/* Steps 1 to 3: the packet socket, its options, bound to the interface;
 * EX_OK, or the exit status after saying why. */
static int
open_capture(struct capture *c)
{
	struct sockaddr_ll sll;

	/* Step 1, socket: every protocol's frames, headers and all
	 * (lessons/01-socket.md: the protocol argument, given explicitly). */
	c->fd = step_socket(AF_PACKET, SOCK_RAW, htons(WATCH_ETH_P_ALL));
	if (c->fd < 0 && (errno == EPERM || errno == EACCES)) {
		trace_error("packets needs CAP_NET_RAW to open an AF_PACKET "
		    "socket (%s): run it with sudo, or inside scripts/lab, a "
		    "network namespace of your own", trace_errno_name(errno));
		return EX_NOPERM;
	}
	if (c->fd < 0)
		return errno == EAFNOSUPPORT ? (trace_error("packets needs "
		    "AF_PACKET, which this system does not offer"),
		    EX_UNAVAILABLE) : cli_error(errno, STEP_SOCKET, NULL,
		    "cannot open a packet socket");
	c->loopback = is_loopback(c->fd, c->opt->iface);
	/* Step 2, setsockopt (lessons/02-setsockopt.md). */
	set_capture_options(c);
	/* Step 3, bind: to one interface (lessons/03-bind.md). */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(WATCH_ETH_P_ALL);
	sll.sll_ifindex = c->ifindex;
	if (step_bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return cli_error(errno, STEP_BIND, c->opt->iface, "cannot bind "
		    "to %s", c->opt->iface);
	io_nonblock(c->fd, 1);
	return EX_OK;
}

/* The summary, with the kernel's own count of what it had to drop. */
static void
summary(const struct capture *c)
{
	struct tpacket_stats st = { 0, 0 };
	socklen_t len = sizeof(st);

	if (step_getsockopt_data(c->fd, SOL_PACKET, PACKET_STATISTICS, &st,
	    &len) < 0)
		st.tp_packets = st.tp_drops = 0;
	trace_status("%lu frames read: %lu shown, %lu others, %lu malformed%s; "
	    "the kernel dropped %u of %u (PACKET_STATISTICS)%s", c->frames,
	    c->shown, c->others, c->malformed, c->copies ?
	    ", loopback's second copies skipped" : "", st.tp_drops,
	    st.tp_packets, st.tp_drops ? ": the receive buffer was full, "
	    "socket-watch did not keep up" : "");
}

/* Watch packets until stopped; the exit status. */
int
watch_packets(const struct options *opt)
{
	struct capture c = { .opt = opt, .fd = -1, .status = EX_OK };
	int rc;

	if ((c.ifindex = (int)if_nametoindex(opt->iface)) == 0)
		return cli_usage("no interface '%s' here (`ip link` lists "
		    "them; scripts/lab has only lo)", opt->iface);
	cli_catch_stop();
	c.snap = HEADROOM + (size_t)opt->preview;
	if ((c.buf = malloc(c.snap)) == NULL || (c.flows = flows_new()) ==
	    NULL || (c.loop = loop_new()) == NULL) {
		free(c.buf);
		flows_free(c.flows);
		return cli_error(ENOMEM, STEP_NONE, NULL, "cannot start");
	}
	if ((rc = open_capture(&c)) == EX_OK) {
		trace_status("watching %s%s on %s (AF_PACKET: %zu bytes of "
		    "each frame, a %d KiB buffer)", opt->port ? "port " :
		    "every port", opt->port ? opt->what : "", opt->iface,
		    c.snap, c.rcvbuf / 1024);
		loop_timer_init(&c.stop, loop_stop_timer, NULL);	/* --for */
		if (opt->for_ms > 0)
			loop_timer_after(c.loop, &c.stop, opt->for_ms);
		loop_add(c.loop, c.fd, LOOP_READ, on_readable, &c);
		loop_run(c.loop);
		loop_del(c.loop, c.fd);
		summary(&c);
		rc = c.status;
	}
	if (c.fd >= 0)
		step_close(c.fd);
	loop_free(c.loop);
	flows_free(c.flows);
	free(c.buf);
	if (step_stop)
		cli_exit_stopped();
	return rc != EX_OK ? rc : cli_flush_stdout();
}

#else	/* not Linux: no AF_PACKET */

int
watch_packets(const struct options *opt)
{
	(void)opt;
	trace_error("packets needs Linux's AF_PACKET sockets, which this "
	    "system does not have (BPF devices are another story)");
	return EX_UNAVAILABLE;
}
#endif
