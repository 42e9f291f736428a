/**
 * aghanim-webhooks: receive Aghanim webhooks in TypeScript. Web-standard core (Request/Response,
 * Uint8Array, WebCrypto); framework adapters live in `aghanim-webhooks/{node,express,fastify,hono}`.
 */
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
export {
  DELIVERY_LOG_COLUMNS,
  type DeliveryCursor,
  type DeliveryInput,
  type DeliveryLog,
  type DeliveryPage,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliverySummary,
  decodeDeliveryCursor,
  deliveryPageSize,
  deliveryRowValues,
  deliverySummaryFromRow,
  encodeDeliveryCursor,
  newDeliveryId,
} from './idempotency/delivery-log.js'
export { MemoryStore, type MemoryStoreOptions } from './idempotency/memory.js'
export { deleteInChunks } from './idempotency/prune.js'
export type {
  ClaimOptions,
  ClaimResult,
  IdempotencyStore,
  StoredAnswer,
  TransactionWork,
} from './idempotency/store.js'
export { decline, deny, Reply, reply } from './router/reply.js'
export {
  createRouter,
  type EventHandler,
  type HandlerContext,
  type HandlerResult,
  type Router,
} from './router/router.js'
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
