/** The parts as one array, in order; `length` is their total when the caller has counted it already. */
export function concatBytes(
  parts: readonly Uint8Array[],
  length = totalLength(parts),
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

function totalLength(parts: readonly Uint8Array[]): number {
  let length = 0
  for (const part of parts) length += part.byteLength
  return length
}
