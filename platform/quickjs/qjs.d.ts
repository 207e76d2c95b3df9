// The QuickJS built-in module the device program reads its config with,
// and the native module it gets sockets from (platform/quickjs/hush_udp.c).
// ('os' is typed through QjsOs in platform.ts: @types/node claims that name.)
declare module 'std' {
  export function loadFile(path: string): string | null;
  export function exit(code: number): never;
  export const err: { puts(s: string): void; flush(): void };
  export function getenv(name: string): string | undefined;
}

declare module '*/hush_udp.so' {
  import type { Native } from './platform.js';
  const open: Native['open'];
  const join: Native['join'];
  const leave: Native['leave'];
  const send: Native['send'];
  const recv: Native['recv'];
  const close: Native['close'];
  const interfaces: Native['interfaces'];
  const now: Native['now'];
  export { open, join, leave, send, recv, close, interfaces, now };
}

declare const scriptArgs: string[];
