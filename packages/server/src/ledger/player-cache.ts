import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Player } from './ledger.js'

/** Beyond this many players the cache starts over rather than grow with the player base. */
const MAX_PLAYERS = 10_000

/**
 * Players read from SQLite, kept while nothing in the database changed: one statement reads this
 * connection's count of changed rows and SQLite's data version (which moves when any other connection or
 * process commits), and any difference empties the cache. So a ban or an edit, from this process, another
 * worker or a direct write, is seen by the very next read; a read-heavy `player.verify` load skips the row
 * read and its JSON decoding. Internal.
 */
export function createPlayerCache(db: DatabaseSync) {
  const version: StatementSync = db.prepare(
    'SELECT total_changes() AS changes, data_version AS data FROM pragma_data_version',
  )
  const players = new Map<string, Readonly<Player> | null>()
  let changes = -1
  let data = -1

  const fresh = () => {
    const now = version.get() as { changes: number; data: number }
    if (now.changes === changes && now.data === data) return
    players.clear()
    changes = now.changes
    data = now.data
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
