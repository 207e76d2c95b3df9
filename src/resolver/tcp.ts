// DNS over TCP for one message (RFC 1035 §4.2.2, RFC 7766 §8): the query and
// the reply each go with a two-byte length in front. Used after a truncated
// UDP reply (RFC 1123 §6.1.3.2).
import type { Cancel, Platform, Stream } from '../platform.js';

/** Why a TCP exchange gave no reply. */
export type TcpFailure = 'error' | 'closed' | 'timeout';

/**
 * Sends `query` to `to` over a new connection and calls `done` once: with
 * the first framed message that comes back, or with why none did within
 * `wait` ms. The returned function closes the connection without calling `done`.
 */
export function tcpExchange(
  platform: Platform & Required<Pick<Platform, 'connect'>>, to: { addr: string; port: number }, query: Uint8Array, wait: number,
  done: (r: { reply: Uint8Array } | { failure: TcpFailure; detail?: string }) => void,
): Cancel {
  let stream: Stream;
  try {
    stream = platform.connect(to);
  } catch (e) {
    // A backend that refuses at once is a failed connection like any other, told from the event loop;
    // cancelling the timer keeps `done` from being called.
    return platform.timer(0, () => done({ failure: 'error', detail: String(e) }));
  }
  let finished = false;
  /** Ends the exchange once; true when this call ended it. */
  const stop = (): boolean => {
    if (finished) return false;
    finished = true;
    stopTimer();
    stream.close();
    return true;
  };
  const finish = (r: Parameters<typeof done>[0]): void => {
    if (stop()) done(r);
  };
  const stopTimer = platform.timer(wait, () => finish({ failure: 'timeout' }));
  let buf: Uint8Array = new Uint8Array(0);
  stream.onData((chunk) => {
    buf = concat(buf, chunk);
    const len = (buf[0] << 8) | buf[1];
    // With fewer than two bytes in, buf.length < 2 <= 2 + len: nothing finishes yet.
    if (buf.length >= 2 + len) finish({ reply: buf.slice(2, 2 + len) });
  });
  stream.onEnd((error) => finish(error === undefined ? { failure: 'closed' } : { failure: 'error', detail: error }));
  stream.write(concat(new Uint8Array([query.length >> 8, query.length & 0xff]), query));
  return stop;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
