import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Player } from './ledger.js'

/** Beyond this many players the cache starts over rather than grow with the player base. */
const MAX_PLAYERS = 10_000

/**
 * Players read from SQLite, kept while nothing in the database changed. Before each read one small statement
 * reads this connection's count of changed rows (any write of this process, a studio handler's included), and
 * once per event-loop turn another reads SQLite's data version (which moves when any other connection or
 * process commits); any difference empties the cache. So a ban or an edit from this process is seen by the very
 * next read, and one from another worker or a direct write by the next turn's reads: a request is answered as
 * of the start of the turn that read it, and it arrived before that. A read-heavy `player.verify` load skips the
 * row read and its JSON decoding. Internal.
 */
export function createPlayerCache(db: DatabaseSync) {
  const ownChanges: StatementSync = db.prepare('SELECT total_changes() AS changes')
  const dataVersion: StatementSync = db.prepare('PRAGMA data_version')
  const players = new Map<string, Readonly<Player> | null>()
  let changes = -1
  let data = -1
  let checkedThisTurn = false
  const nextTurn = () => {
    checkedThisTurn = false
  }

  const fresh = () => {
    const nowChanges = (ownChanges.get() as { changes: number }).changes
    let nowData = data
    if (!checkedThisTurn) {
      nowData = (dataVersion.get() as { data_version: number }).data_version
      checkedThisTurn = true
      setImmediate(nextTurn)
    }
    if (nowChanges === changes && nowData === data) return
    players.clear()
    changes = nowChanges
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

/** A scope holds no NUL, so the first one ends it and no two (scope, player) pairs share a key. */
function cacheKey(playerId: string, scope: string): string {
  return `${scope}\u0000${playerId}`
}
