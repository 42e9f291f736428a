import type { Check } from './check.js'
import { encode, event, nowSeconds, type Probe, send } from './probe.js'
import { describeOutcome, expectNoServerError, expectRejected, failureNote, is2xx, is4xx } from './verdict.js'

const DAY = 86_400
const OVERSIZED_BYTES = 8 * 1024 * 1024

const NOT_PROCESSED = {
  result: 'warn',
  note: 'a 2xx tells Aghanim this was processed, yet it cannot have been.',
} as const

/** A correctly signed request whose body is `text` (or bytes): only the body is wrong. */
function badBody(id: string, title: string, body: (probe: Probe) => string | Uint8Array): Check {
  return {
    id,
    title,
    async run(probe) {
      const value = body(probe)
      return expectRejected(
        await send(probe, typeof value === 'string' ? encode(value) : value),
        NOT_PROCESSED,
      )
    },
  }
}

/** A player.verify envelope with `change` applied; `undefined` removes a key. */
function envelope(probe: Probe, change: Record<string, unknown>): string {
  const value = event(probe, 'player.verify')
  for (const [key, replacement] of Object.entries(change)) {
    if (replacement === undefined) delete value[key]
    else value[key] = replacement
  }
  return JSON.stringify(value)
}

/** A correctly signed delivery whose timestamp is `offset` seconds from now (or not a number at all). */
function timestampCheck(id: string, title: string, timestamp: (now: number) => string, note: string): Check {
  return {
    id,
    title,
    async run(probe) {
      const stamp = timestamp(Number(nowSeconds(probe)))
      const body = encode(event(probe, 'player.verify'))
      return expectRejected(await send(probe, body, { timestamp: stamp }), { result: 'warn', note })
    },
  }
}

/** Replay-window checks: a refusal passes, acceptance only warns (Aghanim documents no window). */
export const timestampChecks: Check[] = [
  timestampCheck(
    'timestamp-stale',
    'refuses a timestamp 30 days old',
    (now) => String(now - 30 * DAY),
    'no replay window: a captured delivery stays valid forever (idempotency still stops duplicates of the same event).',
  ),
  timestampCheck(
    'timestamp-future',
    'refuses a timestamp 1 day in the future',
    (now) => String(now + DAY),
    'timestamps from the future are accepted: a window should allow only clock skew ahead.',
  ),
  timestampCheck(
    'timestamp-malformed',
    'refuses a timestamp that is not a number',
    () => 'yesterday',
    'the timestamp header is not checked to be Unix seconds.',
  ),
]

/** Bodies Aghanim would never send, correctly signed: each must get a 4xx, never a 5xx or a crash. */
export const bodyChecks: Check[] = [
  badBody('body-invalid-json', 'rejects malformed JSON', (probe) => envelope(probe, {}).slice(0, -9)),
  badBody('body-empty', 'rejects an empty body', () => ''),
  // A JSON body whose player_id holds bytes 0xff 0xfe: not UTF-8 anywhere.
  badBody('body-not-utf8', 'rejects a body that is not UTF-8', (probe) => {
    const [before, after] = envelope(probe, { event_data: { player_id: '\u0000' } }).split('\\u0000')
    return Buffer.concat([Buffer.from(before!), Buffer.from([0xff, 0xfe]), Buffer.from(after!)])
  }),
  badBody('body-not-object', 'rejects a JSON body that is not an object (null)', () => 'null'),
  badBody('envelope-no-event-type', 'rejects an envelope without event_type', (probe) =>
    envelope(probe, { event_type: undefined }),
  ),
  badBody('envelope-event-type-not-string', 'rejects a non-string event_type', (probe) =>
    envelope(probe, { event_type: 42 }),
  ),
  badBody('envelope-no-event-data', 'rejects an envelope without event_data', (probe) =>
    envelope(probe, { event_data: undefined }),
  ),
  badBody('envelope-event-data-not-object', 'rejects event_data that is a string', (probe) =>
    envelope(probe, { event_data: 'player_id' }),
  ),
  {
    id: 'event-unknown-type',
    title: 'answers an unknown event_type without a 5xx',
    async run(probe) {
      // Aghanim adds and renames events: either a 4xx (its sample) or a 2xx (acknowledge and log) is fine.
      const body = encode(envelope(probe, { event_type: 'aghanim_webhooks.check.unknown' }))
      return expectNoServerError(await send(probe, body), '2xx or 4xx')
    },
  },
  {
    id: 'method-get',
    title: 'refuses GET',
    async run(probe) {
      return expectRejected(await send(probe, new Uint8Array(), { method: 'GET' }), {
        result: 'warn',
        note: 'Aghanim delivers with POST; a 2xx to GET is an answer nobody asked for.',
      })
    },
  },
  {
    id: 'body-oversized',
    title: `handles an ${OVERSIZED_BYTES / 1024 / 1024} MiB body without crashing`,
    async run(probe) {
      const value = event(probe, 'player.verify', { padding: 'x'.repeat(OVERSIZED_BYTES) })
      const outcome = await send(probe, encode(value))
      // Whatever the answer, the endpoint must still serve the next delivery.
      const after = await send(probe, encode(event(probe, 'player.verify')))
      const expected = '413 (or another 4xx), and still up'
      const got = describeOutcome(outcome)
      if (!is2xx(after)) {
        return {
          result: 'fail',
          expected,
          got: `${got}, then ${describeOutcome(after)} for a normal delivery`,
          note: 'the endpoint stopped serving after a large body.',
        }
      }
      if (is4xx(outcome)) return { result: 'pass', expected, got }
      if (is2xx(outcome))
        return {
          result: 'warn',
          expected,
          got: `${got} (accepted)`,
          note: 'no body size limit: a huge body costs memory and time before the signature is even checked.',
        }
      if (outcome.kind === 'dropped') {
        return {
          result: 'warn',
          expected,
          got,
          note: 'closed the connection without an answer: answer 413 (and read or discard the body) so the sender learns why.',
        }
      }
      return { result: 'fail', expected, got, note: failureNote(outcome) }
    },
  },
]
