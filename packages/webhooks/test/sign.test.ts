import { describe, expect, it } from 'vitest'
import {
  type SignatureVector,
  signatureVectors,
  vectorBody,
} from '../../../test-support/signature-vectors.js'
import { type HmacEngine, webCryptoEngine } from '../src/crypto/hmac.js'
import { nodeCryptoEngine } from '../src/crypto/node.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../src/headers.js'
import { sign, signedHeaders } from '../src/sign.js'
import { verify } from '../src/verify.js'

const { valid } = signatureVectors
const bodyOf = vectorBody

const engines: [string, HmacEngine][] = [
  ['WebCrypto', webCryptoEngine()],
  ['node:crypto', nodeCryptoEngine],
]

describe('sign', () => {
  describe.each(engines)('with the %s engine', (_name, engine) => {
    const bodies = [
      ['the raw bytes', bodyOf],
      ['the body as text', (vector: SignatureVector) => vector.body_utf8],
    ] as const
    it.each(bodies.flatMap(([from, body]) => valid.map((v) => [v.name, from, v, body] as const)))(
      'reproduces the signature of "%s" from %s',
      async (_n, _from, vector, body) => {
        const signature = await sign({
          secret: vector.secret,
          timestamp: vector.timestamp,
          body: body(vector),
          engine,
        })
        expect(signature).toBe(vector.signature)
      },
    )
  })

  it('signs a numeric timestamp as its decimal digits', async () => {
    const vector = valid.find((v) => v.name === 'compact JSON')!
    const signature = await sign({
      secret: vector.secret,
      timestamp: Number(vector.timestamp),
      body: bodyOf(vector),
    })
    expect(signature).toBe(vector.signature)
  })

  it('keeps a string timestamp exactly as given, leading zeros included', async () => {
    const withZeros = await sign({ secret: 'k', timestamp: '0001700000003', body: '{}' })
    const withoutZeros = await sign({ secret: 'k', timestamp: 1700000003, body: '{}' })
    expect(withZeros).toBe('ee87ae1e1aa9d433a3ddf6209ff427c9912617bd6ac8974b1ad6befa3d7edf79')
    expect(withoutZeros).not.toBe(withZeros)
  })

  it('produces 64 lower-case hex characters', async () => {
    expect(await sign({ secret: 'k', timestamp: 1, body: new Uint8Array([0, 255, 128]) })).toMatch(
      /^[0-9a-f]{64}$/,
    )
  })

  it('signs the bytes, so a re-serialized body gets a different signature', async () => {
    const compact = await sign({ secret: 'k', timestamp: 1, body: '{"a":1}' })
    const spaced = await sign({ secret: 'k', timestamp: 1, body: '{"a": 1}' })
    expect(compact).not.toBe(spaced)
  })

  it('round-trips through verify', async () => {
    const body = new TextEncoder().encode('{"event_type":"order.paid"}')
    const headers = await signedHeaders({ secret: 'whsec_1', timestamp: 1_700_000_000, body })
    const result = await verify(body, headers, { secrets: 'whsec_1', now: () => 1_700_000_000_000 })
    expect(result).toEqual({ ok: true, timestamp: 1_700_000_000, secretIndex: 0 })
  })
})

describe('signedHeaders', () => {
  it('gives the two headers Aghanim sends, spreadable into fetch', async () => {
    const vector = valid.find((v) => v.name === 'compact JSON')!
    const headers = await signedHeaders({
      secret: vector.secret,
      timestamp: vector.timestamp,
      body: vector.body_utf8,
    })
    expect(headers).toEqual({ [SIGNATURE_HEADER]: vector.signature, [TIMESTAMP_HEADER]: vector.timestamp })
  })

  it('writes a numeric timestamp as decimal text', async () => {
    const headers = await signedHeaders({ secret: 'k', timestamp: 1725548450, body: '' })
    expect(headers[TIMESTAMP_HEADER]).toBe('1725548450')
  })
})
