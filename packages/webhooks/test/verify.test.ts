import { describe, expect, it } from 'vitest'
import type { HmacEngine } from '../src/crypto/hmac.js'
import { nodeCryptoEngine } from '../src/crypto/node.js'
import type { ErrorCode } from '../src/errors.js'
import { type HeadersLike, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../src/headers.js'
import { sign } from '../src/sign.js'
import { DEFAULT_REPLAY_WINDOW, type VerifyOptions, type VerifyResult, verify } from '../src/verify.js'

const SECRET = 'whsec_test_Zq8v'
const NOW = 1_725_548_450
const body = new TextEncoder().encode('{"event_type":"item.add","event_data":{"player_id":"p1"}}')
const clock = () => NOW * 1000

async function signedFor(timestamp: number | string = NOW, secret = SECRET) {
  return sign({ secret, timestamp, body })
}

async function check(headers: HeadersLike, options: Partial<VerifyOptions> = {}) {
  return verify(body, headers, { secrets: SECRET, now: clock, ...options })
}

function expectError(result: VerifyResult, code: ErrorCode) {
  expect(result.ok).toBe(false)
  if (result.ok) return
  expect(result.error.code).toBe(code)
  expect(result.error.message).not.toContain(SECRET)
  expect(result.error.toJSON()).toEqual({ status: 'error', code, message: result.error.message })
}

/** Counts HMAC computations, to prove what verify does (and skips) before comparing. */
function countingEngine(): HmacEngine & { calls: number } {
  const engine = {
    calls: 0,
    hmacSha256(secret: string, parts: readonly Uint8Array[]) {
      engine.calls++
      return nodeCryptoEngine.hmacSha256(secret, parts)
    },
  }
  return engine
}

describe('verify: a valid signature', () => {
  it('is accepted with the parsed timestamp and the index of the matching secret', async () => {
    const result = await check({ [SIGNATURE_HEADER]: await signedFor(), [TIMESTAMP_HEADER]: String(NOW) })
    expect(result).toEqual({ ok: true, timestamp: NOW, secretIndex: 0 })
  })

  it('is read from web Headers regardless of header-name case', async () => {
    const headers = new Headers({
      'X-Aghanim-Signature': await signedFor(),
      'X-Aghanim-Signature-Timestamp': String(NOW),
    })
    expect((await check(headers)).ok).toBe(true)
  })

  it('is read from a Node-style record with capitalised names', async () => {
    const headers = { 'X-Aghanim-Signature': await signedFor(), 'X-Aghanim-Signature-Timestamp': String(NOW) }
    expect((await check(headers)).ok).toBe(true)
  })

  it('is accepted from a Node-style record whose header arrived once, as a one-element array', async () => {
    const headers = { [SIGNATURE_HEADER]: [await signedFor()], [TIMESTAMP_HEADER]: [String(NOW)] }
    expect((await check(headers)).ok).toBe(true)
  })

  it('is accepted in upper-case hex', async () => {
    const headers = { [SIGNATURE_HEADER]: (await signedFor()).toUpperCase(), [TIMESTAMP_HEADER]: String(NOW) }
    expect((await check(headers)).ok).toBe(true)
  })

  it('is accepted over an empty body', async () => {
    const empty = new Uint8Array(0)
    const signature = await sign({ secret: SECRET, timestamp: NOW, body: empty })
    const result = await verify(
      empty,
      { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(NOW) },
      { secrets: SECRET, now: clock },
    )
    expect(result.ok).toBe(true)
  })
})

describe('verify: missing headers', () => {
  it('rejects a request without a signature header as missing_signature', async () => {
    expectError(await check({ [TIMESTAMP_HEADER]: String(NOW) }), 'missing_signature')
  })

  it('rejects a request without any signature headers as missing_signature', async () => {
    expectError(await check(new Headers()), 'missing_signature')
  })

  it('rejects a request without a timestamp header as missing_timestamp', async () => {
    expectError(await check({ [SIGNATURE_HEADER]: await signedFor() }), 'missing_timestamp')
  })

  it('treats an undefined value in a Node-style record as missing', async () => {
    expectError(
      await check({ [SIGNATURE_HEADER]: undefined, [TIMESTAMP_HEADER]: String(NOW) }),
      'missing_signature',
    )
  })

  it('answers 400 for missing headers', async () => {
    const result = await check({})
    expect(result.ok ? 0 : result.error.status).toBe(400)
  })
})

describe('verify: malformed_signature', () => {
  const withSignature = (signature: string | string[]) =>
    check({ [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(NOW) })

  it('rejects a signature one character short', async () => {
    expectError(await withSignature((await signedFor()).slice(0, 63)), 'malformed_signature')
  })

  it('rejects a signature one character long', async () => {
    expectError(await withSignature(`${await signedFor()}0`), 'malformed_signature')
  })

  it('rejects a signature of 64 non-hex characters', async () => {
    expectError(await withSignature('g'.repeat(64)), 'malformed_signature')
  })

  it('rejects a signature with a non-ASCII character in place of a hex digit', async () => {
    expectError(await withSignature(`${(await signedFor()).slice(0, 63)}é`), 'malformed_signature')
  })

  it('rejects a signature of emoji', async () => {
    expectError(await withSignature('🔑'.repeat(32)), 'malformed_signature')
  })

  it('rejects a prefixed signature (Aghanim sends the bare digest)', async () => {
    expectError(await withSignature(`sha256=${await signedFor()}`), 'malformed_signature')
  })

  it('rejects an empty signature', async () => {
    expectError(await withSignature(''), 'malformed_signature')
  })

  it('rejects a signature header sent twice in a Node-style record (an array), even if both copies are valid', async () => {
    const signature = await signedFor()
    const result = await withSignature([signature, signature])
    expectError(result, 'malformed_signature')
    expect(result.ok ? '' : result.error.message).toMatch(/more than once/)
  })

  it('rejects a signature header sent twice in web Headers (joined with ", ")', async () => {
    const signature = await signedFor()
    const headers = new Headers({ [TIMESTAMP_HEADER]: String(NOW) })
    headers.append(SIGNATURE_HEADER, signature)
    headers.append(SIGNATURE_HEADER, signature)
    expect(headers.get(SIGNATURE_HEADER)).toBe(`${signature}, ${signature}`)
    expectError(await check(headers), 'malformed_signature')
  })

  it('quotes the offending value in the message, shortened and printable', async () => {
    const result = await withSignature(`\u0000${'z'.repeat(200)}`)
    expectError(result, 'malformed_signature')
    const message = result.ok ? '' : result.error.message
    expect(message).toContain('zzz')
    expect(message.length).toBeLessThan(200)
    expect(message).not.toMatch(/[^\x20-\x7e]/)
  })

  it('does not compute an HMAC for a malformed signature', async () => {
    const engine = countingEngine()
    expectError(
      await check({ [SIGNATURE_HEADER]: 'nope', [TIMESTAMP_HEADER]: String(NOW) }, { engine }),
      'malformed_signature',
    )
    expect(engine.calls).toBe(0)
  })
})

describe('verify: malformed_timestamp', () => {
  const withTimestamp = async (timestamp: string | string[]) =>
    check({ [SIGNATURE_HEADER]: await signedFor(), [TIMESTAMP_HEADER]: timestamp }, { replayWindow: false })

  it.each([
    ['non-digits', 'abc'],
    ['digits followed by letters', '1725548450s'],
    ['a negative number', '-1725548450'],
    ['a float', '1725548450.5'],
    ['exponent notation', '1.7e9'],
    ['an empty value', ''],
    ['only spaces', '   '],
    ['sixteen digits (too long)', '1'.repeat(16)],
    ['a plus sign', '+1725548450'],
    ['hex', '0x66d9a0a2'],
    ['an ISO date', '2024-09-05T15:00:50Z'],
    ['non-ASCII digits', '١٧٢٥٥٤٨٤٥٠'],
  ])('rejects %s', async (_label, timestamp) => {
    expectError(await withTimestamp(timestamp), 'malformed_timestamp')
  })

  it('rejects a timestamp header sent twice in a Node-style record', async () => {
    expectError(await withTimestamp([String(NOW), String(NOW)]), 'malformed_timestamp')
  })

  it('rejects a timestamp header sent twice in web Headers', async () => {
    const headers = new Headers({ [SIGNATURE_HEADER]: await signedFor() })
    headers.append(TIMESTAMP_HEADER, String(NOW))
    headers.append(TIMESTAMP_HEADER, String(NOW))
    expectError(await check(headers), 'malformed_timestamp')
  })

  it('accepts fifteen digits when the window is off (the longest whole number it parses)', async () => {
    const timestamp = '1'.repeat(15)
    const signature = await signedFor(timestamp)
    const result = await check(
      { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp },
      { replayWindow: false },
    )
    expect(result).toEqual({ ok: true, timestamp: Number(timestamp), secretIndex: 0 })
  })

  it('verifies a timestamp with leading zeros as the literal header value', async () => {
    const literal = `000${NOW}`
    const signature = await signedFor(literal)
    const result = await check({ [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: literal })
    expect(result).toEqual({ ok: true, timestamp: NOW, secretIndex: 0 })
    expectError(
      await check({ [SIGNATURE_HEADER]: await signedFor(NOW), [TIMESTAMP_HEADER]: literal }),
      'signature_mismatch',
    )
  })
})

describe('verify: timestamp_outside_window', () => {
  const at = async (timestamp: number, options: Partial<VerifyOptions> = {}) =>
    check({ [SIGNATURE_HEADER]: await signedFor(timestamp), [TIMESTAMP_HEADER]: String(timestamp) }, options)
  const { pastSeconds, futureSeconds } = DEFAULT_REPLAY_WINDOW

  it('keeps the default window wide enough for late retries: 7 days back, 15 minutes ahead', () => {
    expect(DEFAULT_REPLAY_WINDOW).toEqual({ pastSeconds: 7 * 24 * 3600, futureSeconds: 15 * 60 })
  })

  it('accepts a retry signed six days ago by default', async () => {
    expect((await at(NOW - 6 * 24 * 3600)).ok).toBe(true)
  })

  it('accepts a timestamp exactly at the past edge of the window', async () => {
    expect((await at(NOW - pastSeconds)).ok).toBe(true)
  })

  it('rejects a timestamp one second past the past edge', async () => {
    const result = await at(NOW - pastSeconds - 1)
    expectError(result, 'timestamp_outside_window')
    expect(result.ok ? 0 : result.error.status).toBe(403)
  })

  it('accepts a timestamp exactly at the future edge of the window', async () => {
    expect((await at(NOW + futureSeconds)).ok).toBe(true)
  })

  it('rejects a timestamp one second beyond the future edge', async () => {
    expectError(await at(NOW + futureSeconds + 1), 'timestamp_outside_window')
  })

  it('rejects the epoch (timestamp 0) by default', async () => {
    expectError(await at(0), 'timestamp_outside_window')
  })

  it('accepts any timestamp when the window is disabled with false', async () => {
    expect((await at(0, { replayWindow: false })).ok).toBe(true)
    expect((await at(NOW + 10 * 365 * 24 * 3600, { replayWindow: false })).ok).toBe(true)
  })

  it('honours a custom window on both sides', async () => {
    const replayWindow = { pastSeconds: 300, futureSeconds: 30 }
    expect((await at(NOW - 300, { replayWindow })).ok).toBe(true)
    expectError(await at(NOW - 301, { replayWindow }), 'timestamp_outside_window')
    expect((await at(NOW + 30, { replayWindow })).ok).toBe(true)
    expectError(await at(NOW + 31, { replayWindow }), 'timestamp_outside_window')
  })

  it('keeps the default for the side a partial window leaves out', async () => {
    const replayWindow = { pastSeconds: 300 }
    expectError(await at(NOW - 301, { replayWindow }), 'timestamp_outside_window')
    expect((await at(NOW + futureSeconds, { replayWindow })).ok).toBe(true)
    expectError(await at(NOW + futureSeconds + 1, { replayWindow }), 'timestamp_outside_window')
  })

  it('reads the injected clock in milliseconds', async () => {
    const replayWindow = { pastSeconds: 0, futureSeconds: 0 }
    expect((await at(NOW, { replayWindow, now: () => NOW * 1000 + 999 })).ok).toBe(true)
    expectError(await at(NOW, { replayWindow, now: () => (NOW + 1) * 1000 }), 'timestamp_outside_window')
  })

  it('checks the window before computing any HMAC', async () => {
    const engine = countingEngine()
    expectError(await at(NOW - pastSeconds - 1, { engine }), 'timestamp_outside_window')
    expect(engine.calls).toBe(0)
  })

  it('rejects a stale timestamp even when the signature is also malformed', async () => {
    const result = await check({ [SIGNATURE_HEADER]: 'nope', [TIMESTAMP_HEADER]: '1' })
    expectError(result, 'timestamp_outside_window')
  })
})

describe('verify: signature_mismatch', () => {
  it('rejects a signature made with another secret, with the sample code\'s 403 "Invalid signature"', async () => {
    const result = await check({
      [SIGNATURE_HEADER]: await signedFor(NOW, 'whsec_other'),
      [TIMESTAMP_HEADER]: String(NOW),
    })
    expectError(result, 'signature_mismatch')
    expect(result.ok ? undefined : [result.error.status, result.error.message]).toEqual([
      403,
      'Invalid signature.',
    ])
  })

  it('rejects a body changed after signing', async () => {
    const signature = await signedFor()
    const changed = body.slice()
    changed[changed.length - 2] = changed[changed.length - 2]! ^ 1
    const result = await verify(
      changed,
      { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(NOW) },
      { secrets: SECRET, now: clock },
    )
    expectError(result, 'signature_mismatch')
  })

  it('rejects a valid signature paired with a different timestamp', async () => {
    expectError(
      await check({ [SIGNATURE_HEADER]: await signedFor(NOW), [TIMESTAMP_HEADER]: String(NOW + 1) }),
      'signature_mismatch',
    )
  })

  it('rejects a signature with a single flipped hex digit', async () => {
    const signature = await signedFor()
    const flipped = `${signature.slice(0, 10)}${signature[10] === '0' ? '1' : '0'}${signature.slice(11)}`
    expectError(
      await check({ [SIGNATURE_HEADER]: flipped, [TIMESTAMP_HEADER]: String(NOW) }),
      'signature_mismatch',
    )
  })

  it('rejects when no secret of several matches', async () => {
    const headers = {
      [SIGNATURE_HEADER]: await signedFor(NOW, 'whsec_gone'),
      [TIMESTAMP_HEADER]: String(NOW),
    }
    expectError(await check(headers, { secrets: ['whsec_a', 'whsec_b'] }), 'signature_mismatch')
  })

  it('never mentions any of the secrets in the error', async () => {
    const secrets = ['whsec_old_Kj2', 'whsec_new_P0q']
    const result = await check(
      { [SIGNATURE_HEADER]: await signedFor(), [TIMESTAMP_HEADER]: String(NOW) },
      { secrets },
    )
    expectError(result, 'signature_mismatch')
    const json = JSON.stringify(result.ok ? {} : result.error.toJSON())
    for (const secret of secrets) expect(json).not.toContain(secret)
  })
})

describe('verify: secret rotation', () => {
  const secrets = ['whsec_old', 'whsec_new', 'whsec_next']

  it.each(secrets.map((secret, index) => [secret, index] as const))(
    'accepts a delivery signed with %s and reports secretIndex %i',
    async (secret, index) => {
      const headers = { [SIGNATURE_HEADER]: await signedFor(NOW, secret), [TIMESTAMP_HEADER]: String(NOW) }
      expect(await check(headers, { secrets })).toEqual({ ok: true, timestamp: NOW, secretIndex: index })
    },
  )

  it('computes the HMAC under every secret even after the first one matched (no early exit)', async () => {
    const engine = countingEngine()
    const headers = { [SIGNATURE_HEADER]: await signedFor(NOW, 'whsec_old'), [TIMESTAMP_HEADER]: String(NOW) }
    expect((await check(headers, { secrets, engine })).ok).toBe(true)
    expect(engine.calls).toBe(secrets.length)
  })

  it('reports the first matching index when a secret is listed twice', async () => {
    const headers = { [SIGNATURE_HEADER]: await signedFor(NOW, 'whsec_new'), [TIMESTAMP_HEADER]: String(NOW) }
    expect(await check(headers, { secrets: ['whsec_x', 'whsec_new', 'whsec_new'] })).toEqual({
      ok: true,
      timestamp: NOW,
      secretIndex: 1,
    })
  })
})

describe('verify: configuration', () => {
  it.each([
    ['an empty secret', ''],
    ['an empty list of secrets', []],
    ['a list with one empty secret', ['whsec_a', '']],
  ])(
    'refuses %s with invalid_config instead of accepting signatures anyone can make',
    async (_label, secrets) => {
      const forged = await sign({ secret: '', timestamp: NOW, body, engine: nodeCryptoEngine })
      const result = await check({ [SIGNATURE_HEADER]: forged, [TIMESTAMP_HEADER]: String(NOW) }, { secrets })
      expectError(result, 'invalid_config')
      expect(result.ok ? 0 : result.error.status).toBe(500)
    },
  )
})

describe('verify: never throws', () => {
  it('rejects malformed input before the HMAC engine, so even a broken engine cannot make it throw', async () => {
    const broken: HmacEngine = {
      hmacSha256() {
        throw new Error('engine down')
      },
    }
    expectError(
      await check({ [SIGNATURE_HEADER]: 'x', [TIMESTAMP_HEADER]: String(NOW) }, { engine: broken }),
      'malformed_signature',
    )
    expectError(await check({ [TIMESTAMP_HEADER]: String(NOW) }, { engine: broken }), 'missing_signature')
  })
})
