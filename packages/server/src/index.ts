/**
 * `@aghanim-webhooks/server`: the production webhook receiver behind `aghanim-webhooks serve`, with a reference
 * player/inventory ledger, an admin API, metrics and the inspector.
 */

export {
  type BatchConfig,
  type GameSecrets,
  type LogLevel,
  loadConfig,
  type SandboxPolicy,
  type ServerConfig,
} from './config/config.js'
export { ConfigError } from './config/config-error.js'
export type { DatabaseConfig } from './config/database-url.js'
export { serveUsage } from './config/flags.js'
export type { DeliveryDetailJson, DeliverySummaryJson } from './deliveries/delivery-json.js'
export type { StudioContext, StudioHandlersModule } from './handlers/studio-handlers.js'
export type {
  HistoryEntry,
  InventoryLine,
  Ledger,
  LedgerChange,
  Player,
  PlayerInput,
  RecordedEvent,
} from './ledger/ledger.js'
export { type ServeIo, serveCommand } from './startup/serve-command.js'
export {
  type ClusterHooks,
  type RunningServer,
  type StartOptions,
  startServer,
} from './startup/start-server.js'
