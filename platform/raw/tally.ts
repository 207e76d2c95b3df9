// What the raw backend counts, and the log line each kind of trouble gets
// the first time only: a link full of bad frames or a peer the raw path
// keeps failing for must not flood the log.
import type { LogLevel } from '../../src/platform.js';

export type Log = (level: LogLevel, msg: string, data?: object) => void;

/** The errno name of a DeviceError, 'error' for anything without one. */
export function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}

export class Tally {
  readonly counters: Record<string, number> = {};
  private readonly logged = new Set<string>();

  constructor(private readonly log: Log) {}

  count(key: string, n = 1): void {
    this.counters[key] = (this.counters[key] ?? 0) + n;
  }

  /** Counts `key`; logs `msg` the first time `key` is counted this way. */
  problem(key: string, level: LogLevel, msg: string, data?: object): void {
    this.count(key);
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log(level, `hush raw: ${msg}`, data);
  }
}

/** A DeviceError as log data. */
export const why = (e: unknown): object => ({ error: e instanceof Error ? e.message : String(e), code: codeOf(e) });
