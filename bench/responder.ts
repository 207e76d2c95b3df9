// Responder throughput in the lab (issue 3): legacy unicast queries answered
// per second with ≥ 99% answered, hush and avahi-daemon in the same run, same
// generator, same steps; and each daemon's CPU time per answered query.
import { avahiLegacyThroughput } from './lab/avahi.js';
import { hushLegacyThroughput } from './lab/hush.js';
import type { Bench } from './run.js';

export async function responder(): Promise<Bench> {
  const seconds = 5;
  const hush = await hushLegacyThroughput({ seconds });
  const avahi = await avahiLegacyThroughput({ seconds });
  const rows = [['responder', 'qps (≥ 99% answered)', 'CPU µs per query', 'steps']];
  for (const [name, t] of [['hush', hush], ['avahi-daemon (ratelimit off)', avahi]] as const) {
    rows.push([name, String(t.qps), t.cpu_us_per_query.toFixed(1), t.steps.map((s) => `${s.rate}:${(s.answered_ratio * 100).toFixed(1)}%`).join(' ')]);
  }
  const ratio = avahi.qps ? hush.qps / avahi.qps : NaN;
  rows.push(['hush / avahi', ratio.toFixed(2), (hush.cpu_us_per_query / avahi.cpu_us_per_query).toFixed(2), '']);
  return { rows, json: { legacy_qps_ratio: ratio, cpu_per_query_ratio: hush.cpu_us_per_query / avahi.cpu_us_per_query, seconds_per_step: seconds, hush, avahi }, ok: hush.qps > 0 };
}
