// The stub resolver's path for .local and link-local reverse names: one
// mDNS question per type, all asked at once (RFC 6762 §5.3 lets the querier
// put them in one packet), answered from the querier's cache after `wait`.
import type { Querier } from '../mdns/querier.js';
import type { Rec } from '../wire/index.js';
import type { Result } from './answer.js';
import type { LocalLookup } from './resolver.js';

/**
 * A LocalLookup over the mDNS querier. mDNS has no negative answer for a
 * name nobody holds (RFC 6762 §6.1 NSEC is only for names someone owns), so
 * silence is reported as 'timeout'. Results carry no TTL: the querier's own
 * cache keeps mDNS answers fresh (RFC 6762 §10), the unicast cache must not.
 */
export function mdnsLookup(q: Querier, wait = 1000): LocalLookup {
  return (name, types, done) => {
    Promise.all(types.map((type) => q.query({ name, type }, { wait })))
      .catch((): Rec[][] => types.map(() => []))
      .then((answers) => done(answers.map((records, i): Result => ({ type: types[i], status: records.length ? 'ok' : 'timeout', records }))))
      // `done` is the caller's (the resolver guards it); nothing may become an unhandled rejection.
      .catch(() => undefined);
  };
}
