/*
 * hush_udp: UDP multicast sockets for QuickJS scripts, with what the
 * platform contract needs per packet (src/platform.ts PacketMeta): the
 * receiving interface, the destination address and the TTL / hop limit of
 * every datagram, and the outgoing interface chosen per datagram.
 *
 * A shared module for qjs 2021-03-27 (built with -DJS_SHARED_LIBRARY):
 *   import * as udp from './hush_udp.so';
 * Sockets are plain non-blocking descriptors; the script waits for them
 * with os.setReadHandler(fd, fn) and reads with recv() until it answers
 * undefined. Nothing here blocks and nothing keeps state between calls.
 *
 * Bad arguments throw a TypeError that names the argument; failed system
 * calls throw an Error "<function>: <call>: <strerror>" with an errno
 * property. See platform/quickjs/README.md for the API.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "quickjs.h"

#define countof(x) (sizeof(x) / sizeof((x)[0]))

/* The largest UDP payload; RFC 6762 §17 allows mDNS messages up to 9000 bytes, larger ones are read whole too. */
#define MAX_DATAGRAM 65535

/* RFC 6762 §11: every mDNS packet leaves with IP TTL / hop limit 255. */
#define HUSH_TTL 255

/* ---- errors ---------------------------------------------------------- */

static JSValue throw_bad(JSContext *ctx, const char *fn, const char *arg, const char *want)
{
    return JS_ThrowTypeError(ctx, "%s: %s must be %s", fn, arg, want);
}

/* Throws Error("<fn>: <call>: <strerror(err)>") with .errno = err. */
static JSValue throw_sys(JSContext *ctx, const char *fn, const char *call, int err)
{
    char msg[256];
    JSValue e = JS_NewError(ctx);

    if (JS_IsException(e))
        return e;
    snprintf(msg, sizeof msg, "%s: %s: %s", fn, call, strerror(err));
    JS_DefinePropertyValueStr(ctx, e, "message", JS_NewString(ctx, msg),
                              JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
    JS_DefinePropertyValueStr(ctx, e, "errno", JS_NewInt32(ctx, err),
                              JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
    return JS_Throw(ctx, e);
}

/* ---- arguments ------------------------------------------------------- */

/* An integral number in [lo, hi]; throws a TypeError naming the argument otherwise. */
static int arg_int(JSContext *ctx, JSValueConst v, const char *fn, const char *arg,
                   int64_t lo, int64_t hi, int64_t *out)
{
    double d;
    char want[80];

    /* The range first: NaN fails it before the integral check converts. */
    if (JS_IsNumber(v) && !JS_ToFloat64(ctx, &d, v) && d >= (double)lo && d <= (double)hi &&
        d == (double)(int64_t)d) {
        *out = (int64_t)d;
        return 0;
    }
    snprintf(want, sizeof want, "an integer from %lld to %lld", (long long)lo, (long long)hi);
    throw_bad(ctx, fn, arg, want);
    return -1;
}

static int arg_fd(JSContext *ctx, JSValueConst v, const char *fn, int *fd)
{
    int64_t n;

    if (arg_int(ctx, v, fn, "fd", 0, INT32_MAX, &n))
        return -1;
    *fd = (int)n;
    return 0;
}

/* 4 or 6, answered as AF_INET or AF_INET6. */
static int arg_family(JSContext *ctx, JSValueConst v, const char *fn, int *af)
{
    double d;

    if (JS_IsNumber(v) && !JS_ToFloat64(ctx, &d, v) && (d == 4 || d == 6)) {
        *af = d == 4 ? AF_INET : AF_INET6;
        return 0;
    }
    throw_bad(ctx, fn, "family", "4 or 6");
    return -1;
}

static int arg_ifindex(JSContext *ctx, JSValueConst v, const char *fn, int64_t lo, int *ifindex)
{
    int64_t n;

    if (arg_int(ctx, v, fn, "ifindex", lo, INT32_MAX, &n))
        return -1;
    *ifindex = (int)n;
    return 0;
}

/*
 * An address literal of the family in *sa (port left 0). An IPv6 literal
 * may carry a zone ('fe80::1%eth0' or '%2'), which becomes the scope id.
 */
static int arg_addr(JSContext *ctx, JSValueConst v, const char *fn, const char *arg,
                    int af, struct sockaddr_storage *sa, socklen_t *len)
{
    char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    const char *s;
    size_t n;
    int ok = 0;

    memset(sa, 0, sizeof *sa);
    if (JS_IsString(v) && (s = JS_ToCStringLen(ctx, &n, v)) != NULL) {
        if (n < sizeof text) {
            memcpy(text, s, n + 1);
            if (af == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *)sa;
                in->sin_family = AF_INET;
                ok = inet_pton(AF_INET, text, &in->sin_addr) == 1;
                *len = sizeof *in;
            } else {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
                char *zone = strchr(text, '%');
                in6->sin6_family = AF_INET6;
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
                ok = inet_pton(AF_INET6, text, &in6->sin6_addr) == 1 && (!zone || in6->sin6_scope_id);
                *len = sizeof *in6;
            }
        }
        JS_FreeCString(ctx, s);
    }
    if (!ok)
        throw_bad(ctx, fn, arg, af == AF_INET ? "an IPv4 address string" : "an IPv6 address string");
    return ok ? 0 : -1;
}

/*
 * The bytes of an ArrayBuffer or of a typed array's window into one. Call
 * it after every other argument is read: nothing may run in between that
 * could detach the buffer.
 */
static uint8_t *arg_bytes(JSContext *ctx, JSValueConst v, const char *fn, const char *arg, size_t *len)
{
    size_t size, offset, length, per;
    uint8_t *p;
    JSValue buf;

    if (JS_IsObject(v)) {
        p = JS_GetArrayBuffer(ctx, &size, v);
        if (p) {
            *len = size;
            return p;
        }
        JS_FreeValue(ctx, JS_GetException(ctx));
        buf = JS_GetTypedArrayBuffer(ctx, v, &offset, &length, &per);
        if (!JS_IsException(buf)) {
            p = JS_GetArrayBuffer(ctx, &size, buf);
            JS_FreeValue(ctx, buf);
            if (p && offset + length <= size) {
                *len = length;
                return p + offset;
            }
        }
        JS_FreeValue(ctx, JS_GetException(ctx));
    }
    throw_bad(ctx, fn, arg, "an ArrayBuffer or a typed array");
    return NULL;
}

/* ---- open / close ---------------------------------------------------- */

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

/* One socket option of open(); on failure closes fd and throws. */
#define OPT(level, name, value)                                              \
    do {                                                                     \
        if (set_int(fd, level, name, value) < 0)                             \
            return fail_open(ctx, fd, "setsockopt(" #name ")");              \
    } while (0)

static JSValue fail_open(JSContext *ctx, int fd, const char *call)
{
    int err = errno;

    close(fd);
    return throw_sys(ctx, "open", call, err);
}

/*
 * open(family, port, group?) -> fd
 * A non-blocking UDP socket bound to the wildcard address and port, which
 * reports each datagram's interface, destination and TTL, and sends with
 * TTL / hop limit 255 with multicast loopback on. With a group (which must
 * be a multicast address of the family), the socket hears only multicast
 * it joined itself (IP_MULTICAST_ALL off), not what other sockets on the
 * host joined on other interfaces.
 */
static JSValue js_open(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct sockaddr_storage sa, group;
    socklen_t len, glen;
    int af, fd, flags, has_group;
    int64_t port;

    (void)this_val;
    (void)argc;
    if (arg_family(ctx, argv[0], "open", &af) || arg_int(ctx, argv[1], "open", "port", 0, 65535, &port))
        return JS_EXCEPTION;
    has_group = !JS_IsUndefined(argv[2]);
    if (has_group) {
        if (arg_addr(ctx, argv[2], "open", "group", af, &group, &glen))
            return JS_EXCEPTION;
        if (af == AF_INET ? !IN_MULTICAST(ntohl(((struct sockaddr_in *)&group)->sin_addr.s_addr))
                          : !IN6_IS_ADDR_MULTICAST(&((struct sockaddr_in6 *)&group)->sin6_addr))
            return throw_bad(ctx, "open", "group", "a multicast address");
    }

    fd = socket(af, SOCK_DGRAM, IPPROTO_UDP);
    if (fd < 0)
        return throw_sys(ctx, "open", "socket", errno);
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return fail_open(ctx, fd, "fcntl");

    /* Share a fixed port with other responders on the host (RFC 6762 §15.1).
       Not for port 0: the kernel would then hand out a port another such
       socket holds, and replies to it could go there (RFC 5452 §9.2). */
    if (port != 0) {
        OPT(SOL_SOCKET, SO_REUSEADDR, 1);
#ifdef SO_REUSEPORT
        OPT(SOL_SOCKET, SO_REUSEPORT, 1);
#endif
    }
    memset(&sa, 0, sizeof sa);
    if (af == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&sa;
        OPT(IPPROTO_IP, IP_PKTINFO, 1);
        OPT(IPPROTO_IP, IP_RECVTTL, 1);
        OPT(IPPROTO_IP, IP_MULTICAST_TTL, HUSH_TTL);
        OPT(IPPROTO_IP, IP_TTL, HUSH_TTL);
        OPT(IPPROTO_IP, IP_MULTICAST_LOOP, 1);
#ifdef IP_MULTICAST_ALL
        if (has_group)
            OPT(IPPROTO_IP, IP_MULTICAST_ALL, 0);
#endif
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        in->sin_port = htons((uint16_t)port);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
        OPT(IPPROTO_IPV6, IPV6_V6ONLY, 1);
        OPT(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
        OPT(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
        OPT(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, HUSH_TTL);
        OPT(IPPROTO_IPV6, IPV6_UNICAST_HOPS, HUSH_TTL);
        OPT(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1);
#ifdef IPV6_MULTICAST_ALL
        if (has_group)
            OPT(IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
#endif
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_any;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof *in6;
    }
    if (bind(fd, (struct sockaddr *)&sa, len) < 0)
        return fail_open(ctx, fd, "bind");
    return JS_NewInt32(ctx, fd);
}

/* close(fd): remove the read handler first (os.setReadHandler(fd, null)). */
static JSValue js_close(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int fd;

    (void)this_val;
    (void)argc;
    if (arg_fd(ctx, argv[0], "close", &fd))
        return JS_EXCEPTION;
    if (close(fd) < 0)
        return throw_sys(ctx, "close", "close", errno);
    return JS_UNDEFINED;
}

/* ---- join / leave ---------------------------------------------------- */

/* join(fd, family, group, ifindex) / leave(...): one membership on one interface (ifindex 0: the kernel's choice). */
static JSValue js_membership(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv, int join)
{
    const char *fn = join ? "join" : "leave";
    struct sockaddr_storage group;
    socklen_t glen;
    int fd, af, ifindex, r;

    (void)this_val;
    (void)argc;
    if (arg_fd(ctx, argv[0], fn, &fd) || arg_family(ctx, argv[1], fn, &af) ||
        arg_addr(ctx, argv[2], fn, "group", af, &group, &glen) || arg_ifindex(ctx, argv[3], fn, 0, &ifindex))
        return JS_EXCEPTION;
    if (af == AF_INET) {
        struct ip_mreqn m;
        memset(&m, 0, sizeof m);
        m.imr_multiaddr = ((struct sockaddr_in *)&group)->sin_addr;
        m.imr_address.s_addr = htonl(INADDR_ANY);
        m.imr_ifindex = ifindex;
        r = setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof m);
        if (r < 0)
            return throw_sys(ctx, fn, join ? "setsockopt(IP_ADD_MEMBERSHIP)" : "setsockopt(IP_DROP_MEMBERSHIP)", errno);
    } else {
        struct ipv6_mreq m;
        memset(&m, 0, sizeof m);
        m.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&group)->sin6_addr;
        m.ipv6mr_interface = (unsigned)ifindex;
        r = setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m);
        if (r < 0)
            return throw_sys(ctx, fn, join ? "setsockopt(IPV6_JOIN_GROUP)" : "setsockopt(IPV6_LEAVE_GROUP)", errno);
    }
    return JS_NewInt32(ctx, 0);
}

/* ---- send ------------------------------------------------------------ */

/*
 * send(fd, family, data, addr, port, ifindex) -> bytes sent
 * With ifindex >= 0 the datagram leaves on that interface (IP_PKTINFO /
 * IPV6_PKTINFO), multicast included; a link-local IPv6 destination without
 * a zone takes ifindex as its scope. With -1 the routing table chooses.
 */
static JSValue js_send(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
        struct cmsghdr align;
    } control;
    struct sockaddr_storage to;
    socklen_t tolen;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cm;
    int fd, af, ifindex;
    int64_t port;
    uint8_t *data;
    size_t len;
    ssize_t n;

    (void)this_val;
    (void)argc;
    if (arg_fd(ctx, argv[0], "send", &fd) || arg_family(ctx, argv[1], "send", &af) ||
        arg_addr(ctx, argv[3], "send", "addr", af, &to, &tolen) ||
        arg_int(ctx, argv[4], "send", "port", 1, 65535, &port) ||
        arg_ifindex(ctx, argv[5], "send", -1, &ifindex))
        return JS_EXCEPTION;
    data = arg_bytes(ctx, argv[2], "send", "data", &len);
    if (!data)
        return JS_EXCEPTION;

    memset(&msg, 0, sizeof msg);
    memset(&control, 0, sizeof control);
    iov.iov_base = data;
    iov.iov_len = len;
    msg.msg_name = &to;
    msg.msg_namelen = tolen;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (af == AF_INET) {
        ((struct sockaddr_in *)&to)->sin_port = htons((uint16_t)port);
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
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&to;
        in6->sin6_port = htons((uint16_t)port);
        if (ifindex >= 0) {
            struct in6_pktinfo pi;
            if (!in6->sin6_scope_id &&
                (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&in6->sin6_addr)))
                in6->sin6_scope_id = (uint32_t)ifindex;
            memset(&pi, 0, sizeof pi);
            pi.ipi6_ifindex = (unsigned)ifindex;
            msg.msg_control = control.buf;
            msg.msg_controllen = CMSG_SPACE(sizeof pi);
            cm = CMSG_FIRSTHDR(&msg);
            cm->cmsg_level = IPPROTO_IPV6;
            cm->cmsg_type = IPV6_PKTINFO;
            cm->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(cm), &pi, sizeof pi);
        }
    }
    do
        n = sendmsg(fd, &msg, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return throw_sys(ctx, "send", "sendmsg", errno);
    return JS_NewInt64(ctx, n);
}

/* ---- recv ------------------------------------------------------------ */

static void set_prop(JSContext *ctx, JSValueConst obj, const char *name, JSValue v)
{
    JS_DefinePropertyValueStr(ctx, obj, name, v, JS_PROP_C_W_E);
}

static JSValue address_string(JSContext *ctx, int af, const void *addr)
{
    char text[INET6_ADDRSTRLEN];

    if (!inet_ntop(af, addr, text, sizeof text))
        return JS_UNDEFINED;
    return JS_NewString(ctx, text);
}

/*
 * recv(fd, family) -> undefined when nothing is waiting, else
 * { data, src, srcPort, dst, ifindex, ttl } for the next datagram. dst,
 * ifindex and ttl come from the datagram's control messages and are left
 * out if the kernel did not give them; addresses carry no zone.
 */
static JSValue js_recv(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)) +
                 2 * CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct sockaddr_storage from;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cm;
    int fd, af, err;
    uint8_t *buf;
    ssize_t n;
    JSValue obj;

    (void)this_val;
    (void)argc;
    if (arg_fd(ctx, argv[0], "recv", &fd) || arg_family(ctx, argv[1], "recv", &af))
        return JS_EXCEPTION;
    buf = js_malloc(ctx, MAX_DATAGRAM);
    if (!buf)
        return JS_EXCEPTION;

    memset(&msg, 0, sizeof msg);
    memset(&from, 0, sizeof from);
    iov.iov_base = buf;
    iov.iov_len = MAX_DATAGRAM;
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    do
        n = recvmsg(fd, &msg, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        err = errno;
        js_free(ctx, buf);
        if (err == EAGAIN || err == EWOULDBLOCK)
            return JS_UNDEFINED;
        return throw_sys(ctx, "recv", "recvmsg", err);
    }
    if (from.ss_family != af) {
        js_free(ctx, buf);
        return throw_bad(ctx, "recv", "family", "the socket's family");
    }

    obj = JS_NewObject(ctx);
    if (JS_IsException(obj)) {
        js_free(ctx, buf);
        return obj;
    }
    set_prop(ctx, obj, "data", JS_NewArrayBufferCopy(ctx, buf, (size_t)n));
    js_free(ctx, buf);
    if (af == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&from;
        set_prop(ctx, obj, "src", address_string(ctx, AF_INET, &in->sin_addr));
        set_prop(ctx, obj, "srcPort", JS_NewInt32(ctx, ntohs(in->sin_port)));
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&from;
        set_prop(ctx, obj, "src", address_string(ctx, AF_INET6, &in6->sin6_addr));
        set_prop(ctx, obj, "srcPort", JS_NewInt32(ctx, ntohs(in6->sin6_port)));
    }
    for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof pi);
            set_prop(ctx, obj, "dst", address_string(ctx, AF_INET, &pi.ipi_addr));
            set_prop(ctx, obj, "ifindex", JS_NewInt32(ctx, pi.ipi_ifindex));
        } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) {
            int ttl;
            memcpy(&ttl, CMSG_DATA(cm), sizeof ttl);
            set_prop(ctx, obj, "ttl", JS_NewInt32(ctx, ttl));
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof pi);
            set_prop(ctx, obj, "dst", address_string(ctx, AF_INET6, &pi.ipi6_addr));
            set_prop(ctx, obj, "ifindex", JS_NewInt64(ctx, pi.ipi6_ifindex));
        } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT) {
            int hops;
            memcpy(&hops, CMSG_DATA(cm), sizeof hops);
            set_prop(ctx, obj, "ttl", JS_NewInt32(ctx, hops));
        }
    }
    return obj;
}

/* ---- interfaces ------------------------------------------------------ */

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

/* { family, addr, prefix } for an IPv4 or IPv6 entry, else undefined. */
static JSValue address_object(JSContext *ctx, const struct ifaddrs *a)
{
    JSValue o;
    int af = a->ifa_addr->sa_family;
    const void *addr, *mask;
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
        return JS_UNDEFINED;
    }
    o = JS_NewObject(ctx);
    if (JS_IsException(o))
        return o;
    set_prop(ctx, o, "family", JS_NewInt32(ctx, af == AF_INET ? 4 : 6));
    set_prop(ctx, o, "addr", address_string(ctx, af, addr));
    set_prop(ctx, o, "prefix", JS_NewInt32(ctx, mask ? prefix_length(mask, mlen) : (int)mlen * 8));
    return o;
}

/* The entry's device, unless an earlier entry already named it. */
static int first_of_device(const struct ifaddrs *all, const struct ifaddrs *a, char name[IF_NAMESIZE])
{
    char other[IF_NAMESIZE];

    device_name(a->ifa_name, name);
    for (; all != a; all = all->ifa_next) {
        device_name(all->ifa_name, other);
        if (strcmp(name, other) == 0)
            return 0;
    }
    return 1;
}

/* The device's entry of interfaces(), its addresses gathered from `from` on. */
static JSValue device_object(JSContext *ctx, const struct ifaddrs *from, const char *name)
{
    char other[IF_NAMESIZE];
    JSValue dev, addrs, a;
    uint32_t n = 0;

    dev = JS_NewObject(ctx);
    if (JS_IsException(dev))
        return dev;
    addrs = JS_NewArray(ctx);
    set_prop(ctx, dev, "index", JS_NewInt64(ctx, if_nametoindex(name)));
    set_prop(ctx, dev, "name", JS_NewString(ctx, name));
    set_prop(ctx, dev, "up", JS_NewBool(ctx, (from->ifa_flags & IFF_UP) != 0));
    set_prop(ctx, dev, "multicast", JS_NewBool(ctx, (from->ifa_flags & IFF_MULTICAST) != 0));
    set_prop(ctx, dev, "addrs", JS_DupValue(ctx, addrs));
    for (; from; from = from->ifa_next) {
        device_name(from->ifa_name, other);
        if (strcmp(name, other) != 0 || !from->ifa_addr)
            continue;
        a = address_object(ctx, from);
        if (JS_IsException(a) || (!JS_IsUndefined(a) && JS_SetPropertyUint32(ctx, addrs, n++, a) < 0)) {
            JS_FreeValue(ctx, addrs);
            JS_FreeValue(ctx, dev);
            return JS_EXCEPTION;
        }
    }
    JS_FreeValue(ctx, addrs);
    return dev;
}

/*
 * interfaces() -> [{ index, name, up, multicast, addrs: [{ family, addr, prefix }] }]
 * Every device getifaddrs reports, loopback and address-less ones included,
 * in the order it reports them.
 */
static JSValue js_interfaces(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct ifaddrs *all, *a;
    char name[IF_NAMESIZE];
    JSValue list, dev;
    uint32_t n = 0;

    (void)this_val;
    (void)argc;
    (void)argv;
    if (getifaddrs(&all) < 0)
        return throw_sys(ctx, "interfaces", "getifaddrs", errno);
    list = JS_NewArray(ctx);
    for (a = all; a && !JS_IsException(list); a = a->ifa_next) {
        if (!first_of_device(all, a, name))
            continue;
        dev = device_object(ctx, a, name);
        if (JS_IsException(dev) || JS_SetPropertyUint32(ctx, list, n++, dev) < 0) {
            JS_FreeValue(ctx, list);
            list = JS_EXCEPTION;
        }
    }
    freeifaddrs(all);
    return list;
}

/* ---- now ------------------------------------------------------------- */

/* now() -> monotonic milliseconds (CLOCK_MONOTONIC), for the platform clock; QuickJS's Date.now() is wall time. */
static JSValue js_now(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct timespec ts;

    (void)this_val;
    (void)argc;
    (void)argv;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        return throw_sys(ctx, "now", "clock_gettime", errno);
    return JS_NewFloat64(ctx, (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

/* ---- module ---------------------------------------------------------- */

static const JSCFunctionListEntry hush_udp_funcs[] = {
    JS_CFUNC_DEF("open", 3, js_open),
    JS_CFUNC_MAGIC_DEF("join", 4, js_membership, 1),
    JS_CFUNC_MAGIC_DEF("leave", 4, js_membership, 0),
    JS_CFUNC_DEF("send", 6, js_send),
    JS_CFUNC_DEF("recv", 2, js_recv),
    JS_CFUNC_DEF("close", 1, js_close),
    JS_CFUNC_DEF("interfaces", 0, js_interfaces),
    JS_CFUNC_DEF("now", 0, js_now),
};

static int hush_udp_init(JSContext *ctx, JSModuleDef *m)
{
    return JS_SetModuleExportList(ctx, m, hush_udp_funcs, countof(hush_udp_funcs));
}

#ifdef JS_SHARED_LIBRARY
#define JS_INIT_MODULE js_init_module
#else
#define JS_INIT_MODULE js_init_module_hush_udp
#endif

/*
 * qjs's loader (quickjs-libc.c js_module_loader_so) calls this with the
 * resolved file name; the module is registered under that name so a second
 * import of the same file finds it. Built into an engine, the name is
 * 'hush_udp'.
 */
JSModuleDef *JS_INIT_MODULE(JSContext *ctx, const char *module_name)
{
    JSModuleDef *m = JS_NewCModule(ctx, module_name, hush_udp_init);

    if (!m)
        return NULL;
    if (JS_AddModuleExportList(ctx, m, hush_udp_funcs, countof(hush_udp_funcs)) < 0)
        return NULL;
    return m;
}
