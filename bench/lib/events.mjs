import { createHmac } from 'node:crypto'

/** The players every target knows, so player.verify is answered 200 and item.add is granted. */
export const BENCH_PLAYERS = Array.from({ length: 16 }, (_, i) => `bench-player-${i}`)

/**
 * An Aghanim envelope padded to exactly `size` bytes. The padding sits in `context` (player attributes,
 * an open object by the docs), so every receiver parses and validates the whole body, as it would a real one.
 *
 * @example
 * const body = paddedEvent({ event_type: 'player.verify', event_data: { player_id: 'p1' }, event_id: 'e1' }, 1024)
 */
export function paddedEvent(envelope, size) {
  const base = {
    event_time: 1725548450,
    idempotency_key: null,
    sandbox: false,
    trigger: null,
    request_id: 'd1593e9c-c291-4004-8846-6679c2e5810b',
    transaction_id: 'whtx_eBZXsUEITGeDcILaZFUvPthxkr',
    game_id: 'gm_exTAyxPsVwh',
    ...envelope,
    context: { platform: 'ios', level: 42, padding: '' },
  }
  const empty = JSON.stringify(base)
  if (empty.length > size) throw new Error(`An event of ${empty.length} bytes does not fit in ${size} bytes.`)
  base.context.padding = 'x'.repeat(size - empty.length)
  return JSON.stringify(base)
}

/** A player.verify body of `size` bytes (decision path: never deduplicated). */
export function playerVerifyBody(index, size) {
  return paddedEvent(
    {
      event_type: 'player.verify',
      event_data: { player_id: BENCH_PLAYERS[index % BENCH_PLAYERS.length] },
      event_id: `whevt_verify_${index}`,
      trigger: 'hub.login',
    },
    size,
  )
}

/** An item.add body of `size` bytes whose idempotency key is `key` (fulfilment path: exactly once). */
export function itemAddBody(index, key, size) {
  return paddedEvent(
    {
      event_type: 'item.add',
      event_data: {
        player_id: BENCH_PLAYERS[index % BENCH_PLAYERS.length],
        items: [
          {
            id: 'itm_exTBZQmIlDz',
            name: 'Crystals',
            description: 'Reign supreme over your rivals with this massive crystal treasure.',
            sku: 'crystals',
            quantity: 100,
            price: 9499,
            price_decimal: 94.99,
            currency: 'USD',
            type: 'item',
            nested_items: null,
          },
        ],
        reason: `Order paid ord_${key}`,
      },
      event_id: `whevt_${key}`,
      idempotency_key: `idmpt_${key}`,
    },
    size,
  )
}

/**
 * Aghanim's signature, computed with plain node:crypto (independent of the library under test).
 *
 * @example signBody('bench_secret', '1725548450', '{"event_type":"player.verify"}')
 */
export function signBody(secret, timestamp, body) {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}
