/**
 * aghanim-webhooks/store: for people writing an idempotency store or a delivery log (the shipped SQLite and
 * PostgreSQL stores are built on it). A receiver needs none of this; its conformance suites are in
 * `aghanim-webhooks/testing`.
 */

export type { Answer } from '../answer.js'
export {
  type DeliveryCursor,
  type DeliveryInput,
  type DeliveryLog,
  type DeliveryPage,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliverySummary,
  decodeDeliveryCursor,
  deliveryPageSize,
  encodeDeliveryCursor,
} from '../delivery-log/contract.js'
export {
  DELIVERY_LOG_COLUMNS,
  deliveryRowValues,
  deliverySummaryFromRow,
  newDeliveryId,
} from '../delivery-log/rows.js'
export type {
  ClaimOptions,
  ClaimResult,
  IdempotencyStore,
  StoredAnswer,
  TransactionWork,
} from '../idempotency/store.js'
export { deleteInChunks } from './prune.js'
