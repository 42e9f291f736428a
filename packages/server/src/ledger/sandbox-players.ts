import type { Ledger, Player } from './ledger.js'

const SANDBOX = ':sandbox'

/** The live profiles a sandbox read answered with (copies), so the admin API can tell them from a sandbox's own. */
const borrowed = new WeakSet<Player>()

/** Whether `player` came from the live ledger because the sandbox had no profile of its own. Internal. */
export function isLiveProfile(player: Player): boolean {
  return borrowed.has(player)
}

/**
 * The ledger with a sandbox's players read from their game's live ledger when the sandbox has no profile of its
 * own: a tester signs in to the sandbox with the game's own account, and only what the sandbox buys (inventory,
 * history, events, orders, subscriptions) is kept apart. Editing a player in the sandbox gives it a sandbox
 * profile, starting from the live one. Internal.
 */
export function withLivePlayers<Tx>(ledger: Ledger<Tx>): Ledger<Tx> {
  const live = (scope: string) => scope.slice(0, -SANDBOX.length)
  return {
    ...ledger,
    async getPlayer(playerId, scope = '') {
      const own = await ledger.getPlayer(playerId, scope)
      if (own || !scope.endsWith(SANDBOX)) return own
      const profile = await ledger.getPlayer(playerId, live(scope))
      if (!profile) return undefined
      const copy = { ...profile }
      borrowed.add(copy)
      return copy
    },
    async hasPlayer(playerId, scope = '') {
      if (await ledger.hasPlayer(playerId, scope)) return true
      return scope.endsWith(SANDBOX) && ledger.hasPlayer(playerId, live(scope))
    },
    async lookupPlayers(fields, scope = '') {
      const own = await ledger.lookupPlayers(fields, scope)
      if (own.length > 0 || !scope.endsWith(SANDBOX)) return own
      return ledger.lookupPlayers(fields, live(scope))
    },
    async upsertPlayer(playerId, input, scope = '') {
      if (scope.endsWith(SANDBOX) && !(await ledger.getPlayer(playerId, scope))) {
        const profile = await ledger.getPlayer(playerId, live(scope))
        if (profile) {
          const { player_id: _id, created_at: _created, updated_at: _updated, ...fields } = profile
          return ledger.upsertPlayer(playerId, { ...fields, ...input }, scope)
        }
      }
      return ledger.upsertPlayer(playerId, input, scope)
    },
  }
}
