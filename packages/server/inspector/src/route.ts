/** The page's views, addressed by the URL hash so that every view can be linked, bookmarked and reloaded. */
export type Route =
  | { view: 'deliveries'; params: URLSearchParams }
  | { view: 'delivery'; id: string }
  | { view: 'player'; id: string }
  | { view: 'outbox' }
  | { view: 'reconcile' }

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2)
  const parts = path.split('/').filter(Boolean).map(safeDecode)
  if (parts[0] === 'deliveries' && parts[1]) return { view: 'delivery', id: parts[1] }
  if (parts[0] === 'players' && parts[1]) return { view: 'player', id: parts[1] }
  if (parts[0] === 'outbox') return { view: 'outbox' }
  if (parts[0] === 'reconcile') return { view: 'reconcile' }
  return { view: 'deliveries', params: new URLSearchParams(search) }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

export function deliveriesHref(params?: URLSearchParams): string {
  const search = params?.toString()
  return search ? `#/deliveries?${search}` : '#/deliveries'
}

export function deliveryHref(id: string): string {
  return `#/deliveries/${encodeURIComponent(id)}`
}

export function playerHref(id: string): string {
  return `#/players/${encodeURIComponent(id)}`
}

export function outboxHref(): string {
  return '#/outbox'
}

export function reconcileHref(): string {
  return '#/reconcile'
}
