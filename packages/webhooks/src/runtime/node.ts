/**
 * What `#runtime` resolves to under the `node` export condition (Node, Bun, Deno): node:crypto's synchronous
 * HMAC and node's UTF-8 validator. Chosen at resolution, so importing an adapter changes nothing at run time.
 */
export { nodeCryptoEngine as hmacEngine } from '../crypto/node.js'
export { nodeStrictUtf8 as strictUtf8 } from '../utf8/node.js'
