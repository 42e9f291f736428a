import { readFileSync } from 'node:fs'

/** One known-answer case: the signature an independent implementation (Python hmac) computed. */
export interface SignatureVector {
  name: string
  secret: string
  timestamp: string
  body_base64: string
  body_utf8: string
  signature: string
}

/**
 * The signature vectors the library's sign and verify tests and the CLI's sign tests share:
 * `valid` ones verify, `invalid` ones are refused (each named for why).
 */
export const signatureVectors = JSON.parse(
  readFileSync(new URL('../packages/webhooks/test/vectors/signatures.json', import.meta.url), 'utf8'),
) as { valid: SignatureVector[]; invalid: SignatureVector[] }

/** A vector's body as the exact bytes that were signed. */
export const vectorBody = (vector: SignatureVector) =>
  new Uint8Array(Buffer.from(vector.body_base64, 'base64'))
