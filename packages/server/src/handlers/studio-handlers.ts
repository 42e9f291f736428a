import { pathToFileURL } from 'node:url'
import type { Router } from 'aghanim-webhooks'
import { ConfigError } from '../config/config-error.js'
import type { Ledger } from '../ledger/ledger.js'

/** What a `--handlers` module's default export receives besides the router. */
export interface StudioContext<Tx = unknown> {
  /** The reference ledger (players, inventory, events); its writes take the transaction `transact()` gives. */
  ledger: Ledger<Tx>
  /** The handlers below yours (ledger, batch.ready), to call from your own: `defaults.resolve('item.add')`. */
  defaults: Router<Tx>
}

/**
 * The contract of a `--handlers` module:
 *
 * @example
 * // my-handlers.js
 * export default function (router, { ledger, defaults }) {
 *   router.on('item.add', async (event, context) => {
 *     await notifyGameServer(event.event_data) // your own effect…
 *     return defaults.resolve('item.add')(event, context) // …then the ledger's grant
 *   })
 * }
 * // export const replaceLedger = true  // start from an empty router instead
 */
export interface StudioHandlersModule<Tx = unknown> {
  default?: (router: Router<Tx>, context: StudioContext<Tx>) => void | Promise<void>
  replaceLedger?: boolean
}

/** Imports the studio's module; a missing file, a syntax error or a wrong export is a `ConfigError`. Internal. */
export async function loadStudioHandlers<Tx>(
  path: string,
): Promise<Required<Pick<StudioHandlersModule<Tx>, 'replaceLedger'>> & StudioHandlersModule<Tx>> {
  let module: StudioHandlersModule<Tx>
  try {
    module = (await import(pathToFileURL(path).href)) as StudioHandlersModule<Tx>
  } catch (error) {
    const reason = (error as Error).message?.split('\n')[0] ?? String(error)
    throw new ConfigError(`Cannot load the handlers module ${path}: ${reason}`)
  }
  const replaceLedger = module.replaceLedger === true
  if (module.default !== undefined && typeof module.default !== 'function') {
    throw new ConfigError(
      `The handlers module ${path} must default-export a function (router, { ledger, defaults }) => void.`,
    )
  }
  if (module.default === undefined && !replaceLedger) {
    throw new ConfigError(
      `The handlers module ${path} has no default export: export default (router, { ledger }) => { … }.`,
    )
  }
  return { default: module.default, replaceLedger }
}
