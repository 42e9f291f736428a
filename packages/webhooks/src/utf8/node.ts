import { isUtf8 } from 'node:buffer'
import { type StrictUtf8Decoder, webStrictUtf8 } from './web.js'

/**
 * Strict UTF-8 decoding with node's own validator: `TextDecoder` with `fatal` validates as it decodes and
 * costs about twice what `isUtf8` and a plain decode do together (docs/benchmarks.md). The result is
 * the web decoder's: a leading BOM dropped, and bytes that are not UTF-8 get the web decoder's own error.
 * Chosen by the `node` export condition (`#runtime`).
 */
export const nodeStrictUtf8: StrictUtf8Decoder = (bytes) => {
  if (!isUtf8(bytes)) return webStrictUtf8(bytes)
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('utf8')
}
