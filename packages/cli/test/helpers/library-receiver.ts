import { aghanimWebhooks, createRouter, deny, reply } from 'aghanim-webhooks/node'
import { type Listening, listen } from './listen.js'

export interface LibraryReceiver extends Listening {
  /** Every event the handlers saw, in order: what `trigger` and `send` really delivered. */
  events: { event_type: string; event_data: Record<string, unknown> }[]
  /** `player:sku` → quantity held. */
  inventory: Map<string, number>
}

/**
 * A correct receiver built from the library (handler + node adapter), with a tiny in-memory ledger that
 * knows `testplayer` and reports balances in player.verify, so `check` can observe grants.
 */
export async function startLibraryReceiver(
  secret: string,
  options: { refuse?: string } = {},
): Promise<LibraryReceiver> {
  const events: LibraryReceiver['events'] = []
  const inventory = new Map<string, number>()
  const players = new Set(['testplayer'])
  const move = (player: string, items: { sku: string; quantity: number }[], sign: 1 | -1) => {
    for (const item of items) {
      const key = `${player}:${item.sku}`
      inventory.set(key, (inventory.get(key) ?? 0) + sign * item.quantity)
    }
  }
  // Refuses one event type, to see a flow stop there.
  const refused = (type: string) =>
    type === options.refuse
      ? reply(422, { status: 'error', code: 'refused_by_test', message: `${type} refused` })
      : undefined
  const router = createRouter()
    .on('player.verify', (event) => {
      const id = event.event_data.player_id
      if (!players.has(id)) return deny('Player not found', { status: 404, code: 'not_found' })
      const balances = [...inventory]
        .filter(([key]) => key.startsWith(`${id}:`))
        .map(([key, amount]) => ({ sku: key.slice(id.length + 1), amount }))
      return { player_id: id, name: 'Test Player', attributes: { level: 7, platform: 'ios' }, balances }
    })
    .on(
      'item.add',
      (event) => refused(event.event_type) ?? move(event.event_data.player_id, event.event_data.items, 1),
    )
    .on(
      'item.remove',
      (event) => refused(event.event_type) ?? move(event.event_data.player_id, event.event_data.items, -1),
    )
    .onAny((event) => refused(event.event_type))
  const listener = aghanimWebhooks({
    secret,
    router,
    onDelivery: (delivery) => {
      if (delivery.event && !delivery.duplicate)
        events.push(delivery.event as LibraryReceiver['events'][number])
    },
  })
  const listening = await listen((req, res) => listener(req, res))
  return { ...listening, events, inventory }
}
