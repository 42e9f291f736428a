import type { Router } from 'aghanim-webhooks'
import { createBatchRouter } from '../batch/batch-router.js'
import type { ServerConfig } from '../config/config.js'
import { ConfigError } from '../config/config-error.js'
import type { ServerDatabase } from '../database/server-database.js'
import { createLedgerRouter } from '../ledger/ledger-router.js'
import { loadStoreItems } from '../store-items/store-items.js'
import { createLayeredRouter, type RouterLayer } from './layered-router.js'
import { loadStudioHandlers } from './studio-handlers.js'

export interface RouterDeps {
  handle: () => (request: Request) => Promise<Response>
  /** The current secret of a game (`null`: the one unnamed game, or the first game). */
  secret: (game: string | null) => string
  now: () => number
  fetch: typeof globalThis.fetch | undefined
  /** Forward mode's layer (`--forward-to`), which takes the reference ledger's place. */
  forward?: RouterLayer<unknown>
}

/**
 * The server's router, in layers: the studio's `--handlers` on top, then the reference ledger (unless the module
 * exports `replaceLedger = true`, or forward mode replaces it), then `batch.ready`, then forward mode's. Internal.
 */
export async function buildRouter(
  config: ServerConfig,
  database: ServerDatabase,
  deps: RouterDeps,
): Promise<Router> {
  const studio = config.handlersPath ? await loadStudioHandlers(config.handlersPath) : undefined
  const storeItems = loadStoreItems(config.cataloguePath)
  const layers: RouterLayer<unknown>[] = []
  if (!studio?.replaceLedger && !deps.forward)
    layers.push(createLedgerRouter(database.ledger, { storeItems: () => storeItems, now: deps.now }))
  layers.push({
    router: createBatchRouter({
      config: config.batch,
      webhookPath: config.webhookPath,
      handle: deps.handle,
      secret: deps.secret,
      now: deps.now,
      fetch: deps.fetch,
    }),
  })
  if (deps.forward) layers.push(deps.forward)
  const { router, defaults } = createLayeredRouter(layers)
  try {
    await studio?.default?.(router, { ledger: database.ledger, defaults })
  } catch (error) {
    throw new ConfigError(
      `The handlers module ${config.handlersPath} failed to register: ${(error as Error).message}`,
    )
  }
  return router
}
