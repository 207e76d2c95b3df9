// What dist/hush.mjs (the QuickJS device file) carries today: the codec, the
// responder and the unicast stub resolver. The querier and DNS-SD browsing
// (src/index.ts has them) join once the bundle fits its 48 KiB budget with
// them: today the three together are 58.5 KB minified (issue 6 shrinks it).
export * from './wire/index.js';
export { createResponder, Responder } from './mdns/responder.js';
export { Resolver, isLinkLocalName } from './resolver/index.js';
