import { describe, expect, it } from 'vitest'
import {
  type SignatureVector,
  signatureVectors,
  vectorBody,
} from '../../../test-support/signature-vectors.js'
import { toHex } from '../src/crypto/hex.js'
import { type HmacEngine, webCryptoEngine } from '../src/crypto/hmac.js'
import { nodeCryptoEngine } from '../src/crypto/node.js'
import type { ErrorCode } from '../src/errors.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../src/headers.js'
import { verify } from '../src/verify.js'

// Computed by an independent implementation (Python hmac).
const vectors = signatureVectors
type Vector = SignatureVector

const bodyOf = vectorBody
const headersOf = (vector: Vector) =>
  new Headers({ [SIGNATURE_HEADER]: vector.signature, [TIMESTAMP_HEADER]: vector.timestamp })
const clockAt = (vector: Vector) => () => Number(vector.timestamp) * 1000

const engines: [string, HmacEngine][] = [
  ['WebCrypto', webCryptoEngine()],
  ['node:crypto', nodeCryptoEngine],
]

const expectedCodes: Record<string, ErrorCode> = {
  'wrong secret': 'signature_mismatch',
  'body changed by one byte (re-serialized)': 'signature_mismatch',
  'timestamp changed': 'signature_mismatch',
  'signature truncated (shorter than 64 hex chars)': 'malformed_signature',
  'signature with one extra char': 'malformed_signature',
  'signature not hex': 'malformed_signature',
  'signature of body alone (timestamp omitted from signed data)': 'signature_mismatch',
  'empty signature': 'malformed_signature',
}

describe('signature vectors', () => {
  it('has vectors to check (the file was read)', () => {
    expect(vectors.valid.length).toBeGreaterThanOrEqual(9)
    expect(vectors.invalid.length).toBe(Object.keys(expectedCodes).length)
  })

  describe.each(engines)('with the %s engine', (_name, engine) => {
    it.each(vectors.valid.map((v) => [v.name, v] as const))(
      'accepts the valid vector "%s" (window off)',
      async (_n, vector) => {
        const result = await verify(bodyOf(vector), headersOf(vector), {
          secrets: vector.secret,
          replayWindow: false,
          engine,
        })
        expect(result).toEqual({ ok: true, timestamp: Number(vector.timestamp), secretIndex: 0 })
      },
    )

    it.each(vectors.valid.map((v) => [v.name, v] as const))(
      'accepts the valid vector "%s" with a clock at its timestamp',
      async (_n, vector) => {
        const result = await verify(bodyOf(vector), headersOf(vector), {
          secrets: [vector.secret],
          now: clockAt(vector),
          engine,
        })
        expect(result.ok).toBe(true)
      },
    )

    it.each(vectors.invalid.map((v) => [v.name, v] as const))(
      'rejects the invalid vector "%s" with a typed error',
      async (_n, vector) => {
        const result = await verify(bodyOf(vector), headersOf(vector), {
          secrets: vector.secret,
          now: clockAt(vector),
          engine,
        })
        expect(result.ok).toBe(false)
        if (result.ok) return
        expect(result.error.name).toBe('AghanimWebhookError')
        expect(result.error.code).toBe(expectedCodes[vector.name])
        expect(result.error.status).toBeGreaterThanOrEqual(400)
        expect(result.error.status).toBeLessThan(500)
        expect(result.error.message).not.toContain(vector.secret)
      },
    )
  })

  it.each([...vectors.valid, ...vectors.invalid].map((v) => [v.name, v] as const))(
    'both engines compute the same HMAC for "%s"',
    async (_n, vector) => {
      const parts = [
        new TextEncoder().encode(vector.timestamp),
        new TextEncoder().encode('.'),
        bodyOf(vector),
      ]
      const web = toHex(await webCryptoEngine().hmacSha256(vector.secret, parts))
      const node = toHex(await nodeCryptoEngine.hmacSha256(vector.secret, parts))
      expect(web).toBe(node)
      expect(web).toMatch(/^[0-9a-f]{64}$/)
    },
  )

  it.each(vectors.invalid.map((v) => [v.name, v] as const))(
    'both engines give the same verdict for "%s"',
    async (_n, vector) => {
      const options = { secrets: vector.secret, now: clockAt(vector) }
      const [web, node] = await Promise.all(
        engines.map(([, engine]) => verify(bodyOf(vector), headersOf(vector), { ...options, engine })),
      )
      expect(web!.ok).toBe(node!.ok)
      expect(web!.ok ? undefined : web!.error.code).toBe(node!.ok ? undefined : node!.error.code)
    },
  )
})
