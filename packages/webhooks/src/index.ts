/**
 * aghanim-webhooks: receive Aghanim webhooks in TypeScript. Web-standard core (Request/Response,
 * Uint8Array, WebCrypto); framework adapters live in `aghanim-webhooks/{node,express,fastify,hono}`, what a
 * store or a delivery log is written with in `aghanim-webhooks/store`, test helpers in `aghanim-webhooks/testing`.
 */
export { readLimited } from './body.js'
export { type HmacEngine, setDefaultEngine, webCryptoEngine } from './crypto/hmac.js'
export {
  AghanimWebhookError,
  type ErrorBody,
  type ErrorCode,
  errorCatalogue,
  isAghanimWebhookError,
} from './errors.js'
export * from './events/index.js'
export {
  createWebhookHandler,
  type Delivery,
  type WebhookHandlerOptions,
} from './handler.js'
export { type HeadersLike, headerRecord, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './headers.js'
export { MemoryStore, type MemoryStoreOptions } from './idempotency/memory.js'
// The type of `context.transact`'s work; the rest of the store contract is in `aghanim-webhooks/store`.
export type { TransactionWork } from './idempotency/store.js'
export { decline, deny, Reply, reply } from './router/reply.js'
export {
  createRouter,
  type EventHandler,
  type HandlerContext,
  type HandlerResult,
  type RouteHandler,
  type Router,
} from './router/router.js'
export { transactional } from './router/transactional.js'
export {
  formatIssues,
  formatPath,
  type Infer,
  type Issue,
  type ObjectOf,
  type ParseResult,
  type Schema,
  type StandardResult,
  type StandardSchemaV1,
  s,
} from './schema.js'
export { ledgerScope, type SandboxPolicy, scopedKey } from './scope.js'
export { type SignInput, sign, signedHeaders } from './sign.js'
export { type SpanAttributeValue, type SpanLike, spanNames, type TracerLike } from './tracing.js'
export {
  DEFAULT_REPLAY_WINDOW,
  type ReplayWindow,
  type VerifyOptions,
  type VerifyResult,
  verify,
} from './verify.js'
