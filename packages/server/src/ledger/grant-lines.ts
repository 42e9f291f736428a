import type { InventoryLine } from './ledger.js'

type GrantLines = { ok: true; items: InventoryLine[] } | { ok: false; message: string }

/**
 * The SKU quantities an item.add / item.remove moves: each entry of `items` as sent (a bundle is credited as its
 * own SKU; `nested_items` are not expanded), or the deprecated top-level `sku` as one unit when `items` is empty.
 * A quantity that is not a positive whole number rejects the whole event rather than half-applying it. Internal.
 */
export function grantLines(data: { items?: unknown; sku?: unknown }): GrantLines {
  const items = Array.isArray(data.items) ? data.items : []
  if (items.length === 0) {
    if (typeof data.sku === 'string' && data.sku !== '')
      return { ok: true, items: [{ sku: data.sku, quantity: 1 }] }
    return { ok: false, message: 'The event has no items.' }
  }
  const lines: InventoryLine[] = []
  for (const [index, item] of items.entries()) {
    const { sku, quantity } = (item ?? {}) as { sku?: unknown; quantity?: unknown }
    if (typeof sku !== 'string' || sku === '')
      return { ok: false, message: `items[${index}].sku is missing.` }
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity <= 0) {
      return {
        ok: false,
        message: `items[${index}].quantity must be a positive whole number, got ${String(quantity)}.`,
      }
    }
    lines.push({ sku, quantity })
  }
  return { ok: true, items: lines }
}
