import type { HistoryEntry, Player, PlayerInput } from './ledger.js'

type PlayerFields = Omit<Player, 'player_id' | 'created_at' | 'updated_at'>

/** The stored player after applying `input`: given fields replace, absent ones keep their value. Internal. */
export function mergePlayer(
  playerId: string,
  existing: Player | undefined,
  input: PlayerInput,
): PlayerFields {
  const base: PlayerFields = existing ?? {
    name: playerId,
    attributes: {},
    banned: false,
    email: null,
    avatar_url: null,
    country: null,
    segments: [],
    custom_attributes: {},
  }
  const merged = { ...base }
  for (const [name, value] of Object.entries(input)) {
    if (value !== undefined && name in base) (merged as Record<string, unknown>)[name] = value
  }
  return merged
}

/** Only keys like `account_id` take part in a lookup (attribute names are bound values, never spliced). */
const LOOKUP_KEY = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The WHERE clause of a player.lookup: every player whose custom attributes hold all the given fields (through
 * the `player_lookup` index: scalar attributes compared as text), or whose id equals the given `player_id` /
 * `account_id`. Values are always bound parameters. Internal.
 */
export function lookupClauses(
  fields: Record<string, string>,
  dialect: 'sqlite' | 'postgres',
  scope = '',
): { sql: string; values: string[] } | undefined {
  const entries = Object.entries(fields).filter(([key]) => LOOKUP_KEY.test(key))
  if (entries.length === 0) return undefined
  const values: string[] = []
  const bind = (value: string) => {
    values.push(value)
    return dialect === 'sqlite' ? '?' : `$${values.length}`
  }
  // Every INTERSECT before any UNION: SQLite applies compound operators left to right, PostgreSQL gives
  // INTERSECT precedence; in this order both read (A ∩ B) ∪ C.
  const inScope = bind(scope)
  const holdingAll = entries.map(
    ([key, value]) =>
      `SELECT player_id FROM player_lookup WHERE scope = ${bind(scope)} AND name = ${bind(key)} AND value = ${bind(value)}`,
  )
  const byId = entries
    .filter(([key]) => key === 'player_id' || key === 'account_id')
    .map(([, value]) => `SELECT ${bind(value)}`)
  return {
    sql: `scope = ${inScope} AND player_id IN (${[holdingAll.join(' INTERSECT '), ...byId].join(' UNION ')})`,
    values,
  }
}

/**
 * A history entry from an `inventory_history` row (both databases name the columns alike); `createdAt` is the
 * row's time as ISO 8601, which each database stores differently. Internal.
 */
export function historyFromRow(row: Record<string, unknown>, createdAt: string): HistoryEntry {
  return {
    id: Number(row.id),
    kind: row.kind as HistoryEntry['kind'],
    sku: String(row.sku),
    quantity: Number(row.quantity),
    applied: Number(row.applied),
    shortfall: Number(row.shortfall),
    key: (row.idempotency_key as string | null) ?? null,
    event_id: (row.event_id as string | null) ?? null,
    event_type: (row.event_type as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    created_at: createdAt,
  }
}
