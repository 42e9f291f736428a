/** Beyond this many players the set starts over rather than grow with the player base. */
const MAX_PLAYERS = 10_000

/**
 * The players this process has seen in the ledger. The server never deletes a player (no route, event or
 * retention job does), so a player seen once exists for good, on every instance sharing the database: a
 * grant's existence check can skip its round trip for them with no invalidation at all. A player's fields do
 * change, so `player.verify` does not use this. Internal.
 */
export function createKnownPlayers() {
  const known = new Set<string>()
  return {
    has(playerId: string, scope: string): boolean {
      return known.has(knownKey(playerId, scope))
    },
    add(playerId: string, scope: string): void {
      if (known.size >= MAX_PLAYERS) known.clear()
      known.add(knownKey(playerId, scope))
    },
  }
}

/** A scope holds no NUL, so the first one ends it and no two (scope, player) pairs share a key. */
function knownKey(playerId: string, scope: string): string {
  return `${scope}\u0000${playerId}`
}
