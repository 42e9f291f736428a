/** Hex helpers for signatures. Internal. */
const HEX = '0123456789abcdef'

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += HEX[byte >> 4]! + HEX[byte & 15]!
  return out
}

/** Decodes exactly `length` bytes of hex (either case); undefined for anything else. Never throws. */
export function fromHex(text: string, length: number): Uint8Array | undefined {
  if (text.length !== length * 2) return undefined
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) {
    const high = hexValue(text.charCodeAt(i * 2))
    const low = hexValue(text.charCodeAt(i * 2 + 1))
    if (high < 0 || low < 0) return undefined
    out[i] = (high << 4) | low
  }
  return out
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Constant-time equality of two byte arrays of the same length (the length itself is public: 32 bytes). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
