// The raw backend's device on Linux (platform/raw/device.ts RawDevice) over
// the N-API addon hush_native (addon.c): AF_PACKET ports, the interface
// list with MACs, netlink change signals and the guard socket. loadDevice()
// never throws: without the addon, off Linux, or without CAP_NET_RAW it says
// why, and the caller runs on the dgram backend instead.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DeviceError, FrameHandler, Guard, RawDevice, RawInterface, RawPort } from '../raw/device.js';

/** The addon's exports (see the top of addon.c). Its errors already are DeviceErrors: code is the errno name. */
interface Addon {
  probe(): void;
  interfaces(): RawInterface[];
  watch(onChange: () => void): { close(): void };
  /** onFrame's third argument is the kernel's checksum status (PACKET_AUXDATA), as FrameHandler's checksumTrusted. */
  openPort(ifindex: number, memberships: Uint8Array[], filter: boolean, onFrame: FrameHandler): RawPort;
  openGuard(family: 4 | 6, port: number): Guard;
}

const EXPORTS = ['probe', 'interfaces', 'watch', 'openPort', 'openGuard'] as const;

/**
 * Where build.mjs (npm install, `make native`) puts the addon: beside this
 * file when it runs from source (ts-node), four levels up and back down when
 * it runs compiled from dist/node/platform/native/.
 */
export const ADDON_PATH = [
  new URL('./build/Release/hush_native.node', import.meta.url),
  new URL('../../../../platform/native/build/Release/hush_native.node', import.meta.url),
].map((u) => u.pathname).find((p) => existsSync(p)) ?? new URL('./build/Release/hush_native.node', import.meta.url).pathname;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The addon's handles are methods on `this`; the device's are plain functions a caller may pass around. */
function adapt(addon: Addon): RawDevice {
  return {
    interfaces: () => addon.interfaces(),
    watch(fn) {
      const w = addon.watch(fn);
      return () => w.close();
    },
    openPort(ifindex, opts, onFrame) {
      const p = addon.openPort(ifindex, opts.memberships, opts.filter ?? true, onFrame);
      return { send: (frame) => p.send(frame), close: () => p.close() };
    },
    openGuard(family, port) {
      const g = addon.openGuard(family, port);
      return {
        join: (group, ifindex) => g.join(group, ifindex),
        leave: (group, ifindex) => g.leave(group, ifindex),
        send: (data, addr, dstPort, ifindex) => g.send(data, addr, dstPort, ifindex),
        loop: (data, group, dstPort, ifindex) => g.loop(data, group, dstPort, ifindex),
        close: () => g.close(),
      };
    },
  };
}

/**
 * The device, or why there is none: not Linux, the addon missing or failing
 * to load, or no CAP_NET_RAW (probe() opens and closes an AF_PACKET socket).
 */
export function loadDevice(path: string = ADDON_PATH): { device: RawDevice } | { why: string } {
  if (process.platform !== 'linux') return { why: `the raw backend is Linux only (this is ${process.platform})` };
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (e) {
    return { why: `the native addon did not load (${message(e)}); build it with \`make native\`` };
  }
  const missing = EXPORTS.filter((name) => typeof addon[name] !== 'function');
  if (missing.length) return { why: `${path} is not the hush_native addon (no ${missing.join(', ')})` };
  try {
    addon.probe();
  } catch (e) {
    const code = (e as DeviceError).code;
    return { why: code === 'EPERM' ? `no CAP_NET_RAW for raw sockets (${message(e)})` : `no raw sockets (${message(e)})` };
  }
  return { device: adapt(addon) };
}
