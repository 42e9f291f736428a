import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import type { DatabaseConfig } from '../src/config/database-url.js'
import { openDatabase } from '../src/database/open-database.js'
import { LEDGER_SCOPE } from '../src/database/server-database.js'
import { postgresLedgerMigrations } from '../src/ledger/postgres-schema.js'
import { sqliteLedgerMigrations } from '../src/ledger/sqlite-schema.js'
import { dropSchema, POSTGRES_URL, rawSql, uniqueSchema } from './support/postgres.js'

// Grants recorded before reconciliation existed are claimed for their orders when its table is created, so a
// first run after the upgrade neither lists them as missing nor grants them again.

const dir = mkdtempSync(join(tmpdir(), 'awh-claims-'))
const schemas: string[] = []
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await Promise.all(schemas.map(dropSchema))
})

const backends: [
  string,
  () => {
    config: DatabaseConfig
    migrations: readonly unknown[]
  },
][] = [
  [
    'SQLite',
    () => ({
      config: {
        kind: 'sqlite',
        path: join(dir, `claims-${schemas.length}-${Date.now()}.db`),
        durability: 'process',
      },
      migrations: sqliteLedgerMigrations,
    }),
  ],
  [
    'PostgreSQL',
    () => {
      const schema = uniqueSchema()
      schemas.push(schema)
      return {
        config: { kind: 'postgres', connectionString: POSTGRES_URL, schema },
        migrations: postgresLedgerMigrations,
      }
    },
  ],
]

describe.each(backends)('order claims migration on %s', (_name, backend) => {
  test('claims the orders that history rows with Aghanim reasons granted and revoked, once each', async () => {
    const { config, migrations } = backend()
    const sql = rawSql(config)
    const version =
      migrations.findIndex(
        (migration) => typeof migration === 'string' && migration.includes('order_claims ('),
      ) + 1
    let database = await openDatabase(config, Date.now)
    const at = config.kind === 'sqlite' ? String(Date.now()) : 'now()'
    await sql(
      database,
      `DROP TABLE order_claims; DROP TABLE reconcile_runs;
       DELETE FROM schema_migrations WHERE scope = '${LEDGER_SCOPE}' AND version >= ${version};
       INSERT INTO inventory_history (scope, player_id, kind, sku, quantity, applied, shortfall, event_id, event_type, reason, created_at) VALUES
         ('', 'p1', 'grant', 'gems', 5, 5, 0, 'e1', 'item.add', 'Order paid ord_before1', ${at}),
         ('', 'p1', 'grant', 'gold', 1, 1, 0, 'e1', 'item.add', 'Order paid ord_before1', ${at}),
         ('', 'p1', 'revoke', 'gems', 5, 5, 0, 'e2', 'item.remove', 'Order refunded ord_before1', ${at}),
         ('', 'p1', 'grant', 'gems', 1, 1, 0, 'e3', 'item.add', 'Daily reward', ${at})`,
    )
    await database.close()
    database = await openDatabase(config, Date.now)
    try {
      const claims = await database.ledger.orderClaims('', ['ord_before1', 'ord_other'])
      expect([...claims.keys()]).toEqual(['ord_before1'])
      expect(claims.get('ord_before1')).toMatchObject({
        grant: { playerId: 'p1', source: 'webhook', eventId: 'e1' },
        revoke: { playerId: 'p1', eventId: 'e2' },
      })
    } finally {
      await database.close()
    }
  })
})
