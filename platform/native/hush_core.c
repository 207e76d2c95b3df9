/*
 * hush_core: the system calls behind hush's native bindings (see hush_core.h).
 */
#define _GNU_SOURCE
#include "hush_core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define countof(x) (sizeof(x) / sizeof((x)[0]))

/* The VLAN ID bits of an IEEE 802.1Q tag control information (TCI). */
#define VLAN_VID_MASK 0x0fff

/* Fails the calling function with -errno, naming the call. */
#define FAIL(name)        \
    do {                  \
        *call = (name);   \
        return -errno;    \
    } while (0)

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

/* Closes fd keeping errno, and answers -errno for a failed open. */
static int fail_close(int fd)
{
    int err = errno;

    close(fd);
    return -err;
}

/* ---- addresses ---------------------------------------------------------- */

int hush_parse_addr(int af, const char *text, struct sockaddr_storage *sa, socklen_t *len)
{
    char copy[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    size_t n = strlen(text);

    memset(sa, 0, sizeof *sa);
    if (n >= sizeof copy)
        return -1;
    memcpy(copy, text, n + 1);
    if (af == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        in->sin_family = AF_INET;
        *len = sizeof *in;
        return inet_pton(AF_INET, copy, &in->sin_addr) == 1 ? 0 : -1;
    }
    if (af == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
        char *zone = strchr(copy, '%');
        in6->sin6_family = AF_INET6;
        *len = sizeof *in6;
        if (zone) {
            char *end;
            unsigned long id;
            *zone++ = '\0';
            id = strtoul(zone, &end, 10);
            if (*zone && *end == '\0' && id <= UINT32_MAX)
                in6->sin6_scope_id = (uint32_t)id;
            else
                in6->sin6_scope_id = if_nametoindex(zone);
        }
        return inet_pton(AF_INET6, copy, &in6->sin6_addr) == 1 && (!zone || in6->sin6_scope_id) ? 0 : -1;
    }
    return -1;
}

int hush_is_multicast(const struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET)
        return IN_MULTICAST(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    return sa->ss_family == AF_INET6 && IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

/* ---- UDP ------------------------------------------------------------------ */

/* One socket option of hush_udp_open(); on failure closes fd and fails. */
#define OPT(level, name, value)                                  \
    do {                                                         \
        if (set_int(fd, level, name, value) < 0) {               \
            *call = "setsockopt(" #name ")";                     \
            return fail_close(fd);                               \
        }                                                        \
    } while (0)

/*
 * Share a fixed port with other responders on the host (RFC 6762 §15.1).
 * Returns fd, or on failure closes it and fails.
 */
static int share_port(int fd, const char **call)
{
    OPT(SOL_SOCKET, SO_REUSEADDR, 1);
    OPT(SOL_SOCKET, SO_REUSEPORT, 1);
    return fd;
}

/* Like hush_udp_open, before bind(), shared with share: the guard attaches its filter in between. */
static int udp_socket(int af, int share, int only_joined, const char **call)
{
    int fd;

    if (af != AF_INET && af != AF_INET6) {
        *call = "socket";
        return -EAFNOSUPPORT;
    }
    fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0)
        FAIL("socket");
    if (share && (fd = share_port(fd, call)) < 0)
        return fd;
    if (af == AF_INET) {
        OPT(IPPROTO_IP, IP_PKTINFO, 1);
        OPT(IPPROTO_IP, IP_RECVTTL, 1);
        OPT(IPPROTO_IP, IP_MULTICAST_TTL, HUSH_TTL);
        OPT(IPPROTO_IP, IP_TTL, HUSH_TTL);
        OPT(IPPROTO_IP, IP_MULTICAST_LOOP, 1);
        if (only_joined)
            OPT(IPPROTO_IP, IP_MULTICAST_ALL, 0);
    } else {
        OPT(IPPROTO_IPV6, IPV6_V6ONLY, 1);
        OPT(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
        OPT(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
        OPT(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, HUSH_TTL);
        OPT(IPPROTO_IPV6, IPV6_UNICAST_HOPS, HUSH_TTL);
        OPT(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1);
#ifdef IPV6_MULTICAST_ALL
        if (only_joined)
            OPT(IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
#endif
    }
    return fd;
}

/* Binds fd to port on the wildcard address, or for IPv4 on v4 (network order). */
static int udp_bind(int fd, int af, in_addr_t v4, int port, const char **call)
{
    struct sockaddr_storage sa;
    socklen_t len;

    memset(&sa, 0, sizeof sa);
    if (af == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&sa;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = v4;
        in->sin_port = htons((uint16_t)port);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_any;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof *in6;
    }
    if (bind(fd, (struct sockaddr *)&sa, len) < 0) {
        *call = "bind";
        return fail_close(fd);
    }
    return fd;
}

/*
 * Shared unless port is 0: the kernel would then hand out a port another
 * such socket holds, and replies to it could go there (RFC 5452 §9.2).
 */
int hush_udp_open(int af, int port, int only_joined, const char **call)
{
    int fd = udp_socket(af, port != 0, only_joined, call);

    return fd < 0 ? fd : udp_bind(fd, af, htonl(INADDR_ANY), port, call);
}

int hush_udp_membership(int fd, const struct sockaddr_storage *group, int ifindex, int join, const char **call)
{
    if (group->ss_family == AF_INET) {
        struct ip_mreqn m;
        memset(&m, 0, sizeof m);
        m.imr_multiaddr = ((const struct sockaddr_in *)group)->sin_addr;
        m.imr_address.s_addr = htonl(INADDR_ANY);
        m.imr_ifindex = ifindex;
        if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m) < 0)
            FAIL(join ? "setsockopt(IP_ADD_MEMBERSHIP)" : "setsockopt(IP_DROP_MEMBERSHIP)");
    } else {
        struct ipv6_mreq m;
        memset(&m, 0, sizeof m);
        m.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)group)->sin6_addr;
        m.ipv6mr_interface = (unsigned)ifindex;
        if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m) < 0)
            FAIL(join ? "setsockopt(IPV6_JOIN_GROUP)" : "setsockopt(IPV6_LEAVE_GROUP)");
    }
    return 0;
}

/*
 * hush_udp_send; for IPv6 with hops >= 0, an IPV6_HOPLIMIT ancillary value
 * beside IPV6_PKTINFO, the hop limit of this datagram alone.
 */
static ssize_t udp_sendmsg(int fd, const void *data, size_t len, struct sockaddr_storage *to, socklen_t tolen,
                           int port, int ifindex, int hops, const char **call)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cm;
    ssize_t n;

    memset(&msg, 0, sizeof msg);
    memset(&control, 0, sizeof control);
    iov.iov_base = (void *)data;
    iov.iov_len = len;
    msg.msg_name = to;
    msg.msg_namelen = tolen;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (to->ss_family == AF_INET) {
        ((struct sockaddr_in *)to)->sin_port = htons((uint16_t)port);
        if (ifindex >= 0) {
            struct in_pktinfo pi;
            memset(&pi, 0, sizeof pi);
            pi.ipi_ifindex = ifindex;
            msg.msg_control = control.buf;
            msg.msg_controllen = CMSG_SPACE(sizeof pi);
            cm = CMSG_FIRSTHDR(&msg);
            cm->cmsg_level = IPPROTO_IP;
            cm->cmsg_type = IP_PKTINFO;
            cm->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(cm), &pi, sizeof pi);
        }
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)to;
        in6->sin6_port = htons((uint16_t)port);
        msg.msg_control = control.buf;
        cm = (struct cmsghdr *)control.buf;
        if (ifindex >= 0) {
            struct in6_pktinfo pi;
            if (!in6->sin6_scope_id &&
                (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&in6->sin6_addr)))
                in6->sin6_scope_id = (uint32_t)ifindex;
            memset(&pi, 0, sizeof pi);
            pi.ipi6_ifindex = (unsigned)ifindex;
            cm->cmsg_level = IPPROTO_IPV6;
            cm->cmsg_type = IPV6_PKTINFO;
            cm->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(cm), &pi, sizeof pi);
            msg.msg_controllen += CMSG_SPACE(sizeof pi);
            cm = (struct cmsghdr *)(control.buf + msg.msg_controllen);
        }
        if (hops >= 0) {
            cm->cmsg_level = IPPROTO_IPV6;
            cm->cmsg_type = IPV6_HOPLIMIT;
            cm->cmsg_len = CMSG_LEN(sizeof hops);
            memcpy(CMSG_DATA(cm), &hops, sizeof hops);
            msg.msg_controllen += CMSG_SPACE(sizeof hops);
        }
        if (!msg.msg_controllen)
            msg.msg_control = NULL;
    }
    do
        n = sendmsg(fd, &msg, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        FAIL("sendmsg");
    return n;
}

ssize_t hush_udp_send(int fd, const void *data, size_t len, struct sockaddr_storage *to, socklen_t tolen,
                      int port, int ifindex, const char **call)
{
    return udp_sendmsg(fd, data, len, to, tolen, port, ifindex, -1, call);
}

ssize_t hush_udp_recv(int fd, uint8_t *buf, size_t cap, struct hush_datagram *d, const char **call)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)) +
                 2 * CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cm;
    ssize_t n;

    memset(d, 0, sizeof *d);
    memset(&msg, 0, sizeof msg);
    iov.iov_base = buf;
    iov.iov_len = cap;
    msg.msg_name = &d->src;
    msg.msg_namelen = sizeof d->src;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    do
        n = recvmsg(fd, &msg, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        FAIL("recvmsg");
    for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof pi);
            d->dst.ss_family = AF_INET;
            ((struct sockaddr_in *)&d->dst)->sin_addr = pi.ipi_addr;
            d->ifindex = (unsigned)pi.ipi_ifindex;
            d->has_dst = d->has_ifindex = 1;
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) {
            memcpy(&d->ttl, CMSG_DATA(cm), sizeof d->ttl);
            d->has_ttl = 1;
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof pi);
            d->dst.ss_family = AF_INET6;
            ((struct sockaddr_in6 *)&d->dst)->sin6_addr = pi.ipi6_addr;
            d->ifindex = pi.ipi6_ifindex;
            d->has_dst = d->has_ifindex = 1;
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT) {
            memcpy(&d->ttl, CMSG_DATA(cm), sizeof d->ttl);
            d->has_ttl = 1;
        }
    }
    return n;
}

/* ---- interfaces ----------------------------------------------------------- */

/* Leading one bits of a netmask. */
static int prefix_length(const uint8_t *mask, size_t len)
{
    int bits = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        uint8_t b = mask[i];
        while (b & 0x80) {
            bits++;
            b = (uint8_t)(b << 1);
        }
        if (mask[i] != 0xff)
            break;
    }
    return bits;
}

/* The device an entry of getifaddrs belongs to: Linux address labels ('eth0:1') name their device ('eth0'). */
static void device_name(const char *label, char out[IF_NAMESIZE])
{
    size_t n = strcspn(label, ":");

    if (n >= IF_NAMESIZE)
        n = IF_NAMESIZE - 1;
    memcpy(out, label, n);
    out[n] = '\0';
}

/* Adds an IPv4 / IPv6 entry's address to dev; other families are skipped. Returns -1 when out of memory. */
static int add_address(struct hush_iface *dev, const struct ifaddrs *a)
{
    int af = a->ifa_addr->sa_family;
    const void *addr, *mask;
    struct hush_ifaddr *grown, *x;
    size_t mlen;

    if (af == AF_INET) {
        addr = &((const struct sockaddr_in *)a->ifa_addr)->sin_addr;
        mask = a->ifa_netmask ? (const void *)&((const struct sockaddr_in *)a->ifa_netmask)->sin_addr : NULL;
        mlen = 4;
    } else if (af == AF_INET6) {
        addr = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
        mask = a->ifa_netmask ? (const void *)&((const struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr : NULL;
        mlen = 16;
    } else {
        return 0;
    }
    grown = realloc(dev->addrs, (dev->naddrs + 1) * sizeof *grown);
    if (!grown)
        return -1;
    dev->addrs = grown;
    x = &grown[dev->naddrs];
    x->family = af == AF_INET ? 4 : 6;
    if (!inet_ntop(af, addr, x->addr, sizeof x->addr))
        return 0;
    x->prefix = mask ? prefix_length(mask, mlen) : (int)mlen * 8;
    dev->naddrs++;
    return 0;
}

/* The device named name in list, added (flags from entry a) if it is not there yet; NULL when out of memory. */
static struct hush_iface *find_device(struct hush_iface **list, size_t *n, const char *name, const struct ifaddrs *a)
{
    struct hush_iface *grown, *dev;
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp((*list)[i].name, name) == 0)
            return &(*list)[i];
    grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    *list = grown;
    dev = &grown[(*n)++];
    memset(dev, 0, sizeof *dev);
    memcpy(dev->name, name, IF_NAMESIZE);
    dev->index = if_nametoindex(name);
    dev->up = (a->ifa_flags & IFF_UP) != 0;
    dev->multicast = (a->ifa_flags & IFF_MULTICAST) != 0;
    dev->loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
    return dev;
}

int hush_interfaces(struct hush_iface **list, size_t *n, const char **call)
{
    struct ifaddrs *all, *a;
    char name[IF_NAMESIZE];
    struct hush_iface *dev;

    *list = NULL;
    *n = 0;
    if (getifaddrs(&all) < 0)
        FAIL("getifaddrs");
    for (a = all; a; a = a->ifa_next) {
        device_name(a->ifa_name, name);
        dev = find_device(list, n, name, a);
        if (!dev || (a->ifa_addr && add_address(dev, a) < 0))
            goto nomem;
        /* getifaddrs(3): AF_PACKET entries carry the link's struct sockaddr_ll. */
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_PACKET) {
            const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;
            if (ll->sll_halen == 6) {
                memcpy(dev->mac, ll->sll_addr, 6);
                dev->has_mac = 1;
            }
        }
    }
    freeifaddrs(all);
    return 0;

nomem:
    freeifaddrs(all);
    hush_interfaces_free(*list, *n);
    *list = NULL;
    *n = 0;
    *call = "malloc";
    return -ENOMEM;
}

void hush_interfaces_free(struct hush_iface *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(list[i].addrs);
    free(list);
}

/* ---- AF_PACKET ports ------------------------------------------------------ */

/*
 * The port's kernel filter (classic BPF, packet(7) SO_ATTACH_FILTER, on the
 * frame from its Ethernet header). It accepts only:
 *  - IPv4 UDP (protocol 17) from or to port 5353, the UDP header found
 *    past the IHL (`ldxb 4*([14]&0xf)`, RFC 791 §3.1). Non-first fragments
 *    (offset != 0) carry no UDP header and are rejected: the first fragment
 *    of an mDNS datagram carries the ports, passes, and is counted by the
 *    stack as 'fragment', so each fragmented datagram is still counted once.
 *  - IPv6 whose next header is UDP from or to port 5353;
 *  - IPv6 whose next header is an extension header the stack walks or drops
 *    (hop-by-hop 0, routing 43, destination options 60, fragment 44,
 *    RFC 8200 §4), since the UDP header's place is not fixed then.
 * Everything else is rejected. A VLAN tag is not in the frame the filter
 * sees: the kernel moves it into the packet's metadata before packet sockets
 * get it, so a datagram of VLAN 100 on the same link looks like the
 * interface's own here. hush_packet_recv tells such a frame by its
 * PACKET_AUXDATA (struct hush_frame's vlan) and the port drops it, with the
 * filter or without.
 */
#define MDNS_PORT 5353
static struct sock_filter mdns_filter[] = {
    /*  0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                   /* EtherType */
    /*  1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 9),      /* IPv4, else 11 */
    /*  2 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 9),               /* protocol */
    /*  3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 19),  /* else reject */
    /*  4 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14 + 6),               /* flags, fragment offset */
    /*  5 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 17, 0),      /* non-first fragment: reject */
    /*  6 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),                  /* X = 4 * IHL */
    /*  7 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14),                   /* source port */
    /*  8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MDNS_PORT, 13, 0),    /* accept */
    /*  9 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14 + 2),               /* destination port */
    /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MDNS_PORT, 11, 12),   /* accept, reject */
    /* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 11),   /* IPv6, else reject */
    /* 12 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),               /* next header */
    /* 13 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 4, 0),   /* UDP: 18 */
    /* 14 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_HOPOPTS, 7, 0),
    /* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ROUTING, 6, 0),
    /* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_DSTOPTS, 5, 0),
    /* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_FRAGMENT, 4, 5),
    /* 18 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14 + 40),              /* source port */
    /* 19 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MDNS_PORT, 2, 0),     /* accept */
    /* 20 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14 + 40 + 2),          /* destination port */
    /* 21 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MDNS_PORT, 0, 1),     /* accept, reject */
    /* 22 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffff),                    /* accept: the whole frame */
    /* 23 */ BPF_STMT(BPF_RET | BPF_K, 0),                             /* reject */
};

static int attach_filter(int fd, struct sock_filter *code, size_t len)
{
    struct sock_fprog prog;

    prog.len = (unsigned short)len;
    prog.filter = code;
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

int hush_packet_open(int ifindex, const uint8_t (*macs)[6], size_t nmacs, int filter, const char **call)
{
    struct sockaddr_ll ll;
    struct packet_mreq mr;
    size_t i;
    int fd;

    /* Protocol 0: the socket hears nothing until bind() names ETH_P_ALL, so
       no frame is queued before the filter is in place (packet(7)). */
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        FAIL("socket(AF_PACKET)");
    if (filter && attach_filter(fd, mdns_filter, countof(mdns_filter)) < 0) {
        *call = "setsockopt(SO_ATTACH_FILTER)";
        return fail_close(fd);
    }
    /* packet(7): "PACKET_AUXDATA: If this binary option is enabled, the
       packet socket passes a metadata structure along with each packet in
       the msg_control field", the struct tpacket_auxdata hush_packet_recv reads. */
    if (set_int(fd, SOL_PACKET, PACKET_AUXDATA, 1) < 0) {
        *call = "setsockopt(PACKET_AUXDATA)";
        return fail_close(fd);
    }
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(ETH_P_ALL);
    ll.sll_ifindex = ifindex;
    if (bind(fd, (struct sockaddr *)&ll, sizeof ll) < 0) {
        *call = "bind";
        return fail_close(fd);
    }
    for (i = 0; i < nmacs; i++) {
        memset(&mr, 0, sizeof mr);
        mr.mr_ifindex = ifindex;
        mr.mr_type = PACKET_MR_MULTICAST;
        mr.mr_alen = 6;
        memcpy(mr.mr_address, macs[i], 6);
        if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) {
            *call = "setsockopt(PACKET_ADD_MEMBERSHIP)";
            return fail_close(fd);
        }
    }
    return fd;
}

int hush_packet_send(int fd, int ifindex, const void *frame, size_t len, const char **call)
{
    struct sockaddr_ll ll;
    ssize_t n;

    /* packet(7): for SOCK_RAW the frame carries its own link-layer header;
       sll_ifindex alone chooses the device. */
    memset(&ll, 0, sizeof ll);
    ll.sll_family = AF_PACKET;
    ll.sll_ifindex = ifindex;
    do
        n = sendto(fd, frame, len, 0, (struct sockaddr *)&ll, sizeof ll);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        FAIL("sendto");
    return 0;
}

/*
 * A frame this host sends reaches the port once, as PACKET_OUTGOING, except
 * the frames this very socket sends: the kernel does not hand a packet
 * socket its own frames back (net/core/dev.c skb_loop_sk). Multicast the
 * kernel loops back to the host (PACKET_LOOPBACK) is not delivered to
 * packet sockets (net/packet/af_packet.c drops it), so nothing is seen twice.
 *
 * The checksum status is PACKET_AUXDATA's tp_status, which
 * net/packet/af_packet.c packet_recvmsg() sets as
 *     if (skb->ip_summed == CHECKSUM_PARTIAL)
 *         aux.tp_status |= TP_STATUS_CSUMNOTREADY;
 *     else if (skb->pkt_type != PACKET_OUTGOING && skb_csum_unnecessary(skb))
 *         aux.tp_status |= TP_STATUS_CSUM_VALID;
 * CHECKSUM_PARTIAL is a packet made on this machine whose transport
 * checksum holds only the pseudo-header's sum until the device fills it in
 * (include/linux/skbuff.h): the host's own frames with transmit checksum
 * offload, and frames from another namespace across a veth, which keeps
 * the state. Kernels before 6.1 also said CSUM_VALID for CHECKSUM_COMPLETE,
 * a sum the device took without checking it (fixed by "packet: do not set
 * TP_STATUS_CSUM_VALID on CHECKSUM_COMPLETE").
 *
 * A packet socket bound to a link also gets the frames of the link's VLANs
 * (eth0.100), before the VLAN device does: net/core/dev.c
 * __netif_receive_skb_core takes the tag off the frame (skb_vlan_untag, or
 * the device did) and hands the packet to the link's taps with the tag in
 * its metadata, which packet_recvmsg() reports as
 *     if (skb_vlan_tag_present(skb)) {
 *         aux.tp_vlan_tci = skb_vlan_tag_get(skb);
 *         ...
 *         aux.tp_status |= TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID;
 * Only after that does the frame go to the VLAN's device; with VLAN ID 0
 * (a priority tag, IEEE 802.1Q) it stays the link's own.
 */
ssize_t hush_packet_recv(int fd, uint8_t *buf, size_t cap, struct hush_frame *f, const char **call)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        struct cmsghdr align;
    } control;
    struct sockaddr_ll from;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cm;
    ssize_t n;

    memset(f, 0, sizeof *f);
    memset(&msg, 0, sizeof msg);
    iov.iov_base = buf;
    iov.iov_len = cap;
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    do
        n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        FAIL("recvmsg");
    f->outgoing = from.sll_pkttype == PACKET_OUTGOING;
    for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA &&
            cm->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(cm), sizeof aux);
            f->csum_not_ready = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
#ifdef TP_STATUS_CSUM_VALID
            f->csum_valid = (aux.tp_status & TP_STATUS_CSUM_VALID) != 0;
#endif
            if (aux.tp_status & TP_STATUS_VLAN_VALID)
                f->vlan = aux.tp_vlan_tci & VLAN_VID_MASK;
        }
    }
    return (size_t)n > cap ? (ssize_t)cap : n;
}

int hush_packet_probe(const char **call)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

    if (fd < 0)
        FAIL("socket(AF_PACKET)");
    close(fd);
    return 0;
}

/* ---- the guard ------------------------------------------------------------ */

/* socket(7) SO_ATTACH_FILTER: a program answering 0 drops every datagram. */
static struct sock_filter drop_all[] = {
    BPF_STMT(BPF_RET | BPF_K, 0),
};

/* The mDNS IPv4 group (RFC 6762 §3), the IPv4 loop socket's address. */
#define MDNS_GROUP4 0xe00000fbu

/*
 * A UDP socket as hush_udp_open(af, port, 1), shared with share, whose
 * filter drops every datagram, bound to port on v4 (network order; IPv6:
 * the wildcard). With loop (IPv4 only), its multicast TTL is 0.
 */
static int quiet_socket(int af, int share, int loop, in_addr_t v4, int port, const char **call)
{
    int fd = udp_socket(af, share, 1, call);

    if (fd < 0)
        return fd;
    if (loop)
        OPT(IPPROTO_IP, IP_MULTICAST_TTL, 0);
    if (attach_filter(fd, drop_all, countof(drop_all)) < 0) {
        *call = "setsockopt(SO_ATTACH_FILTER)";
        return fail_close(fd);
    }
    return udp_bind(fd, af, v4, port, call);
}

/*
 * The IPv4 guard: on the wildcard address only while no other socket holds
 * the port. Bound first without SO_REUSEADDR, a bind beside any other
 * socket of the port fails (net/ipv4/udp.c udp_lib_lport_inuse counts
 * another socket of the port a conflict when "(!sk2->sk_reuse ||
 * !sk->sk_reuse)", unless both have SO_REUSEPORT), so one that succeeds
 * holds the port alone; it then sets SO_REUSEADDR and SO_REUSEPORT, which a
 * later bind reads as they are then, so another responder can still bind
 * after it.
 *
 * Beside a socket of the port (EADDRINUSE) it binds, shared, to the mDNS
 * group 224.0.0.251 as the loop socket does: net/ipv4/af_inet.c
 * __inet_bind takes a multicast address (inet_addr_type RTN_MULTICAST) as
 * the bound address, "inet->inet_rcv_saddr = inet->inet_saddr =
 * addr->sin_addr.s_addr; if (chk_addr_ret == RTN_MULTICAST || chk_addr_ret
 * == RTN_BROADCAST) inet->inet_saddr = 0;  Use device", so what it sends
 * takes its source address from the route / interface as from the
 * wildcard, from the same port, while net/ipv4/udp.c compute_score answers
 * -1 for a socket whose inet_rcv_saddr is not the datagram's destination:
 * no unicast datagram to the port ever picks it. On the wildcard it would
 * take, and drop, every unicast datagram from an SO_REUSEADDR responder
 * opened before it: udp_lib_get_port puts the newest socket first in its
 * hash slot ("hlist_add_head_rcu", save an AF_INET6 SO_REUSEPORT one,
 * "hlist_add_tail_rcu"), and outside an SO_REUSEPORT group the first best
 * match takes the datagram. The other holder keeps the port's unicast; if
 * it exits, the kernel answers unicast to the port with ICMP port
 * unreachable until the guard is opened again.
 */
static int guard4(int port, const char **call)
{
    int fd = quiet_socket(AF_INET, 0, 0, htonl(INADDR_ANY), port, call);

    if (fd >= 0)
        return port != 0 ? share_port(fd, call) : fd;
    if (fd != -EADDRINUSE || port == 0)
        return fd;
    return quiet_socket(AF_INET, 1, 0, htonl(MDNS_GROUP4), port, call);
}

int hush_guard_open(int af, int port, int *loop, const char **call)
{
    int fd = af == AF_INET ? guard4(port, call) : quiet_socket(af, port != 0, 0, htonl(INADDR_ANY), port, call);

    *loop = -1;
    if (fd < 0 || af != AF_INET)
        return fd;
    *loop = quiet_socket(af, port != 0, 1, htonl(MDNS_GROUP4), port, call);
    if (*loop < 0) {
        close(fd);
        return *loop;
    }
    return fd;
}

/*
 * IPv6 sends on the guard itself with the hop limit 0 of this datagram
 * alone: net/ipv6/datagram.c ip6_datagram_send_ctl takes an IPV6_HOPLIMIT
 * of -1..255 ("ipc6->hlimit = *(int *)CMSG_DATA(cmsg); if (ipc6->hlimit <
 * -1 || ipc6->hlimit > 0xff) { err = -EINVAL; ..."), and net/ipv6/udp.c
 * udpv6_sendmsg replaces only a negative one
 * with the socket's ("if (ipc6.hlimit < 0) ipc6.hlimit =
 * ip6_sk_dst_hoplimit(np, fl6, dst);").
 */
ssize_t hush_guard_loop(int fd, int loop, const void *data, size_t len, struct sockaddr_storage *group,
                        socklen_t glen, int port, int ifindex, const char **call)
{
    if (!hush_is_multicast(group)) {
        *call = "sendmsg";
        return -EINVAL;
    }
    if (loop >= 0)
        return hush_udp_send(loop, data, len, group, glen, port, ifindex, call);
    return udp_sendmsg(fd, data, len, group, glen, port, ifindex, 0, call);
}

void hush_guard_drain(int fd)
{
    uint8_t byte;

    while (recv(fd, &byte, sizeof byte, MSG_DONTWAIT) >= 0 || errno == EINTR)
        continue;
    hush_socket_error(fd);
}

int hush_socket_error(int fd)
{
    socklen_t len;
    int err = 0;

    len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return errno;
    return err;
}

/* ---- netlink -------------------------------------------------------------- */

int hush_netlink_open(const char **call)
{
    struct sockaddr_nl nl;
    int fd;

    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        FAIL("socket(AF_NETLINK)");
    memset(&nl, 0, sizeof nl);
    nl.nl_family = AF_NETLINK;
    nl.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (bind(fd, (struct sockaddr *)&nl, sizeof nl) < 0) {
        *call = "bind";
        return fail_close(fd);
    }
    return fd;
}

int hush_netlink_drain(int fd, const char **call)
{
    union {
        char buf[8192];
        struct nlmsghdr align;
    } u;
    struct nlmsghdr *h;
    int changed = 0, len;
    ssize_t n;

    for (;;) {
        n = recv(fd, u.buf, sizeof u.buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return changed;
            /* netlink(7): ENOBUFS means messages were lost; what they said is unknown. */
            if (errno == ENOBUFS) {
                changed = 1;
                continue;
            }
            FAIL("recv");
        }
        /* netlink(3): NLMSG_OK and NLMSG_NEXT take the remaining length as an
           int. NLMSG_NEXT subtracts the aligned length (NLMSG_ALIGN), so after
           a last message whose length is not a multiple of 4 it goes below 0,
           where NLMSG_OK must see a negative number, not a huge unsigned one. */
        len = (int)n;
        for (h = &u.align; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            switch (h->nlmsg_type) {
            case RTM_NEWLINK:
            case RTM_DELLINK:
            case RTM_NEWADDR:
            case RTM_DELADDR:
                changed = 1;
                break;
            default:
                break;
            }
        }
    }
}
