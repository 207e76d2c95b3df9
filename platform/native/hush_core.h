/*
 * hush_core: the system calls behind hush's native bindings, in plain C
 * with no JavaScript engine types, shared by the QuickJS module
 * (platform/quickjs/hush_udp.c) and the N-API addon (platform/native/addon.c).
 *
 * Linux only. Every call that can fail returns a negative errno and sets
 * *call to the name of the system call that failed ("setsockopt(IP_TTL)"),
 * so a binding can say "<function>: <call>: <strerror>". Descriptors are
 * non-blocking and close-on-exec; nothing here blocks or keeps state.
 */
#ifndef HUSH_CORE_H
#define HUSH_CORE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The largest UDP payload; RFC 6762 §17 allows mDNS messages up to 9000 bytes, larger ones are read whole too. */
#define HUSH_MAX_DATAGRAM 65535

/* The largest frame a port reads: an Ethernet header, two VLAN tags and the largest IP packet. */
#define HUSH_MAX_FRAME (14 + 8 + 65535)

/* RFC 6762 §11: every mDNS packet leaves with IP TTL / hop limit 255. */
#define HUSH_TTL 255

/* ---- addresses ---------------------------------------------------------- */

/*
 * An address literal of family af (AF_INET / AF_INET6) into *sa, port 0.
 * An IPv6 literal may carry a zone ('fe80::1%eth0' or '%2'), which becomes
 * the scope id. Returns 0, or -1 if text is no such literal.
 */
int hush_parse_addr(int af, const char *text, struct sockaddr_storage *sa, socklen_t *len);

/* Whether *sa (of its own family) is a multicast address. */
int hush_is_multicast(const struct sockaddr_storage *sa);

/* ---- UDP ------------------------------------------------------------------ */

/*
 * A UDP socket of family af bound to the wildcard address and port, which
 * reports each datagram's interface, destination and TTL, and sends with
 * TTL / hop limit 255 and multicast loopback on. only_joined: hear only
 * the multicast this socket joined (IP_MULTICAST_ALL off). Returns the fd.
 */
int hush_udp_open(int af, int port, int only_joined, const char **call);

/* One membership of a group on one interface (ifindex 0: the kernel's choice); join 0 leaves. */
int hush_udp_membership(int fd, const struct sockaddr_storage *group, int ifindex, int join, const char **call);

/*
 * Sends one datagram to *to (its family the socket's) at port. With
 * ifindex >= 0 it leaves on that interface (IP_PKTINFO / IPV6_PKTINFO),
 * multicast included, and a link-local IPv6 destination without a zone
 * takes ifindex as its scope; with -1 the routing table chooses. Returns
 * the bytes sent.
 */
ssize_t hush_udp_send(int fd, const void *data, size_t len, struct sockaddr_storage *to, socklen_t tolen,
                      int port, int ifindex, const char **call);

/* What the kernel said of one received datagram; a has_ flag is 0 where it said nothing. */
struct hush_datagram {
    struct sockaddr_storage src;
    int has_dst, has_ifindex, has_ttl;
    struct sockaddr_storage dst;
    unsigned ifindex;
    int ttl;
};

/* Reads the next datagram into buf; returns its length, or -EAGAIN when none is waiting. */
ssize_t hush_udp_recv(int fd, uint8_t *buf, size_t cap, struct hush_datagram *d, const char **call);

/* ---- interfaces ----------------------------------------------------------- */

struct hush_ifaddr {
    int family; /* 4 or 6 */
    char addr[INET6_ADDRSTRLEN]; /* without zone */
    int prefix;
};

struct hush_iface {
    unsigned index;
    char name[IF_NAMESIZE];
    int up, multicast, loopback;
    int has_mac;
    uint8_t mac[6];
    size_t naddrs;
    struct hush_ifaddr *addrs;
};

/*
 * Every device getifaddrs reports, loopback and address-less ones included,
 * in the order it reports them; address labels ('eth0:1') count as their
 * device. The MAC comes from the device's AF_PACKET entry when its hardware
 * address has 6 bytes. Free the list with hush_interfaces_free.
 */
int hush_interfaces(struct hush_iface **list, size_t *n, const char **call);
void hush_interfaces_free(struct hush_iface *list, size_t n);

/* ---- AF_PACKET ports ------------------------------------------------------ */

/*
 * A raw socket that hears every frame on one interface (ETH_P_ALL) and
 * receives the multicast MACs given (PACKET_ADD_MEMBERSHIP), each frame with
 * its checksum status (PACKET_AUXDATA). With filter, a kernel filter lets
 * through only what can be mDNS (see hush_core.c).
 * Returns the fd; -EPERM without CAP_NET_RAW, -ENODEV for an unknown ifindex.
 */
int hush_packet_open(int ifindex, const uint8_t (*macs)[6], size_t nmacs, int filter, const char **call);

/* Sends one whole Ethernet frame out of ifindex. */
int hush_packet_send(int fd, int ifindex, const void *frame, size_t len, const char **call);

/* What the kernel said of one frame a port read (packet(7): sll_pkttype, PACKET_AUXDATA's tp_status). */
struct hush_frame {
    /* The host sent it (PACKET_OUTGOING) rather than received it. */
    int outgoing;
    /* TP_STATUS_CSUMNOTREADY: the transport checksum is not computed yet
       (CHECKSUM_PARTIAL): the frame was made on this machine, by its own
       stack or by another namespace's across a veth, and the device (or the
       kernel in software) fills the checksum in on its way out. */
    int csum_not_ready;
    /* TP_STATUS_CSUM_VALID: the device verified the transport checksum. */
    int csum_valid;
    /* The VLAN ID (1-4095) of a frame tagged for a VLAN (TP_STATUS_VLAN_VALID,
       tp_vlan_tci): it belongs to that VLAN's device, not to the port's
       interface, and the port drops it. 0 for an untagged frame and a
       priority-tagged one (VLAN 0), which are the interface's own. */
    int vlan;
};

/*
 * Reads the next frame into buf (cap HUSH_MAX_FRAME holds any); returns its
 * length (cut to cap), or -EAGAIN when none is waiting, and fills *f.
 */
ssize_t hush_packet_recv(int fd, uint8_t *buf, size_t cap, struct hush_frame *f, const char **call);

/* Whether this process may open AF_PACKET sockets: opens one and closes it (0, or -EPERM). */
int hush_packet_probe(const char **call);

/* ---- the guard ------------------------------------------------------------ */

/*
 * The guard: a UDP socket as hush_udp_open(af, port, 1) that delivers
 * nothing, since a filter drops every datagram. It keeps the kernel from
 * answering the port with ICMP port unreachable, joins groups
 * (hush_udp_membership) and sends (hush_udp_send). For IPv4 it takes the
 * wildcard address only when no other socket holds the port, else it binds
 * to 224.0.0.251 and leaves the port's unicast to that socket (see guard4
 * in hush_core.c). Returns its fd and sets
 * *loop, for hush_guard_loop only: for IPv4 a second socket opened the same
 * way but bound to the mDNS group 224.0.0.251 instead of the wildcard, so
 * that it never matches a unicast datagram to the port, with multicast TTL
 * 0 for good; for IPv6 -1 (the guard loops itself, per datagram). Either
 * all open or none does. For port 0 (not shared, see hush_udp_open) each
 * socket has a port of its own.
 */
int hush_guard_open(int af, int port, int *loop, const char **call);

/*
 * Hands this host's own sockets a copy of a multicast datagram and nothing
 * else: one sendmsg to group (its family the guard's) at port out of
 * ifindex as hush_udp_send does, with TTL / hop limit 0: for IPv4 on the
 * guard's loop socket (hush_guard_open), for IPv6 (loop -1) on the guard
 * fd itself with an IPV6_HOPLIMIT ancillary value of 0 for this datagram
 * alone. Linux loops the datagram back to the local members of the group
 * (multicast loop is on) and then drops it before the device: IPv4
 * ip_mc_output, "Multicasts with ttl 0 must not go beyond the host"; IPv6
 * ip6_finish_output2, hop limit 0 after the loopback clone. Both only when
 * the host is a member of the group on ifindex (IPv4: the route's
 * RTCF_LOCAL, else ip_output sends it on; IPv6: ipv6_chk_mcast_addr), which
 * the kernel keeps per device, not per socket: the caller must have joined
 * the group there on the guard (hush_udp_membership), and that membership
 * covers the loop socket. The looped copy is PACKET_LOOPBACK, which no
 * packet socket hears. Returns the bytes sent; -EINVAL for a group that is
 * not multicast. The guard's own sends keep TTL / hop limit 255: nothing is
 * set or restored per call.
 */
ssize_t hush_guard_loop(int fd, int loop, const void *data, size_t len, struct sockaddr_storage *group,
                        socklen_t glen, int port, int ifindex, const char **call);

/* Discards whatever is waiting on the guard and its pending error, so a readable event ends. */
void hush_guard_drain(int fd);

/*
 * Reads and so clears the socket's pending error (socket(7) SO_ERROR),
 * which makes poll(2) answer POLLERR until then: ENETDOWN on a port whose
 * link went down, ENOBUFS on a netlink socket that lost messages. Returns it
 * (0 for none).
 */
int hush_socket_error(int fd);

/* ---- netlink -------------------------------------------------------------- */

/* A NETLINK_ROUTE socket told of link and IPv4 / IPv6 address changes. */
int hush_netlink_open(const char **call);

/* Reads every pending message; returns 1 if any told of a change (or some were lost), 0 if none did. */
int hush_netlink_drain(int fd, const char **call);

#endif
