// Process plumbing shared by the lab's peers: temporary directories removed
// when the lab closes, output collected from programs started in a
// namespace, waiting for a line or for an exit with a time limit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Lab } from './netns.js';

const hooks = new WeakMap<Lab, (() => void)[]>();

/** Runs `fn` after `lab.close()` (which kills every process of the lab first), last registered first. */
export function onClose(lab: Lab, fn: () => void): void {
  let list = hooks.get(lab);
  if (!list) {
    const fns: (() => void)[] = [];
    hooks.set(lab, (list = fns));
    const close = lab.close.bind(lab);
    lab.close = (): void => {
      close();
      for (const f of fns.splice(0).reverse()) f();
    };
  }
  list.push(fn);
}

/** A fresh directory under the system temp dir, removed when the lab closes. */
export function tempDir(lab: Lab, tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${lab.prefix}-${tag}-`));
  onClose(lab, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A program started with `lab.spawn`, with its stdout and stderr kept as text. */
export class Proc {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Exit code, or the signal's name; undefined while running. */
  status: number | string | undefined;
  readonly exited: Promise<number | string>;
  private readonly waiters = new Set<() => void>();

  constructor(lab: Lab, ns: string, cmd: string, args: string[], opts: SpawnOptions = {}) {
    this.child = lab.spawn(ns, cmd, args, opts);
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => { this.stdout += s; this.poke(); });
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.stderr += s; this.poke(); });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => { this.stderr += `${cmd}: ${e.message}\n`; this.status = -1; this.poke(); resolve(-1); });
      // 'close' comes after the output streams have ended, so all output is in.
      this.child.on('close', (code, signal) => { this.status = code ?? signal ?? -1; this.poke(); resolve(this.status); });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Everything the program wrote, stdout then stderr. */
  get output(): string {
    return this.stdout + this.stderr;
  }

  private poke(): void {
    for (const w of [...this.waiters]) w();
  }

  /**
   * Resolves with the `count`-th line of stdout+stderr matching `re`; rejects
   * when the program exits first or after `timeoutMs`.
   */
  waitFor(re: RegExp, timeoutMs: number, count = 1): Promise<string> {
    const what = `${this.child.spawnargs.slice(4).join(' ')}: ${count > 1 ? `${count} lines` : 'a line'} matching ${re}`;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hits = this.output.split('\n').filter((l) => re.test(l));
        if (hits.length >= count) return done(() => resolve(hits[count - 1]));
        if (this.status !== undefined) done(() => reject(new Error(`${what}: exited (${this.status}) first\n${this.output}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${what}: none within ${timeoutMs} ms\n${this.output}`))), timeoutMs);
      const done = (fn: () => void): void => { clearTimeout(timer); this.waiters.delete(check); fn(); };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<number | string> {
    if (this.status !== undefined) return this.status;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs a command in a namespace to its end (SIGKILL after `timeoutMs`); resolves with its output. */
export async function run(lab: Lab, ns: string, cmd: string, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<Proc> {
  const { timeoutMs = 30_000, ...spawnOpts } = opts;
  const p = new Proc(lab, ns, cmd, args, spawnOpts);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  await p.exited;
  clearTimeout(timer);
  return p;
}

/** The interfaces named eth* in a namespace (those `Lab.link` creates). */
export function ethInterfaces(lab: Lab, ns: string): string[] {
  return lab.exec(ns, 'ip', ['-o', 'link', 'show']).split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n.startsWith('eth'));
}
