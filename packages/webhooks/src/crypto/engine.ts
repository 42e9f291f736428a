/**
 * HMAC-SHA256 behind one small interface, so the core runs on any runtime with WebCrypto while Node can use
 * its faster synchronous node:crypto path (see `./node.ts`).
 */
export interface HmacEngine {
  /** HMAC-SHA256 of the concatenated `parts` under the UTF-8 `secret`. */
  hmacSha256(secret: string, parts: readonly Uint8Array[]): Uint8Array | Promise<Uint8Array>
}
