// The device program (dist/hush.mjs, `qjs hush.mjs config.json`)
// inside the real QuickJS engines through quickjs-emscripten, on a simulated
// host: the modules it imports ('std', 'os', './hush_udp.so') are small JS
// sources served by the module loader, whose functions call host functions
// that forward to the host's SimPlatform: sockets, timers in virtual time,
// the sim clock and interfaces. Math.random draws from the host's seeded
// stream, so a run replays exactly as the same code does on Node.
import { built, devicePath } from './bundle.js';
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSSyncVariant } from 'quickjs-emscripten';
import type { Cancel, PacketMeta } from '../../src/platform.js';
import type { Host, SimSocket } from '../../platform/sim/index.js';

export { devicePath };

/** The device program's source, rebuilt with rollup when missing or stale. */
export function deviceCode(): string {
  return new TextDecoder().decode(built(devicePath));
}

// The imported modules. Each reads the host functions from `__host` once;
// 'os' keeps the callbacks on the QuickJS side (the host only sees ids) and
// gives the host `fire` and `readable` to call back.
const STD = `const h = globalThis.__host;
export function loadFile(path) { return h.loadFile(path); }
export function exit(code) { h.exit(code); }
export function getenv() { return undefined; }
export const err = { puts(s) { h.puts(String(s)); }, flush() {} };
`;

const OS = `const h = globalThis.__host;
const timers = new Map(), readers = new Map();
let next = 0;
export function setTimeout(fn, ms) { const id = ++next; timers.set(id, fn); h.timer(id, Number(ms) || 0); return id; }
export function clearTimeout(id) { if (timers.delete(id)) h.cancel(id); }
export function setReadHandler(fd, fn) { if (fn) readers.set(fd, fn); else readers.delete(fd); h.watch(fd, !!fn); }
h.fire = (id) => { const fn = timers.get(id); if (fn) { timers.delete(id); fn(); } };
h.readable = (fd) => { const fn = readers.get(fd); if (fn) fn(); };
`;

const UDP = `const h = globalThis.__host;
export function open(family, port, group) { return h.open(family, port, group); }
export function join(fd, family, group, ifindex) { h.join(fd, ifindex); }
export function leave(fd, family, group, ifindex) { h.leave(fd, ifindex); }
export function send(fd, family, data, addr, port, ifindex) { return h.send(fd, data, addr, port, ifindex); }
export function recv(fd, family) { return h.recv(fd); }
export function close(fd) { h.close(fd); }
export function interfaces() { return JSON.parse(h.interfaces()); }
export function now() { return h.now(); }
`;

const ENTRY = 'import "hush.mjs";';

export interface DeviceOptions {
  variant: QuickJSSyncVariant;
  /** The sim host the program runs on. */
  host: Host;
  /** The text `std.loadFile('config.json')` returns. */
  config: string;
  /** The program (default dist/hush.mjs). */
  code?: string;
}

export interface Device {
  /** The code passed to std.exit, once it was called; the program then runs no more. */
  readonly exitCode: number | undefined;
  /** Lines written to std.err. */
  readonly stderr: string[];
  /** Exceptions that escaped into the host: module evaluation, a timer or a read handler. */
  readonly errors: string[];
  /** Runs global code in the program's context (e.g. calls on `hush`), then its pending jobs. */
  run(code: string): void;
  /** The value of a global expression, through JSON. */
  json<T = unknown>(expr: string): T;
  /** The runtime's memory by kind of object (JS_ComputeMemoryUsage: memory_used_size, atom_size, js_func_size, ...). */
  memory(): Record<string, number>;
  /** Bytes in use by the QuickJS runtime: memory_used_size. */
  heap(): number;
  dispose(): void;
}

/** A socket of the program: packets wait in `queue` until its read handler takes them. */
interface Fd { sock: SimSocket; queue: { data: Uint8Array; meta: PacketMeta }[]; watched: boolean }

/** The program's exit: thrown into QuickJS by std.exit so nothing after it runs. */
const EXIT = 'HushExit';

export async function startDevice(opts: DeviceOptions): Promise<Device> {
  const mod = await newQuickJSWASMModuleFromVariant(opts.variant);
  const rt: QuickJSRuntime = mod.newRuntime();
  const ctx: QuickJSContext = rt.newContext();
  // computeMemoryUsage builds its result in `rt.context`, made on first use unless set: a
  // second context would be counted in every later figure.
  rt.context = ctx;
  const { host } = opts;
  const p = host.platform;
  const code = opts.code ?? deviceCode();
  const stderr: string[] = [];
  const errors: string[] = [];
  const fds = new Map<number, Fd>();
  const timers = new Map<number, Cancel>();
  let nextFd = 3;
  let partial = '';
  let exitCode: number | undefined;
  let disposed = false;

  const sources = new Map([['hush.mjs', code], ['std', STD], ['os', OS], ['hush_udp.so', UDP]]);
  rt.setModuleLoader(
    (name) => sources.get(name) ?? { error: new Error(`no module '${name}'`) },
    (_base, requested) => requested.replace(/^\.\//, ''),
  );

  /** Describes an exception handle and frees it. */
  const describe = (h: QuickJSHandle): string => {
    const e = ctx.dump(h) as { name?: string; message?: string; stack?: string } | string;
    h.dispose();
    return typeof e === 'object' && e !== null ? `${e.name}: ${e.message}${e.stack ? '\n' + e.stack : ''}` : String(e);
  };
  const isExit = (text: string): boolean => text.startsWith(EXIT + ':');

  const keep = (error: QuickJSHandle): void => {
    const text = describe(error);
    if (!isExit(text)) errors.push(text);
  };
  const jobs = (): void => {
    const done = rt.executePendingJobs();
    if (done.error) keep(done.error);
  };
  /** After every call into QuickJS: any exception kept, then its promise jobs. */
  const settle = (result: { error?: QuickJSHandle; value?: QuickJSHandle }): void => {
    if (result.error) keep(result.error);
    else result.value?.dispose();
    jobs();
  };

  const hostObj = ctx.newObject();
  /** Calls `__host[name](n)` inside QuickJS, unless the program has exited. */
  const callBack = (name: 'fire' | 'readable', n: number): void => {
    if (disposed || exitCode !== undefined) return;
    const fn = ctx.getProp(hostObj, name);
    const arg = ctx.newNumber(n);
    const result = ctx.callFunction(fn, ctx.undefined, arg);
    arg.dispose();
    fn.dispose();
    settle(result);
  };

  /** Hands queued packets to the fd's read handler, as a level-triggered poll loop would. */
  const drain = (fd: number): void => {
    for (let f = fds.get(fd); f && f.watched && f.queue.length > 0 && exitCode === undefined && !disposed; f = fds.get(fd)) {
      const before = f.queue.length;
      callBack('readable', fd);
      if (f.queue.length >= before) break;
    }
  };

  /** What the real process's exit does to the world: timers stop, sockets close. */
  const stop = (): void => {
    for (const cancel of timers.values()) cancel();
    timers.clear();
    for (const f of fds.values()) f.sock.close();
    fds.clear();
  };

  const fn = (name: string, impl: (...args: QuickJSHandle[]) => QuickJSHandle | { error: QuickJSHandle } | void): void => {
    const h = ctx.newFunction(name, impl);
    ctx.setProp(hostObj, name, h);
    h.dispose();
  };
  const num = (h: QuickJSHandle): number => ctx.getNumber(h);
  const str = (h: QuickJSHandle): string => ctx.getString(h);
  const fdOf = (h: QuickJSHandle): Fd => {
    const f = fds.get(num(h));
    if (!f) throw new Error(`hush_udp: bad fd ${num(h)}`);
    return f;
  };

  fn('loadFile', (path) => (str(path) === 'config.json' ? ctx.newString(opts.config) : ctx.null));
  fn('exit', (codeArg) => {
    exitCode = num(codeArg);
    stop();
    return { error: ctx.newError({ name: EXIT, message: `exit(${exitCode})` }) };
  });
  fn('puts', (s) => {
    const lines = (partial + str(s)).split('\n');
    partial = lines.pop()!;
    stderr.push(...lines);
  });
  fn('timer', (id, ms) => {
    const n = num(id);
    timers.set(n, p.timer(num(ms), () => {
      timers.delete(n);
      callBack('fire', n);
    }));
  });
  fn('cancel', (id) => {
    timers.get(num(id))?.();
    timers.delete(num(id));
  });
  fn('watch', (fdArg, on) => {
    const fd = num(fdArg);
    const f = fds.get(fd);
    if (!f) return;
    f.watched = ctx.dump(on) === true;
    // Packets already waiting: the next turn of the event loop reports the fd readable
    // (kept with the timers, under -fd, so exit and dispose cancel it too).
    if (f.watched && f.queue.length > 0 && !timers.has(-fd)) timers.set(-fd, p.timer(0, () => { timers.delete(-fd); drain(fd); }));
  });
  fn('open', (family, port, group) => {
    const g = ctx.typeof(group) === 'string' ? str(group) : undefined;
    const sock = p.open({ family: num(family) as 4 | 6, port: num(port), group: g });
    const fd = nextFd++;
    const f: Fd = { sock, queue: [], watched: false };
    fds.set(fd, f);
    sock.onMessage((data, meta) => {
      f.queue.push({ data, meta });
      drain(fd);
    });
    return ctx.newNumber(fd);
  });
  fn('join', (fdArg, ifindex) => { fdOf(fdArg).sock.join(num(ifindex)); });
  fn('leave', (fdArg, ifindex) => { fdOf(fdArg).sock.leave(num(ifindex)); });
  fn('send', (fdArg, data, addr, port, ifindex) => {
    const bytes = ctx.getArrayBuffer(data);
    try {
      const i = num(ifindex);
      fdOf(fdArg).sock.send(bytes.value.slice(), { addr: str(addr), port: num(port), ifindex: i < 0 ? undefined : i });
      return ctx.newNumber(bytes.value.length);
    } finally {
      bytes.dispose();
    }
  });
  fn('recv', (fdArg) => {
    const got = fdOf(fdArg).queue.shift();
    if (!got) return;
    const o = ctx.newObject();
    const { meta } = got;
    const set = (key: string, v: QuickJSHandle): void => { ctx.setProp(o, key, v); v.dispose(); };
    set('data', ctx.newArrayBuffer(got.data.slice().buffer));
    set('src', ctx.newString(meta.src));
    set('srcPort', ctx.newNumber(meta.srcPort));
    set('dst', ctx.newString(meta.dst ?? ''));
    set('ifindex', ctx.newNumber(meta.ifindex ?? 0));
    set('ttl', ctx.newNumber(meta.ttl ?? 255));
    return o;
  });
  fn('close', (fdArg) => {
    const fd = num(fdArg);
    fds.get(fd)?.sock.close();
    fds.delete(fd);
  });
  fn('interfaces', () => ctx.newString(JSON.stringify(p.interfaces())));
  fn('now', () => ctx.newNumber(p.now()));
  fn('random', () => ctx.newNumber(p.random()));
  ctx.setProp(ctx.global, '__host', hostObj);

  const memory = (): Record<string, number> => {
    const usage = rt.computeMemoryUsage();
    const fields = ctx.dump(usage) as Record<string, number>;
    usage.dispose();
    return fields;
  };

  const evalGlobal = (source: string): void => settle(ctx.evalCode(source, 'host.js', { type: 'global' }));
  evalGlobal('globalThis.scriptArgs = ["hush.mjs", "config.json"]; Math.random = () => __host.random();');
  settle(ctx.evalCode(ENTRY, 'main.mjs', { type: 'module' }));

  return {
    get exitCode() { return exitCode; },
    stderr,
    errors,
    run(source) {
      if (exitCode !== undefined) throw new Error(`device: the program exited (${exitCode})`);
      const before = errors.length;
      evalGlobal(source);
      if (errors.length > before) throw new Error(`device: ${errors[errors.length - 1]}`);
    },
    json<T>(expr: string): T {
      const result = ctx.evalCode(`JSON.stringify(${expr})`, 'host.js', { type: 'global' });
      if (result.error) {
        jobs();
        throw new Error(`device: ${describe(result.error)}`);
      }
      const text = ctx.getString(result.value);
      result.value.dispose();
      jobs();
      return JSON.parse(text) as T;
    },
    memory,
    heap: () => memory().memory_used_size,
    dispose() {
      if (disposed) return;
      stop();
      disposed = true;
      hostObj.dispose();
      ctx.dispose();
      rt.dispose();
    },
  };
}
