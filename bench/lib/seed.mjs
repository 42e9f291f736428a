import { BENCH_PLAYERS } from './events.mjs'

/**
 * Creates the bench players through our server's admin API (loopback needs no token), so player.verify
 * answers 200 and item.add grants instead of declining an unknown player.
 *
 * @example await seedPlayers(target)
 */
export async function seedPlayers(target) {
  for (const [index, playerId] of BENCH_PLAYERS.entries()) {
    const response = await fetch(`${target.base}/api/players/${encodeURIComponent(playerId)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench Player ${index}`, attributes: { level: 42, platform: 'ios' } }),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`Seeding ${playerId} failed: ${response.status} ${text}`)
  }
}

/**
 * The total quantity of `sku` the ledger holds over all bench players: after a unique-key run it must
 * match the grants acknowledged (each item.add of the pool grants 100), or something was lost or doubled.
 *
 * @example const granted = await grantedQuantity(target) // 100 × acknowledged item.add
 */
export async function grantedQuantity(target, sku = 'crystals') {
  let total = 0
  for (const playerId of BENCH_PLAYERS) {
    const response = await fetch(`${target.base}/api/players/${encodeURIComponent(playerId)}`)
    const body = await response.json()
    if (!response.ok)
      throw new Error(`Reading ${playerId} failed: ${response.status} ${JSON.stringify(body)}`)
    total += body.inventory.find((line) => line.sku === sku)?.quantity ?? 0
  }
  return total
}
