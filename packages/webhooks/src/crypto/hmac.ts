import { hmacEngine } from '#runtime'
import { concatBytes } from '../bytes.js'
import type { HmacEngine } from './engine.js'

export type { HmacEngine } from './engine.js'

const encoder = new TextEncoder()

/** WebCrypto engine: works on Node, Bun, Deno, Workers and browsers. Imported keys are cached per secret. */
// `typeof crypto.subtle`, not `SubtleCrypto`: Node's types declare that name as a value only, so a Node
// project without the DOM library could not read this declaration.
export function webCryptoEngine(subtle: typeof crypto.subtle = globalThis.crypto.subtle): HmacEngine {
  const keys = new Map<string, Promise<CryptoKey>>()
  const keyFor = (secret: string) => {
    let key = keys.get(secret)
    if (!key) {
      key = subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ])
      keys.set(secret, key)
    }
    return key
  }
  return {
    async hmacSha256(secret, parts) {
      const signature = await subtle.sign('HMAC', await keyFor(secret), concatBytes(parts))
      return new Uint8Array(signature)
    },
  }
}

let defaultEngine: HmacEngine | undefined

/**
 * The engine used when none is injected: node:crypto under the `node` export condition (Node, Bun, Deno),
 * WebCrypto elsewhere. Chosen when the package is resolved (`#runtime`), not by which entry was imported.
 */
export function getDefaultEngine(): HmacEngine {
  defaultEngine ??= hmacEngine ?? webCryptoEngine()
  return defaultEngine
}

/** Replaces the default engine for the whole process: an explicit override (tests, another crypto library). */
export function setDefaultEngine(engine: HmacEngine): void {
  defaultEngine = engine
}
