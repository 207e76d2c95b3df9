// What dist/hush.mjs (the QuickJS device file) carries today: the codec and
// the responder with the TSR advertising-proxy registrar. The querier,
// DNS-SD browsing and the stub resolver (src/index.ts has them) join once
// the bundle fits its 48 KiB budget with them: with the resolver alone it is
// 56 KB minified (issue 6 shrinks it).
export * from './wire/index.js';
export { createResponder, Responder } from './mdns/responder.js';
