import { randomBytes } from 'node:crypto'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `prefix` + `length` random letters and digits, shaped like Aghanim's ids (`ord_eCacpFwavzi`). */
export function randomId(prefix: string, length: number): string {
  let id = prefix
  for (const byte of randomBytes(length)) id += ALPHABET[byte % ALPHABET.length]
  return id
}
