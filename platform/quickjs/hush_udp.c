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
 *
 * The system calls live in platform/native/hush_core.c, which the Node
 * addon shares; this file only converts between them and JavaScript.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "quickjs.h"
#include "hush_core.h"

#define countof(x) (sizeof(x) / sizeof((x)[0]))

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
    const char *s;
    int ok = 0;

    if (JS_IsString(v) && (s = JS_ToCString(ctx, v)) != NULL) {
        ok = hush_parse_addr(af, s, sa, len) == 0;
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
    struct sockaddr_storage group;
    socklen_t glen;
    const char *call;
    int af, fd, has_group;
    int64_t port;

    (void)this_val;
    (void)argc;
    if (arg_family(ctx, argv[0], "open", &af) || arg_int(ctx, argv[1], "open", "port", 0, 65535, &port))
        return JS_EXCEPTION;
    has_group = !JS_IsUndefined(argv[2]);
    if (has_group) {
        if (arg_addr(ctx, argv[2], "open", "group", af, &group, &glen))
            return JS_EXCEPTION;
        if (!hush_is_multicast(&group))
            return throw_bad(ctx, "open", "group", "a multicast address");
    }
    fd = hush_udp_open(af, (int)port, has_group, &call);
    if (fd < 0)
        return throw_sys(ctx, "open", call, -fd);
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
    const char *call;
    int fd, af, ifindex, r;

    (void)this_val;
    (void)argc;
    if (arg_fd(ctx, argv[0], fn, &fd) || arg_family(ctx, argv[1], fn, &af) ||
        arg_addr(ctx, argv[2], fn, "group", af, &group, &glen) || arg_ifindex(ctx, argv[3], fn, 0, &ifindex))
        return JS_EXCEPTION;
    r = hush_udp_membership(fd, &group, ifindex, join, &call);
    if (r < 0)
        return throw_sys(ctx, fn, call, -r);
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
    struct sockaddr_storage to;
    socklen_t tolen;
    const char *call;
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
    n = hush_udp_send(fd, data, len, &to, tolen, (int)port, ifindex, &call);
    if (n < 0)
        return throw_sys(ctx, "send", call, (int)-n);
    return JS_NewInt64(ctx, n);
}

/* ---- recv ------------------------------------------------------------ */

static void set_prop(JSContext *ctx, JSValueConst obj, const char *name, JSValue v)
{
    JS_DefinePropertyValueStr(ctx, obj, name, v, JS_PROP_C_W_E);
}

/* The address of *sa (AF_INET or AF_INET6) as a string without zone. */
static JSValue address_string(JSContext *ctx, const struct sockaddr_storage *sa)
{
    char text[INET6_ADDRSTRLEN];
    const void *addr = sa->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                                                : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;

    if (!inet_ntop(sa->ss_family, addr, text, sizeof text))
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
    struct hush_datagram d;
    const char *call;
    int fd, af;
    uint8_t *buf;
    ssize_t n;
    JSValue obj;

    (void)this_val;
    (void)argc;
    if (arg_fd(ctx, argv[0], "recv", &fd) || arg_family(ctx, argv[1], "recv", &af))
        return JS_EXCEPTION;
    buf = js_malloc(ctx, HUSH_MAX_DATAGRAM);
    if (!buf)
        return JS_EXCEPTION;
    n = hush_udp_recv(fd, buf, HUSH_MAX_DATAGRAM, &d, &call);
    if (n < 0) {
        js_free(ctx, buf);
        if (n == -EAGAIN || n == -EWOULDBLOCK)
            return JS_UNDEFINED;
        return throw_sys(ctx, "recv", call, (int)-n);
    }
    if (d.src.ss_family != af) {
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
    set_prop(ctx, obj, "src", address_string(ctx, &d.src));
    set_prop(ctx, obj, "srcPort",
             JS_NewInt32(ctx, ntohs(af == AF_INET ? ((struct sockaddr_in *)&d.src)->sin_port
                                                  : ((struct sockaddr_in6 *)&d.src)->sin6_port)));
    if (d.has_dst)
        set_prop(ctx, obj, "dst", address_string(ctx, &d.dst));
    if (d.has_ifindex)
        set_prop(ctx, obj, "ifindex", JS_NewInt64(ctx, d.ifindex));
    if (d.has_ttl)
        set_prop(ctx, obj, "ttl", JS_NewInt32(ctx, d.ttl));
    return obj;
}

/* ---- interfaces ------------------------------------------------------ */

/* One entry of interfaces(). */
static JSValue device_object(JSContext *ctx, const struct hush_iface *i)
{
    JSValue dev, addrs, a;
    size_t k;

    dev = JS_NewObject(ctx);
    if (JS_IsException(dev))
        return dev;
    addrs = JS_NewArray(ctx);
    if (JS_IsException(addrs)) {
        JS_FreeValue(ctx, dev);
        return addrs;
    }
    set_prop(ctx, dev, "index", JS_NewInt64(ctx, i->index));
    set_prop(ctx, dev, "name", JS_NewString(ctx, i->name));
    set_prop(ctx, dev, "up", JS_NewBool(ctx, i->up));
    set_prop(ctx, dev, "multicast", JS_NewBool(ctx, i->multicast));
    set_prop(ctx, dev, "loopback", JS_NewBool(ctx, i->loopback));
    if (i->has_mac)
        set_prop(ctx, dev, "mac", JS_NewArrayBufferCopy(ctx, i->mac, sizeof i->mac));
    set_prop(ctx, dev, "addrs", JS_DupValue(ctx, addrs));
    for (k = 0; k < i->naddrs; k++) {
        a = JS_NewObject(ctx);
        if (JS_IsException(a) || JS_SetPropertyUint32(ctx, addrs, (uint32_t)k, a) < 0) {
            JS_FreeValue(ctx, addrs);
            JS_FreeValue(ctx, dev);
            return JS_EXCEPTION;
        }
        set_prop(ctx, a, "family", JS_NewInt32(ctx, i->addrs[k].family));
        set_prop(ctx, a, "addr", JS_NewString(ctx, i->addrs[k].addr));
        set_prop(ctx, a, "prefix", JS_NewInt32(ctx, i->addrs[k].prefix));
    }
    JS_FreeValue(ctx, addrs);
    return dev;
}

/*
 * interfaces() -> [{ index, name, up, multicast, loopback, mac?, addrs: [{ family, addr, prefix }] }]
 * Every device getifaddrs reports, loopback and address-less ones included,
 * in the order it reports them; mac (an ArrayBuffer of 6 bytes) when the
 * device has an Ethernet-sized hardware address.
 */
static JSValue js_interfaces(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    struct hush_iface *all;
    const char *call;
    size_t n, k;
    JSValue list, dev;
    int r;

    (void)this_val;
    (void)argc;
    (void)argv;
    r = hush_interfaces(&all, &n, &call);
    if (r < 0)
        return throw_sys(ctx, "interfaces", call, -r);
    list = JS_NewArray(ctx);
    for (k = 0; k < n && !JS_IsException(list); k++) {
        dev = device_object(ctx, &all[k]);
        if (JS_IsException(dev) || JS_SetPropertyUint32(ctx, list, (uint32_t)k, dev) < 0) {
            JS_FreeValue(ctx, list);
            list = JS_EXCEPTION;
        }
    }
    hush_interfaces_free(all, n);
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
