import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { toHex } from '../src/crypto/hex.js'
import { webCryptoEngine } from '../src/crypto/hmac.js'
import { nodeCryptoEngine } from '../src/crypto/node.js'
import { AghanimWebhookError, errorCatalogue } from '../src/errors.js'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../src/headers.js'
import { sign } from '../src/sign.js'
import { type VerifyResult, verify } from '../src/verify.js'

const RUNS = 400
const NOW = 1_725_548_450

const anyText = fc.string({ unit: 'binary', maxLength: 100 })
const hexish = fc.oneof(
  fc.stringMatching(/^[0-9a-fA-F]{63,65}$/),
  fc.stringMatching(/^\s*[0-9a-f]{64}\s*$/),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxz, é'), minLength: 60, maxLength: 70 }),
)
const digitsish = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 53 }).map(String),
  fc.stringMatching(/^\s*-?[0-9]{0,17}(\.[0-9]+)?\s*$/),
  fc.constant(String(NOW)),
)
const headerValue = (interesting: fc.Arbitrary<string>) =>
  fc.oneof(
    interesting,
    anyText,
    fc.constant(undefined),
    fc.array(fc.oneof(interesting, anyText), { maxLength: 3 }),
  )
const secrets = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
)
const replayWindow = fc.oneof(
  fc.constant(undefined),
  fc.constant(false as const),
  fc.record({ pastSeconds: fc.nat(), futureSeconds: fc.nat() }, { requiredKeys: [] }),
)

function expectTyped(result: VerifyResult) {
  if (result.ok) {
    expect(Number.isSafeInteger(result.timestamp)).toBe(true)
    expect(result.secretIndex).toBeGreaterThanOrEqual(0)
    return
  }
  expect(result.error).toBeInstanceOf(AghanimWebhookError)
  expect(Object.keys(errorCatalogue)).toContain(result.error.code)
  expect(result.error.status).toBeGreaterThanOrEqual(400)
  expect(result.error.status).toBeLessThan(500)
}

describe('verify properties', () => {
  it('never throws on arbitrary bytes and Node-style headers, always answers a typed result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 256 }),
        headerValue(hexish),
        headerValue(digitsish),
        secrets,
        replayWindow,
        async (body, signature, timestamp, secret, window) => {
          const headers = { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp }
          const result = await verify(body, headers, {
            secrets: secret,
            replayWindow: window,
            now: () => NOW * 1000,
          })
          expectTyped(result)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('never throws on arbitrary web Headers (byte strings, repeated headers)', async () => {
    // What a Headers object can hold: bytes 0x00-0xFF without NUL, CR or LF (it trims outer whitespace).
    const headerSafe = (text: string) => text.replace(/[^\t\x20-\xff]/g, '')
    const byteString = fc.string({ unit: 'binary-ascii', maxLength: 80 }).map(headerSafe)
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.oneof(hexish.map(headerSafe), byteString), { maxLength: 3 }),
        fc.array(fc.oneof(digitsish.map(headerSafe), byteString), { maxLength: 3 }),
        async (body, signatures, timestamps) => {
          const headers = new Headers()
          for (const value of signatures) headers.append(SIGNATURE_HEADER, value)
          for (const value of timestamps) headers.append(TIMESTAMP_HEADER, value)
          expectTyped(await verify(body, headers, { secrets: 'k', replayWindow: false }))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('is never ok for a signature that sign() did not produce', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 128 }),
        fc.oneof(hexish, anyText),
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        async (body, signature, timestamp, secret) => {
          const headers = { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(timestamp) }
          const result = await verify(body, headers, { secrets: secret, replayWindow: false })
          if (result.ok) expect(signature.trim().toLowerCase()).toBe(await sign({ secret, timestamp, body }))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('accepts whatever sign() produced, for any bytes, secret and timestamp, reporting the right secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        fc.integer({ min: 0, max: 10 ** 15 - 1 }),
        async (body, secretList, pick, timestamp) => {
          const index = pick % secretList.length
          const signature = await sign({ secret: secretList[index]!, timestamp, body })
          const headers = { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(timestamp) }
          const result = await verify(body, headers, { secrets: secretList, replayWindow: false })
          expect(result.ok && result.timestamp).toBe(timestamp)
          // Usually `index`, but HMAC pads short keys with zeros, so 'k' and 'k\0' are the same key: an
          // earlier secret may match first. Whichever index is reported must sign identically.
          const reported = result.ok ? result.secretIndex : -1
          expect(reported).toBeLessThanOrEqual(index)
          expect(
            await sign({ secret: secretList[reported] ?? '', timestamp, body, engine: nodeCryptoEngine }),
          ).toBe(signature)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('rejects a signed body with any single bit flipped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 256 }),
        fc.nat(),
        fc.nat({ max: 7 }),
        async (body, at, bit) => {
          const signature = await sign({ secret: 'k', timestamp: NOW, body })
          const tampered = body.slice()
          const position = at % tampered.length
          tampered[position] = tampered[position]! ^ (1 << bit)
          const headers = { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(NOW) }
          const result = await verify(tampered, headers, { secrets: 'k', replayWindow: false })
          expect(result.ok ? 'ok' : result.error.code).toBe('signature_mismatch')
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('WebCrypto and node:crypto agree for any secret (lone surrogates included) and any bytes', async () => {
    const web = webCryptoEngine()
    const utf16 = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code))
    const secret = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
      fc.string({ unit: utf16, minLength: 1, maxLength: 8 }),
    )
    await fc.assert(
      fc.asyncProperty(secret, fc.uint8Array({ maxLength: 256 }), async (secret, bytes) => {
        const parts = [bytes.subarray(0, 3), bytes.subarray(3)]
        expect(toHex(await web.hmacSha256(secret, parts))).toBe(
          toHex(await nodeCryptoEngine.hmacSha256(secret, parts)),
        )
      }),
      { numRuns: RUNS },
    )
  })
})
