/**
 * The order an item.add / item.remove belongs to. Aghanim's item events have no order field of their own: the
 * order is named only in `reason` ("Order paid ord_eCacAulggpY", "Order refunded ord_…"), so the first `ord_…`
 * token there ties the event to its order; an `order_id` field, should Aghanim add one, wins. Free items,
 * daily and loyalty rewards carry other reasons and no order: they are tied to nothing (null) and granted
 * once per idempotency key only, as before. Internal.
 *
 * @example orderOf({ reason: 'Order paid ord_eCacAulggpY' }) // 'ord_eCacAulggpY'
 */
export function orderOf(data: { order_id?: unknown; reason?: unknown }): string | null {
  if (typeof data.order_id === 'string' && ORDER_ID.test(data.order_id)) return data.order_id
  if (typeof data.reason !== 'string') return null
  return ORDER_IN_TEXT.exec(data.reason)?.[1] ?? null
}

const ORDER_ID = /^ord_[A-Za-z0-9_-]{1,128}$/
const ORDER_IN_TEXT = /(?:^|[^A-Za-z0-9_])(ord_[A-Za-z0-9_-]{1,128})(?![A-Za-z0-9_-])/
