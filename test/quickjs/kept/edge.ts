// A tiny program for test/quickjs/kept-names.test.ts: what crosses its edge.
export interface Api { start(opts: { port: number }): { accepted: boolean }; stats(): Stats }
export interface Stats { hits: number }
export interface Edge { api: Api }
