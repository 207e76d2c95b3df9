/*
 * hush_native: the N-API addon behind platform/native/device.ts, the raw
 * backend's device (platform/raw/device.ts) on Linux. The system calls are
 * platform/native/hush_core.c's; this file converts arguments and results
 * and waits for descriptors on Node's event loop (uv_poll).
 *
 *   probe()                                       throws EPERM without CAP_NET_RAW
 *   interfaces() -> [{ index, name, up, multicast, loopback, mac?, addrs: [{ family, addr, prefix }] }]
 *   watch(onChange) -> { close() }                netlink: links, IPv4 and IPv6 addresses
 *   openPort(ifindex, memberships, filter, onFrame(frame, outgoing, checksumTrusted)) -> { send(frame), close() }
 *   openGuard(family, port) -> { join(group, ifindex), leave(group, ifindex), send(data, addr, port, ifindex),
 *                                loop(data, group, port, ifindex), close() }
 *
 * onFrame's outgoing: the host sent the frame (PACKET_OUTGOING).
 * checksumTrusted: the kernel says the frame's UDP (or TCP) checksum needs
 * no check (PACKET_AUXDATA): TP_STATUS_CSUMNOTREADY, the checksum is not
 * filled in yet because the frame was made on this machine (the host's own
 * stack, or another namespace's across a veth, with transmit checksum
 * offload), or TP_STATUS_CSUM_VALID, the device verified it. The IPv4
 * header checksum is always there to check. See hush_packet_recv. A frame
 * tagged for one of the link's VLANs (VLAN ID 1-4095) is that VLAN's, and
 * the port drops it.
 *
 * A bad argument throws a TypeError naming it; a failed system call throws
 * Error("<fn>: <call>: <strerror>") with code (the errno name) and errno.
 * Watches, ports and guards keep the event loop alive until closed; close() is
 * idempotent and any other call after it throws (code EBADF).
 *
 * An exception thrown by onFrame or onChange is handed to Node as an
 * uncaught exception (napi_fatal_exception): process 'uncaughtException'
 * sees it, and without a handler the process ends as for any callback.
 * When a handler is there, the handle goes on: later frames still arrive.
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#include "hush_core.h"

/* Frames read per readable event at most, so one busy port cannot starve the loop. */
#define FRAMES_PER_WAKE 64

/* ---- errors --------------------------------------------------------------- */

/*
 * The names errno_name falls back on: glibc before 2.32 and other C
 * libraries (musl) have no strerrorname_np. The errors hush's system calls
 * give and its TypeScript side or its users tell apart (EMSGSIZE, EPERM,
 * ENODEV, ...). No test runs this table (the builds here use glibc, whose
 * own call answers first); building with -DHUSH_ERRNO_TABLE uses it alone,
 * to compile and try it.
 */
#define ERRNO_ENTRY(e) { e, #e }
static const struct {
    int err;
    const char *name;
} errno_names[] = {
    ERRNO_ENTRY(EPERM), ERRNO_ENTRY(EACCES), ERRNO_ENTRY(EMSGSIZE), ERRNO_ENTRY(ENODEV),
    ERRNO_ENTRY(ENETDOWN), ERRNO_ENTRY(ENXIO), ERRNO_ENTRY(EAGAIN), ERRNO_ENTRY(EBADF),
    ERRNO_ENTRY(ENOBUFS), ERRNO_ENTRY(EADDRNOTAVAIL), ERRNO_ENTRY(EINVAL), ERRNO_ENTRY(ENOMEM),
    ERRNO_ENTRY(ENETUNREACH), ERRNO_ENTRY(EHOSTUNREACH), ERRNO_ENTRY(EADDRINUSE), ERRNO_ENTRY(EAFNOSUPPORT),
    ERRNO_ENTRY(ENOPROTOOPT), ERRNO_ENTRY(EOPNOTSUPP), ERRNO_ENTRY(EMFILE), ERRNO_ENTRY(ENFILE),
    ERRNO_ENTRY(EINTR), ERRNO_ENTRY(ENOENT),
};
#undef ERRNO_ENTRY

/* The errno's name ('EPERM'), as Node's own errors carry it; 'ERRNO<n>' for one without a name. */
static void errno_name(int err, char *out, size_t size)
{
    const char *name = NULL;
    size_t i;

#if !defined(HUSH_ERRNO_TABLE) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
    name = strerrorname_np(err);
#endif
    for (i = 0; !name && i < sizeof errno_names / sizeof errno_names[0]; i++)
        if (errno_names[i].err == err)
            name = errno_names[i].name;
    if (name)
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "ERRNO%d", err);
}

/* Throws Error(message) with .code and, when err is not 0, .errno. */
static void throw_coded(napi_env env, const char *code, const char *message, int err)
{
    napi_value c, m, e, n;

    if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c) != napi_ok ||
        napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &m) != napi_ok ||
        napi_create_error(env, c, m, &e) != napi_ok)
        return;
    if (err && napi_create_int32(env, err, &n) == napi_ok)
        napi_set_named_property(env, e, "errno", n);
    napi_throw(env, e);
}

/* Throws Error("<fn>: <call>: <strerror>") for a failed system call. */
static napi_value throw_sys(napi_env env, const char *fn, const char *call, int err)
{
    char msg[256], code[32];

    snprintf(msg, sizeof msg, "%s: %s: %s", fn, call, strerror(err));
    errno_name(err, code, sizeof code);
    throw_coded(env, code, msg, err);
    return NULL;
}

/* Throws TypeError("<fn>: <arg> must be <want>"). */
static napi_value throw_bad(napi_env env, const char *fn, const char *arg, const char *want)
{
    char msg[256];

    snprintf(msg, sizeof msg, "%s: %s must be %s", fn, arg, want);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return NULL;
}

/* ---- arguments ------------------------------------------------------------ */

/* An integral number in [lo, hi]; throws a TypeError naming the argument otherwise. */
static int arg_int(napi_env env, napi_value v, const char *fn, const char *arg, int64_t lo, int64_t hi, int *out)
{
    napi_valuetype t;
    char want[80];
    double d;

    if (napi_typeof(env, v, &t) == napi_ok && t == napi_number && napi_get_value_double(env, v, &d) == napi_ok &&
        d >= (double)lo && d <= (double)hi && d == (double)(int64_t)d) {
        *out = (int)d;
        return 0;
    }
    snprintf(want, sizeof want, "an integer from %lld to %lld", (long long)lo, (long long)hi);
    throw_bad(env, fn, arg, want);
    return -1;
}

static int arg_bool(napi_env env, napi_value v, const char *fn, const char *arg, int *out)
{
    bool b;

    if (napi_get_value_bool(env, v, &b) != napi_ok) {
        throw_bad(env, fn, arg, "a boolean");
        return -1;
    }
    *out = b;
    return 0;
}

static int arg_function(napi_env env, napi_value v, const char *fn, const char *arg)
{
    napi_valuetype t;

    if (napi_typeof(env, v, &t) != napi_ok || t != napi_function) {
        throw_bad(env, fn, arg, "a function");
        return -1;
    }
    return 0;
}

/* 4 or 6, answered as AF_INET or AF_INET6. */
static int arg_family(napi_env env, napi_value v, const char *fn, int *af)
{
    napi_valuetype t;
    double d;

    if (napi_typeof(env, v, &t) == napi_ok && t == napi_number && napi_get_value_double(env, v, &d) == napi_ok &&
        (d == 4 || d == 6)) {
        *af = d == 4 ? AF_INET : AF_INET6;
        return 0;
    }
    throw_bad(env, fn, "family", "4 or 6");
    return -1;
}

/* The bytes of a Uint8Array (a Buffer is one). */
static int arg_bytes(napi_env env, napi_value v, const char *fn, const char *arg, uint8_t **data, size_t *len)
{
    napi_typedarray_type type;
    napi_value ab;
    size_t offset;
    bool is;

    if (napi_is_typedarray(env, v, &is) == napi_ok && is &&
        napi_get_typedarray_info(env, v, &type, len, (void **)data, &ab, &offset) == napi_ok &&
        type == napi_uint8_array)
        return 0;
    throw_bad(env, fn, arg, "a Uint8Array");
    return -1;
}

/* An address literal of family af (an IPv6 one may carry a zone). */
static int arg_addr(napi_env env, napi_value v, const char *fn, const char *arg, int af,
                    struct sockaddr_storage *sa, socklen_t *len)
{
    char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    size_t n;

    if (napi_get_value_string_utf8(env, v, text, sizeof text, &n) == napi_ok && n + 1 < sizeof text &&
        strlen(text) == n && hush_parse_addr(af, text, sa, len) == 0)
        return 0;
    throw_bad(env, fn, arg, af == AF_INET ? "an IPv4 address string" : "an IPv6 address string");
    return -1;
}

/* The multicast MACs of openPort: an array of 6-byte Uint8Arrays, copied into *macs (free it). */
static int arg_macs(napi_env env, napi_value v, const char *fn, uint8_t (**macs)[6], size_t *n)
{
    uint32_t count, i;
    napi_value item;
    uint8_t *data;
    size_t len;
    bool is;

    *macs = NULL;
    *n = 0;
    if (napi_is_array(env, v, &is) != napi_ok || !is || napi_get_array_length(env, v, &count) != napi_ok) {
        throw_bad(env, fn, "memberships", "an array of 6-byte Uint8Arrays");
        return -1;
    }
    *macs = calloc(count ? count : 1, sizeof **macs);
    if (!*macs) {
        throw_sys(env, fn, "malloc", ENOMEM);
        return -1;
    }
    for (i = 0; i < count; i++) {
        if (napi_get_element(env, v, i, &item) != napi_ok || arg_bytes(env, item, fn, "memberships[i]", &data, &len) ||
            (len != 6 && !throw_bad(env, fn, "memberships[i]", "6 bytes long"))) {
            free(*macs);
            *macs = NULL;
            return -1;
        }
        memcpy((*macs)[i], data, 6);
    }
    *n = count;
    return 0;
}

/* ---- handles -------------------------------------------------------------- */

enum kind { WATCH, PORT, GUARD };
static const char *const kind_name[] = { "watch", "port", "guard" };

/*
 * The native side of a watch, a port or a guard, wrapped in its JS object.
 * While open it holds the object (self) and the callback; close() drops
 * both. The memory goes when the object is collected and the poll handle's
 * close callback has run, whichever comes last.
 */
struct handle {
    enum kind kind;
    napi_env env;
    int fd; /* -1 once closed */
    int loop_fd; /* an IPv4 guard's loop socket (hush_guard_open), else -1; closed with fd */
    int ifindex; /* a port's interface */
    int polling; /* the uv_poll_t is initialized and its close callback has not run */
    int collected; /* the JS object is gone */
    int calling; /* the callback runs: close() leaves it and its context to call_back */
    uv_poll_t poll;
    napi_ref self, callback;
    napi_async_context async;
    uint8_t *frame; /* a port's receive buffer, HUSH_MAX_FRAME bytes */
};

/* Closes the handle's descriptors. */
static void handle_close_fds(struct handle *h)
{
    close(h->fd);
    if (h->loop_fd >= 0)
        close(h->loop_fd);
    h->fd = -1;
    h->loop_fd = -1;
}

static void handle_free(struct handle *h)
{
    free(h->frame);
    free(h);
}

static void on_poll_closed(uv_handle_t *u)
{
    struct handle *h = u->data;

    h->polling = 0;
    if (h->collected)
        handle_free(h);
}

static void on_collected(napi_env env, void *data, void *hint)
{
    struct handle *h = data;

    (void)env;
    (void)hint;
    h->collected = 1;
    if (!h->polling)
        handle_free(h);
}

/* Lets go of the callback and its async context (not while the callback runs: call_back does it after). */
static void release_callback(struct handle *h)
{
    if (h->calling)
        return;
    if (h->callback)
        napi_delete_reference(h->env, h->callback);
    if (h->async)
        napi_async_destroy(h->env, h->async);
    h->callback = NULL;
    h->async = NULL;
}

/* Stops the poll, closes the descriptor, lets go of the object and the callback. Idempotent. */
static void handle_close(struct handle *h)
{
    if (h->fd < 0)
        return;
    if (h->polling) {
        uv_poll_stop(&h->poll);
        uv_close((uv_handle_t *)&h->poll, on_poll_closed);
    }
    handle_close_fds(h);
    release_callback(h);
    napi_delete_reference(h->env, h->self);
    h->self = NULL;
}

/* The open handle of kind behind `this`; throws (and answers NULL) otherwise. */
static struct handle *this_handle(napi_env env, napi_callback_info info, enum kind kind, const char *fn,
                                  size_t *argc, napi_value *argv)
{
    napi_value self;
    void *data;
    struct handle *h;
    char msg[96];

    if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok)
        return NULL;
    if (napi_unwrap(env, self, &data) != napi_ok || ((struct handle *)data)->kind != kind) {
        snprintf(msg, sizeof msg, "%s: must be called on a %s", fn, kind_name[kind]);
        napi_throw_type_error(env, "ERR_INVALID_THIS", msg);
        return NULL;
    }
    h = data;
    if (h->fd < 0) {
        snprintf(msg, sizeof msg, "%s: the %s is closed", fn, kind_name[kind]);
        throw_coded(env, "EBADF", msg, EBADF);
        return NULL;
    }
    return h;
}

/*
 * Calls the handle's callback with argv from a uv callback, with a handle
 * scope and the async context (so promise jobs and nextTicks run after it).
 * An exception goes to Node as uncaught (see the top of this file).
 */
static void call_back(struct handle *h, size_t argc, napi_value *argv)
{
    napi_env env = h->env;
    napi_value fn, self, result, e;
    bool pending;

    if (napi_get_reference_value(env, h->callback, &fn) != napi_ok ||
        napi_get_reference_value(env, h->self, &self) != napi_ok)
        return;
    h->calling = 1;
    napi_make_callback(env, h->async, self, fn, argc, argv, &result);
    h->calling = 0;
    if (h->fd < 0)
        release_callback(h);
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &e) == napi_ok)
        napi_fatal_exception(env, e);
}

/* Wraps h into a new object with the given methods, holds both while open, and starts polling if poll_cb. */
static napi_value handle_object(napi_env env, struct handle *h, const napi_property_descriptor *methods, size_t n,
                                napi_value callback, uv_poll_cb poll_cb, const char *fn)
{
    napi_value obj, name;
    uv_loop_t *loop;
    int r;

    h->env = env;
    if (napi_create_object(env, &obj) != napi_ok || napi_define_properties(env, obj, n, methods) != napi_ok ||
        napi_wrap(env, obj, h, on_collected, NULL, NULL) != napi_ok) {
        handle_close_fds(h);
        handle_free(h);
        return NULL;
    }
    /* From here the object owns h: a failure closes it and leaves the memory to the collector. */
    if (napi_create_reference(env, obj, 1, &h->self) != napi_ok) {
        handle_close_fds(h);
        return NULL;
    }
    if (callback && (napi_create_reference(env, callback, 1, &h->callback) != napi_ok ||
                     napi_create_string_utf8(env, "hush_native", NAPI_AUTO_LENGTH, &name) != napi_ok ||
                     napi_async_init(env, obj, name, &h->async) != napi_ok)) {
        handle_close(h);
        return NULL;
    }
    if (poll_cb) {
        if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
            handle_close(h);
            return NULL;
        }
        r = uv_poll_init(loop, &h->poll, h->fd);
        if (r == 0) {
            h->poll.data = h;
            h->polling = 1;
            r = uv_poll_start(&h->poll, UV_READABLE, poll_cb);
        }
        if (r != 0) {
            handle_close(h);
            return throw_sys(env, fn, "uv_poll_start", -r);
        }
    }
    return obj;
}

/* A handle of fd and, for a guard, its loop socket (else -1); on failure closes both. */
static struct handle *handle_new(napi_env env, enum kind kind, const char *fn, int fd, int loop_fd)
{
    struct handle *h = calloc(1, sizeof *h);

    if (!h) {
        close(fd);
        if (loop_fd >= 0)
            close(loop_fd);
        throw_sys(env, fn, "malloc", ENOMEM);
        return NULL;
    }
    h->kind = kind;
    h->fd = fd;
    h->loop_fd = loop_fd;
    return h;
}

/* close() of any handle: idempotent. */
static napi_value js_handle_close(napi_env env, napi_callback_info info)
{
    napi_value self;
    void *data;

    if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok)
        return NULL;
    if (napi_unwrap(env, self, &data) != napi_ok) {
        napi_throw_type_error(env, "ERR_INVALID_THIS", "close: must be called on a watch, port or guard");
        return NULL;
    }
    handle_close(data);
    return NULL;
}

/*
 * After a socket error. On POLLERR (without POLLPRI) libuv's uv__poll_io
 * (src/unix/poll.c) stops the poll and calls back once with status
 * UV_EBADF: the handle would hear nothing more and no longer keep the loop
 * alive, though the socket is fine; its pending error (ENETDOWN when a
 * port's link went down, ENOBUFS when a watch lost messages) is what poll
 * said. The callback clears that error (hush_socket_error) before it reads,
 * and this starts polling again unless the callback closed the handle. No
 * descriptor here queues errors otherwise (MSG_ERRQUEUE: no timestamps, no
 * IP_RECVERR), so a cleared error ends the POLLERR.
 */
static void poll_again(struct handle *h, uv_poll_cb cb)
{
    if (h->fd >= 0)
        uv_poll_start(&h->poll, UV_READABLE, cb);
}

/* ---- probe / interfaces --------------------------------------------------- */

/* probe(): opens an AF_PACKET socket and closes it; throws (EPERM) when the process may not. */
static napi_value js_probe(napi_env env, napi_callback_info info)
{
    const char *call;
    int r;

    (void)info;
    r = hush_packet_probe(&call);
    if (r < 0)
        return throw_sys(env, "probe", call, -r);
    return NULL;
}

static napi_value set(napi_env env, napi_value obj, const char *name, napi_value v)
{
    napi_set_named_property(env, obj, name, v);
    return obj;
}

static napi_value address_object(napi_env env, const struct hush_ifaddr *a)
{
    napi_value o, v;

    napi_create_object(env, &o);
    napi_create_int32(env, a->family, &v);
    set(env, o, "family", v);
    napi_create_string_utf8(env, a->addr, NAPI_AUTO_LENGTH, &v);
    set(env, o, "addr", v);
    napi_create_int32(env, a->prefix, &v);
    return set(env, o, "prefix", v);
}

static napi_value interface_object(napi_env env, const struct hush_iface *i)
{
    napi_value o, v, ab, addrs;
    void *data;
    size_t k;

    napi_create_object(env, &o);
    napi_create_uint32(env, i->index, &v);
    set(env, o, "index", v);
    napi_create_string_utf8(env, i->name, NAPI_AUTO_LENGTH, &v);
    set(env, o, "name", v);
    napi_get_boolean(env, i->up, &v);
    set(env, o, "up", v);
    napi_get_boolean(env, i->multicast, &v);
    set(env, o, "multicast", v);
    napi_get_boolean(env, i->loopback, &v);
    set(env, o, "loopback", v);
    if (i->has_mac && napi_create_arraybuffer(env, sizeof i->mac, &data, &ab) == napi_ok) {
        memcpy(data, i->mac, sizeof i->mac);
        napi_create_typedarray(env, napi_uint8_array, sizeof i->mac, ab, 0, &v);
        set(env, o, "mac", v);
    }
    napi_create_array_with_length(env, i->naddrs, &addrs);
    for (k = 0; k < i->naddrs; k++)
        napi_set_element(env, addrs, (uint32_t)k, address_object(env, &i->addrs[k]));
    return set(env, o, "addrs", addrs);
}

/* interfaces(): every device getifaddrs reports, in its order (see hush_interfaces). */
static napi_value js_interfaces(napi_env env, napi_callback_info info)
{
    struct hush_iface *all;
    const char *call;
    napi_value list;
    size_t n, k;
    int r;

    (void)info;
    r = hush_interfaces(&all, &n, &call);
    if (r < 0)
        return throw_sys(env, "interfaces", call, -r);
    napi_create_array_with_length(env, n, &list);
    for (k = 0; k < n; k++)
        napi_set_element(env, list, (uint32_t)k, interface_object(env, &all[k]));
    hush_interfaces_free(all, n);
    return list;
}

/* ---- watch ---------------------------------------------------------------- */

static void on_netlink(uv_poll_t *u, int status, int events)
{
    struct handle *h = u->data;
    napi_handle_scope scope;
    const char *call;
    int changed;

    (void)events;
    if (h->fd < 0)
        return;
    /* status < 0: the socket's error, ENOBUFS, messages were lost (netlink(7)), a change unseen. */
    if (status < 0)
        hush_socket_error(h->fd);
    /* A failed read counts as a change: the listener reads the interfaces anew either way. */
    changed = hush_netlink_drain(h->fd, &call) != 0 || status < 0;
    if (changed && napi_open_handle_scope(h->env, &scope) == napi_ok) {
        call_back(h, 0, NULL);
        napi_close_handle_scope(h->env, scope);
    }
    if (status < 0)
        poll_again(h, on_netlink);
}

/* watch(onChange) -> { close() } */
static napi_value js_watch(napi_env env, napi_callback_info info)
{
    static const napi_property_descriptor methods[] = {
        { "close", NULL, js_handle_close, NULL, NULL, NULL, napi_default, NULL },
    };
    napi_value argv[1];
    size_t argc = 1;
    const char *call;
    struct handle *h;
    int fd;

    if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
        return NULL;
    if (arg_function(env, argv[0], "watch", "onChange"))
        return NULL;
    fd = hush_netlink_open(&call);
    if (fd < 0)
        return throw_sys(env, "watch", call, -fd);
    h = handle_new(env, WATCH, "watch", fd, -1);
    return h ? handle_object(env, h, methods, 1, argv[0], on_netlink, "watch") : NULL;
}

/* ---- ports ---------------------------------------------------------------- */

/* Hands every waiting frame (at most FRAMES_PER_WAKE) to onFrame as a fresh Uint8Array, with what the kernel said of it. */
static void on_frames(uv_poll_t *u, int status, int events)
{
    struct handle *h = u->data;
    napi_handle_scope scope;
    napi_value argv[3], ab;
    struct hush_frame f;
    const char *call;
    void *data;
    int i;
    ssize_t n;

    (void)events;
    /* status < 0: the socket's error, ENETDOWN when the link went down; the port hears again once it is up. */
    if (status < 0 && h->fd >= 0)
        hush_socket_error(h->fd);
    for (i = 0; i < FRAMES_PER_WAKE && h->fd >= 0; i++) {
        /* An error that comes after the wake is the socket's pending error, read once and over. */
        n = hush_packet_recv(h->fd, h->frame, HUSH_MAX_FRAME, &f, &call);
        if (n < 0)
            break;
        /* A frame of one of the link's VLANs: that VLAN's device has it (hush_packet_recv). */
        if (f.vlan)
            continue;
        if (napi_open_handle_scope(h->env, &scope) != napi_ok)
            break;
        if (napi_create_arraybuffer(h->env, (size_t)n, &data, &ab) == napi_ok &&
            napi_create_typedarray(h->env, napi_uint8_array, (size_t)n, ab, 0, &argv[0]) == napi_ok &&
            napi_get_boolean(h->env, f.outgoing, &argv[1]) == napi_ok &&
            napi_get_boolean(h->env, f.csum_not_ready || f.csum_valid, &argv[2]) == napi_ok) {
            memcpy(data, h->frame, (size_t)n);
            call_back(h, 3, argv);
        }
        napi_close_handle_scope(h->env, scope);
    }
    if (status < 0)
        poll_again(h, on_frames);
}

/* port.send(frame): one whole Ethernet frame out of the port's interface. */
static napi_value js_port_send(napi_env env, napi_callback_info info)
{
    napi_value argv[1];
    size_t argc = 1, len;
    struct handle *h = this_handle(env, info, PORT, "send", &argc, argv);
    const char *call;
    uint8_t *frame;
    int r;

    if (!h || arg_bytes(env, argv[0], "send", "frame", &frame, &len))
        return NULL;
    r = hush_packet_send(h->fd, h->ifindex, frame, len, &call);
    if (r < 0)
        return throw_sys(env, "send", call, -r);
    return NULL;
}

/* openPort(ifindex, memberships, filter, onFrame) -> { send(frame), close() } */
static napi_value js_open_port(napi_env env, napi_callback_info info)
{
    static const napi_property_descriptor methods[] = {
        { "send", NULL, js_port_send, NULL, NULL, NULL, napi_default, NULL },
        { "close", NULL, js_handle_close, NULL, NULL, NULL, napi_default, NULL },
    };
    napi_value argv[4];
    size_t argc = 4, nmacs;
    uint8_t (*macs)[6];
    const char *call;
    struct handle *h;
    int ifindex, filter, fd;

    if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
        return NULL;
    if (arg_int(env, argv[0], "openPort", "ifindex", 1, INT32_MAX, &ifindex) ||
        arg_bool(env, argv[2], "openPort", "filter", &filter) ||
        arg_function(env, argv[3], "openPort", "onFrame") ||
        arg_macs(env, argv[1], "openPort", &macs, &nmacs))
        return NULL;
    fd = hush_packet_open(ifindex, (const uint8_t (*)[6])macs, nmacs, filter, &call);
    free(macs);
    if (fd < 0)
        return throw_sys(env, "openPort", call, -fd);
    h = handle_new(env, PORT, "openPort", fd, -1);
    if (!h)
        return NULL;
    h->ifindex = ifindex;
    h->frame = malloc(HUSH_MAX_FRAME);
    if (!h->frame) {
        handle_close_fds(h);
        handle_free(h);
        return throw_sys(env, "openPort", "malloc", ENOMEM);
    }
    return handle_object(env, h, methods, 2, argv[3], on_frames, "openPort");
}

/* ---- the guard ------------------------------------------------------------ */

/* The socket's family, from the descriptor (the guard keeps no other state). */
static int guard_family(struct handle *h)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;

    return getsockname(h->fd, (struct sockaddr *)&sa, &len) == 0 ? sa.ss_family : AF_INET;
}

static napi_value guard_membership(napi_env env, napi_callback_info info, int join)
{
    const char *fn = join ? "join" : "leave";
    napi_value argv[2];
    size_t argc = 2;
    struct handle *h = this_handle(env, info, GUARD, fn, &argc, argv);
    struct sockaddr_storage group;
    socklen_t glen;
    const char *call;
    int ifindex, r;

    if (!h)
        return NULL;
    if (arg_addr(env, argv[0], fn, "group", guard_family(h), &group, &glen) ||
        arg_int(env, argv[1], fn, "ifindex", 0, INT32_MAX, &ifindex))
        return NULL;
    if (!hush_is_multicast(&group))
        return throw_bad(env, fn, "group", "a multicast address");
    r = hush_udp_membership(h->fd, &group, ifindex, join, &call);
    if (r < 0)
        return throw_sys(env, fn, call, -r);
    return NULL;
}

static napi_value js_guard_join(napi_env env, napi_callback_info info)
{
    return guard_membership(env, info, 1);
}

static napi_value js_guard_leave(napi_env env, napi_callback_info info)
{
    return guard_membership(env, info, 0);
}

/* The arguments of guard.send and guard.loop: (data, address of the guard's family, port, ifindex). */
struct datagram {
    uint8_t *data;
    size_t len;
    struct sockaddr_storage to;
    socklen_t tolen;
    int port, ifindex;
};

static struct handle *guard_datagram(napi_env env, napi_callback_info info, const char *fn, const char *what,
                                     struct datagram *d)
{
    napi_value argv[4];
    size_t argc = 4;
    struct handle *h = this_handle(env, info, GUARD, fn, &argc, argv);

    if (!h || arg_bytes(env, argv[0], fn, "data", &d->data, &d->len) ||
        arg_addr(env, argv[1], fn, what, guard_family(h), &d->to, &d->tolen) ||
        arg_int(env, argv[2], fn, "port", 1, 65535, &d->port) ||
        arg_int(env, argv[3], fn, "ifindex", 1, INT32_MAX, &d->ifindex))
        return NULL;
    return h;
}

/* guard.send(data, addr, port, ifindex): one datagram out of exactly that interface, TTL 255. */
static napi_value js_guard_send(napi_env env, napi_callback_info info)
{
    struct datagram d;
    struct handle *h = guard_datagram(env, info, "send", "addr", &d);
    const char *call;
    ssize_t n;

    if (!h)
        return NULL;
    n = hush_udp_send(h->fd, d.data, d.len, &d.to, d.tolen, d.port, d.ifindex, &call);
    if (n < 0)
        return throw_sys(env, "send", call, (int)-n);
    return NULL;
}

/*
 * guard.loop(data, group, port, ifindex): the datagram to the group out of
 * that interface with TTL / hop limit 0 (IPv4: the guard's loop socket;
 * IPv6: the guard, hop limit 0 for this datagram alone), so that only this
 * host's sockets get it (the kernel's multicast loopback)
 * and nothing reaches the link; the guard must be a member of the group
 * there (see hush_guard_loop).
 */
static napi_value js_guard_loop(napi_env env, napi_callback_info info)
{
    struct datagram d;
    struct handle *h = guard_datagram(env, info, "loop", "group", &d);
    const char *call;
    ssize_t n;

    if (!h)
        return NULL;
    if (!hush_is_multicast(&d.to))
        return throw_bad(env, "loop", "group", "a multicast address");
    n = hush_guard_loop(h->fd, h->loop_fd, d.data, d.len, &d.to, d.tolen, d.port, d.ifindex, &call);
    if (n < 0)
        return throw_sys(env, "loop", call, (int)-n);
    return NULL;
}

/*
 * The guard is polled so that, like the other handles, it keeps the loop
 * alive; it hears nothing. Its IPv4 loop socket is not polled: bound to the
 * mDNS group it matches no unicast datagram, it joins no group, hears no
 * multicast it did not join (IP_MULTICAST_ALL off), drops every
 * datagram by its filter, and an ICMP error leaves no pending error on an
 * unconnected UDP socket without IP_RECVERR (net/ipv4/udp.c __udp4_lib_err,
 * net/ipv6/udp.c __udp6_lib_err).
 */
static void on_guard(uv_poll_t *u, int status, int events)
{
    struct handle *h = u->data;

    (void)events;
    if (h->fd < 0)
        return;
    hush_guard_drain(h->fd);
    if (status < 0)
        poll_again(h, on_guard);
}

/* openGuard(family, port) -> { join, leave, send, loop, close } */
static napi_value js_open_guard(napi_env env, napi_callback_info info)
{
    static const napi_property_descriptor methods[] = {
        { "join", NULL, js_guard_join, NULL, NULL, NULL, napi_default, NULL },
        { "leave", NULL, js_guard_leave, NULL, NULL, NULL, napi_default, NULL },
        { "send", NULL, js_guard_send, NULL, NULL, NULL, napi_default, NULL },
        { "loop", NULL, js_guard_loop, NULL, NULL, NULL, napi_default, NULL },
        { "close", NULL, js_handle_close, NULL, NULL, NULL, napi_default, NULL },
    };
    napi_value argv[2];
    size_t argc = 2;
    const char *call;
    struct handle *h;
    int af, port, fd, loop_fd;

    if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
        return NULL;
    if (arg_family(env, argv[0], "openGuard", &af) || arg_int(env, argv[1], "openGuard", "port", 0, 65535, &port))
        return NULL;
    fd = hush_guard_open(af, port, &loop_fd, &call);
    if (fd < 0)
        return throw_sys(env, "openGuard", call, -fd);
    h = handle_new(env, GUARD, "openGuard", fd, loop_fd);
    return h ? handle_object(env, h, methods, 5, NULL, on_guard, "openGuard") : NULL;
}

/* ---- module --------------------------------------------------------------- */

NAPI_MODULE_INIT()
{
    static const napi_property_descriptor exports_[] = {
        { "probe", NULL, js_probe, NULL, NULL, NULL, napi_enumerable, NULL },
        { "interfaces", NULL, js_interfaces, NULL, NULL, NULL, napi_enumerable, NULL },
        { "watch", NULL, js_watch, NULL, NULL, NULL, napi_enumerable, NULL },
        { "openPort", NULL, js_open_port, NULL, NULL, NULL, napi_enumerable, NULL },
        { "openGuard", NULL, js_open_guard, NULL, NULL, NULL, napi_enumerable, NULL },
    };

    if (napi_define_properties(env, exports, sizeof exports_ / sizeof exports_[0], exports_) != napi_ok)
        return NULL;
    return exports;
}
