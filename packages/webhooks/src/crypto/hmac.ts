/**
 * HMAC-SHA256 behind one small interface, so the core runs on any runtime with WebCrypto while Node can use
 * its faster synchronous node:crypto path (see `./node.ts`). Internal.
 */
export interface HmacEngine {
  /** HMAC-SHA256 of the concatenated `parts` under the UTF-8 `secret`. */
  hmacSha256(secret: string, parts: readonly Uint8Array[]): Uint8Array | Promise<Uint8Array>
}

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
      const signature = await subtle.sign('HMAC', await keyFor(secret), concat(parts))
      return new Uint8Array(signature)
    },
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const part of parts) length += part.byteLength
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

let defaultEngine: HmacEngine | undefined

/** The engine used when none is injected: node:crypto where registered (Node entry points), else WebCrypto. */
export function getDefaultEngine(): HmacEngine {
  defaultEngine ??= webCryptoEngine()
  return defaultEngine
}

/** Lets a runtime-specific entry point (e.g. the Node adapters) install a faster engine. */
export function setDefaultEngine(engine: HmacEngine): void {
  defaultEngine = engine
}
