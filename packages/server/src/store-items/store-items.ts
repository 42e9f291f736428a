import { readFileSync } from 'node:fs'
import { ConfigError } from '../config/config-error.js'

/** One entry of the store.get answer: a SKU and optionally when it is shown (Unix seconds), plus any extra fields. */
export interface StoreItem {
  sku: string
  start_at?: number | null
  end_at?: number | null
  [field: string]: unknown
}

/** What store.get answers when no `--catalogue` is given: the SKUs of the docs' examples. */
export const builtInStoreItems: readonly StoreItem[] = Object.freeze([
  { sku: 'crystals' },
  { sku: 'gold_pack' },
  { sku: 'starter_bundle' },
  { sku: 'vip_pass' },
])

/**
 * Reads the store.get items (`--catalogue`): a JSON array of items or `{ "items": [...] }`, each with a string `sku`.
 * Read once at start, so a broken file stops the start with a clear message instead of failing every store visit.
 *
 * @example loadStoreItems('./catalogue.json') // [{ sku: 'crystals' }, { sku: 'shield', start_at: 1630000000 }]
 */
export function loadStoreItems(path: string | undefined): readonly StoreItem[] {
  if (path === undefined) return builtInStoreItems
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]
    throw new ConfigError(`Cannot read the store catalogue ${path}: ${reason}.`)
  }
  const items = Array.isArray(json) ? json : (json as { items?: unknown } | null)?.items
  if (!Array.isArray(items))
    throw new ConfigError(`The store catalogue ${path} must be a JSON array or { "items": [...] }.`)
  items.forEach((item, index) => {
    const sku = (item as { sku?: unknown } | null)?.sku
    if (typeof sku !== 'string' || sku === '') {
      throw new ConfigError(`The store catalogue ${path}: items[${index}] needs a string "sku".`)
    }
    for (const field of ['start_at', 'end_at'] as const) {
      const value = (item as Record<string, unknown>)[field]
      if (value !== undefined && value !== null && typeof value !== 'number') {
        throw new ConfigError(
          `The store catalogue ${path}: items[${index}].${field} must be Unix seconds or null.`,
        )
      }
    }
  })
  return Object.freeze(items as StoreItem[])
}
