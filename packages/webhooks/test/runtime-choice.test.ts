import { describe, expect, it } from 'vitest'
import { decodeUtf8 } from '../src/body.js'
import { getDefaultEngine } from '../src/crypto/hmac.js'
import { nodeCryptoEngine } from '../src/crypto/node.js'
import * as web from '../src/runtime/web.js'

describe('the HMAC engine and UTF-8 decoder, chosen by export condition', () => {
  it('signs with node:crypto under the node condition, with no adapter imported', () => {
    expect(getDefaultEngine()).toBe(nodeCryptoEngine)
  })

  it('importing an adapter changes nothing in the process', async () => {
    const before = getDefaultEngine()
    await import('../src/adapters/express.js')
    await import('../src/adapters/fastify.js')
    await import('../src/adapters/node.js')
    expect(getDefaultEngine()).toBe(before)
  })

  it('brings nothing of its own elsewhere, so Web Crypto and the web decoder are used', () => {
    expect(web.hmacEngine).toBeUndefined()
    expect(web.strictUtf8).toBeUndefined()
  })

  it('decodes a leading BOM away and refuses bytes that are not UTF-8, as the web decoder does', () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('{}')
    expect(() => decodeUtf8(new Uint8Array([0xff]))).toThrow(
      expect.objectContaining({ code: 'invalid_encoding' }),
    )
  })
})
