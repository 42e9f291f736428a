/**
 * The tables whose rows belong to a ledger scope (`player_lookup` follows `players` by trigger), declared once for
 * both databases.
 */
const SCOPED_TABLES = ['players', 'inventory', 'inventory_history', 'events', 'orders', 'subscriptions']

/** One parameterised statement; `?` placeholders, numbered for PostgreSQL by `numbered`. */
export interface OwnerStatement {
  sql: string
  values: unknown[]
}

/**
 * What names the unnamed ledger after `game`, once: the claim on `ledger_owner` first (a second instance starting at
 * the same moment waits on it, then finds it taken and moves nothing), then every row of the unnamed live and
 * sandbox scopes, and every idempotency key (until then all of them are the unnamed game's). Internal.
 */
export function nameLedgerStatements(
  game: string,
  at: number | Date,
): { claim: OwnerStatement; move: OwnerStatement[] } {
  const move: OwnerStatement[] = []
  for (const table of SCOPED_TABLES) {
    move.push({ sql: `UPDATE ${table} SET scope = ? WHERE scope = ''`, values: [game] })
    move.push({ sql: `UPDATE ${table} SET scope = ? WHERE scope = ':sandbox'`, values: [`${game}:sandbox`] })
  }
  // `:sandbox/k` becomes `gm_a:sandbox/k`, a live `k` becomes `gm_a/k` (the library's `scopedKey`).
  move.push({
    sql: `UPDATE idempotency_keys SET key = CASE WHEN substr(key, 1, 9) = ':sandbox/' THEN ? || key ELSE ? || key END`,
    values: [game, `${game}/`],
  })
  return {
    claim: {
      sql: 'INSERT INTO ledger_owner (id, game, named_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING game',
      values: [game, at],
    },
    move,
  }
}

export const OWNER_QUERY = 'SELECT game FROM ledger_owner WHERE id = 1'

/** `?` → `$1`, `$2`… for PostgreSQL. Internal. */
export function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}
