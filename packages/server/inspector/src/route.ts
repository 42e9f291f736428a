/** The page's views, addressed by the URL hash so that every view can be linked, bookmarked and reloaded. */
export type Route =
  | { view: 'deliveries'; params: URLSearchParams }
  | { view: 'delivery'; id: string }
  | { view: 'player'; id: string; params: URLSearchParams }
  | { view: 'outbox' }
  | { view: 'reconcile' }

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2)
  const parts = path.split('/').filter(Boolean).map(safeDecode)
  if (parts[0] === 'deliveries' && parts[1]) return { view: 'delivery', id: parts[1] }
  if (parts[0] === 'players' && parts[1])
    return { view: 'player', id: parts[1], params: new URLSearchParams(search) }
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

/** A player's page; `ledger` names the game (`game`) and the sandbox ledger (`sandbox=true`) when there are several. */
export function playerHref(id: string, ledger?: { game?: string | null; sandbox?: boolean }): string {
  const params = new URLSearchParams()
  if (ledger?.game) params.set('game', ledger.game)
  if (ledger?.sandbox) params.set('sandbox', 'true')
  const search = params.toString()
  return `#/players/${encodeURIComponent(id)}${search ? `?${search}` : ''}`
}

export function outboxHref(): string {
  return '#/outbox'
}

export function reconcileHref(): string {
  return '#/reconcile'
}
