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
  done: (r: Uint8Array | TcpFailure) => void,
): Cancel {
  let stream: Stream;
  try {
    stream = platform.connect(to);
  } catch {
    // A backend that refuses at once is a failed connection like any other, told from the event loop;
    // cancelling the timer keeps `done` from being called.
    return platform.timer(0, () => done('error'));
  }
  let ended = false;
  /** Ends the exchange once, closing the connection; `done` hears of it only when `r` is given (not on a cancel). */
  const end = (r?: Uint8Array | TcpFailure): void => {
    if (ended) return;
    ended = true;
    stopTimer();
    stream.close();
    if (r) done(r);
  };
  const stopTimer = platform.timer(wait, () => end('timeout'));
  let buf = new Uint8Array(0);
  stream.onData((chunk) => {
    // Copied once per chunk into one buffer (a spread into a plain array would cost a value per byte).
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    buf = joined;
    const len = (buf[0] << 8) | buf[1];
    // With fewer than two bytes in, buf.length < 2 <= 2 + len: nothing finishes yet.
    if (buf.length >= 2 + len) end(buf.slice(2, 2 + len));
  });
  stream.onEnd((error) => end(error === undefined ? 'closed' : 'error'));
  // The two-byte length in front (a Uint8Array keeps the low byte of each value).
  stream.write(new Uint8Array([query.length >> 8, query.length, ...query]));
  return () => end();
}
