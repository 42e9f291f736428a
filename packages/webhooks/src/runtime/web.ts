import type { HmacEngine } from '../crypto/engine.js'
import type { StrictUtf8Decoder } from '../utf8/web.js'

/**
 * What `#runtime` resolves to everywhere else (Workers, browsers, edge runtimes): nothing of its own, so
 * the Web Crypto engine and the web decoder are used. Exports the same names as `./node.ts`.
 */
export const hmacEngine: HmacEngine | undefined = undefined
export const strictUtf8: StrictUtf8Decoder | undefined = undefined
