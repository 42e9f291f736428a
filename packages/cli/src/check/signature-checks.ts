import type { Check } from './check.js'
import { encode, event, nowSeconds, send, signBody } from './probe.js'
import { expectAccepted, expectRejected } from './verdict.js'

const FORGED = {
  result: 'fail',
  note: 'a forged request was accepted: anyone could grant items or impersonate Aghanim.',
} as const

/** A valid player.verify: read-only, so the checks can send it as often as they like. */
const verifyBody = (probe: Parameters<Check['run']>[0]) => encode(event(probe, 'player.verify'))

/** Signs correctly, then swaps in `mangle(signature)`: only the signature header is wrong. */
function mangled(
  id: string,
  title: string,
  mangle: (signature: string) => string | readonly string[],
  onAccept: Parameters<typeof expectRejected>[1] = FORGED,
): Check {
  return {
    id,
    title,
    async run(probe) {
      const body = verifyBody(probe)
      const timestamp = nowSeconds(probe)
      const signature = mangle(await signBody(probe, body, timestamp))
      return expectRejected(await send(probe, body, { timestamp, signature }), onAccept)
    },
  }
}

/** Latin-1 text whose bytes on the wire are the UTF-8 encoding of `text` (node:http sends header chars as bytes). */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1')

/** Signature and header checks: all but the first must be refused with a 4xx. */
export const signatureChecks: Check[] = [
  {
    id: 'valid-event',
    title: 'accepts a correctly signed player.verify',
    async run(probe) {
      const note = `is --secret right, and does player ${probe.settings.player} exist (--player)?`
      return expectAccepted(await send(probe, verifyBody(probe)), note)
    },
  },
  {
    id: 'signature-wrong-secret',
    title: 'rejects a signature made with another secret',
    async run(probe) {
      const body = verifyBody(probe)
      const timestamp = nowSeconds(probe)
      const signature = await signBody(probe, body, timestamp, `${probe.settings.secret}-not`)
      return expectRejected(await send(probe, body, { timestamp, signature }), FORGED)
    },
  },
  mangled('signature-short', 'rejects a signature one character short', (signature) =>
    signature.slice(0, -1),
  ),
  mangled('signature-long', 'rejects a signature one character long', (signature) => `${signature}0`),
  mangled(
    'signature-not-hex',
    'rejects a 64-character signature that is not hex',
    (signature) => `${signature.slice(0, -2)}zz`,
  ),
  // 62 hex characters and an "é": 64 bytes, so a byte-length check passes and the hex decoding must fail.
  mangled('signature-non-ascii', 'rejects a signature with non-ASCII bytes', (signature) =>
    utf8Bytes(`${signature.slice(0, -2)}é`),
  ),
  // A wrong copy first, the right one second: a receiver that reads only the last copy accepts it.
  mangled(
    'signature-duplicated',
    'rejects two x-aghanim-signature headers',
    (signature) => [`${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`, signature],
    {
      result: 'warn',
      note: 'Aghanim sends one signature header; accepting an ambiguous pair means some copy went unchecked.',
    },
  ),
  {
    id: 'signature-missing',
    title: 'rejects a request without x-aghanim-signature',
    async run(probe) {
      return expectRejected(await send(probe, verifyBody(probe), { signature: null }), FORGED)
    },
  },
  {
    id: 'timestamp-missing',
    title: 'rejects a request without x-aghanim-signature-timestamp',
    async run(probe) {
      return expectRejected(await send(probe, verifyBody(probe), { timestampHeader: null }), FORGED)
    },
  },
  {
    id: 'signature-other-timestamp',
    title: 'rejects a signature made for another timestamp',
    async run(probe) {
      const body = verifyBody(probe)
      const timestamp = nowSeconds(probe)
      const signature = await signBody(probe, body, String(Number(timestamp) - 1))
      return expectRejected(await send(probe, body, { timestamp, signature }), {
        result: 'fail',
        note: 'the signature must cover "<timestamp>.<body>": otherwise an old signed body can be replayed with any timestamp.',
      })
    },
  },
  {
    id: 'signature-reserialized',
    title: 'rejects a signature over a re-serialized body',
    async run(probe) {
      // The body goes out pretty-printed and is signed as JSON.stringify or Python's json.dumps would
      // re-serialize it: a receiver that verifies a re-serialization instead of the raw bytes accepts one.
      const value = event(probe, 'player.verify')
      const body = encode(JSON.stringify(value, null, 3))
      const timestamp = nowSeconds(probe)
      for (const reserialized of [JSON.stringify(value), pythonDumps(value)]) {
        const signature = await signBody(probe, reserialized, timestamp)
        const verdict = expectRejected(await send(probe, body, { timestamp, signature }), {
          result: 'fail',
          note: 'the signature must be checked over the raw body bytes, before any JSON parsing: a re-serialization differs from what Aghanim signed, so real deliveries fail too.',
        })
        if (verdict.result !== 'pass') return verdict
      }
      return { result: 'pass', expected: '4xx', got: '4xx for both re-serializations' }
    },
  },
]

/** Python's `json.dumps(value)` (", " and ": " separators, non-ASCII escaped) for JSON without floats. */
function pythonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonDumps(key)}: ${pythonDumps(item)}`)
      .join(', ')}}`
  }
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}
