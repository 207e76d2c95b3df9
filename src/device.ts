// What dist/hush.mjs (the QuickJS device file) carries today: the codec and
// the responder with the TSR advertising-proxy registrar. The querier,
// DNS-SD browsing and the stub resolver (src/index.ts has them) join once
// the bundle fits its 48 KiB budget with them (issue 6 shrinks it; the whole
// device program, platform/quickjs/main.ts, is 72 KB today).
export * from './wire/index.js';
export { createResponder, Responder } from './mdns/responder.js';
