import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Player } from './ledger.js'

/** Beyond this many players a cache starts over rather than grow with the player base. */
const MAX_PLAYERS = 10_000

/**
 * Players read from SQLite, kept while nothing in the database changed them. A write of this connection to
 * `players` (any write of this process, a studio handler's included) empties the cache as it happens, through
 * temporary triggers that call back into the cache; once per event-loop turn one small statement reads SQLite's
 * data version, which moves when any other connection or process commits, and a change there empties it too.
 * So a ban or an edit from this process is seen by the very next read, and one from another worker or a direct
 * write by the next turn's reads: a request is answered as of the start of the turn that read it, and it
 * arrived before that. A read-heavy `player.verify` load skips the row read and its JSON decoding, and a grant
 * (which writes inventory, not players) keeps the cache. Internal.
 */
export function createPlayerCache(db: DatabaseSync) {
  const dataVersion: StatementSync = db.prepare('PRAGMA data_version')
  const players = new Map<string, Readonly<Player> | null>()
  let data = -1
  let checkedThisTurn = false
  const nextTurn = () => {
    checkedThisTurn = false
  }
  emptyOnOwnWrites(db, () => players.clear())

  const fresh = () => {
    if (checkedThisTurn) return
    checkedThisTurn = true
    setImmediate(nextTurn)
    const nowData = (dataVersion.get() as { data_version: number }).data_version
    if (nowData === data) return
    players.clear()
    data = nowData
  }

  return {
    /** The cached player (`null`: known to be absent), or `undefined` when it must be read. */
    get(playerId: string, scope: string): Readonly<Player> | null | undefined {
      fresh()
      return players.get(cacheKey(playerId, scope))
    },
    /** Keeps what was read right after `get` said it must be (nothing changed in between: same turn). */
    set(playerId: string, scope: string, player: Player | undefined): Readonly<Player> | undefined {
      if (players.size >= MAX_PLAYERS) players.clear()
      const kept = player ? Object.freeze(player) : undefined
      players.set(cacheKey(playerId, scope), kept ?? null)
      return kept
    },
  }
}

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
      return known.has(cacheKey(playerId, scope))
    },
    add(playerId: string, scope: string): void {
      if (known.size >= MAX_PLAYERS) known.clear()
      known.add(cacheKey(playerId, scope))
    },
  }
}

/** A scope holds no NUL, so the first one ends it and no two (scope, player) pairs share a key. */
function cacheKey(playerId: string, scope: string): string {
  return `${scope}\u0000${playerId}`
}

/** Each cache's own names: two caches on one connection must not replace each other's callback. */
let caches = 0

/** Calls `empty` from inside every statement of this connection that inserts, updates or deletes a player. */
function emptyOnOwnWrites(db: DatabaseSync, empty: () => void): void {
  const name = `player_cache_empty_${++caches}`
  db.function(name, { deterministic: false }, () => {
    empty()
    return null
  })
  for (const change of ['INSERT', 'UPDATE', 'DELETE'])
    db.exec(
      `CREATE TEMP TRIGGER ${name}_${change.toLowerCase()} AFTER ${change} ON main.players BEGIN SELECT ${name}(); END`,
    )
}
