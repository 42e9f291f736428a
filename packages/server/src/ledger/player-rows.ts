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

/** Only keys like `account_id` take part in a lookup; they are spliced into JSON paths, so nothing else may. */
const LOOKUP_KEY = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The WHERE clause of a player.lookup: every player whose custom attributes hold all the given fields, or whose
 * id equals the given `player_id` / `account_id`. Values are always bound parameters. Internal.
 */
export function lookupClauses(
  fields: Record<string, string>,
  dialect: 'sqlite' | 'postgres',
): { sql: string; values: string[] } | undefined {
  const entries = Object.entries(fields).filter(([key]) => LOOKUP_KEY.test(key))
  if (entries.length === 0) return undefined
  const values: string[] = []
  const bind = (value: string) => {
    values.push(value)
    return dialect === 'sqlite' ? '?' : `$${values.length}`
  }
  const attributes = entries.map(([key, value]) =>
    dialect === 'sqlite'
      ? `CAST(json_extract(custom_attributes, '$."${key}"') AS TEXT) = ${bind(value)}`
      : `custom_attributes ->> '${key}' = ${bind(value)}`,
  )
  const ids = entries.filter(([key]) => key === 'player_id' || key === 'account_id')
  const idClauses = ids.map(([, value]) => `player_id = ${bind(value)}`)
  return { sql: [`(${attributes.join(' AND ')})`, ...idClauses].join(' OR '), values }
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
