import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openDatabase } from '../src/database/open-database.js'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from './support/postgres.js'

/**
 * The SQL stays per database, but the two must describe the same tables: everything the server creates is
 * created on a fresh SQLite file and a fresh PostgreSQL schema by the server's own opening code, both are read
 * back from the databases' catalogues, and any table, column, nullability, type class or index that one has
 * and the other lacks fails here, named. Not compared: the SQLite delivery log's own files (an index database
 * beside body segments, docs/stores.md), a different design from PostgreSQL's `delivery_log` table on purpose;
 * the delivery-log conformance suite holds both to one behaviour instead.
 */

interface Column {
  type: string
  nullable: boolean
}
interface Schema {
  /** table → column → its type class and nullability */
  columns: Record<string, Record<string, Column>>
  /** `table (a, b)` or `table (a, b) unique`: every index, whatever created it, the primary key's left out */
  indexes: string[]
}

/**
 * Differences that are meant, each with why; everything else must agree. Beyond these, one dialect rule: a time
 * is Unix milliseconds in an INTEGER on SQLite and a `timestamptz` on PostgreSQL.
 */
const ONLY_POSTGRES_COLUMNS: Record<string, string> = {
  'idempotency_keys.owner':
    'the instance holding a claim: on PostgreSQL many instances share the keys and a retry takes over a claim whose instance is gone; one SQLite file has one server',
}

/** The type class a declared type belongs to; booleans and JSON are integers and text on SQLite. */
function typeClass(declared: string): string {
  const type = declared.toLowerCase()
  if (/^(int|integer|bigint|smallint|boolean)\b/.test(type) || type === 'bigserial' || type === 'serial')
    return 'integer'
  if (/^(real|double|float|numeric)/.test(type)) return 'real'
  if (/^(blob|bytea)/.test(type)) return 'bytes'
  if (/^(text|varchar|character|char|json|jsonb)/.test(type)) return 'text'
  if (type.startsWith('timestamp')) return 'timestamp'
  return type === '' ? 'any' : type
}

function sqliteSchema(path: string): Schema {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map((row) => String(row.name))
    const columns: Schema['columns'] = {}
    const indexes: string[] = []
    for (const table of tables) {
      const info = db.prepare(`PRAGMA table_info("${table}")`).all()
      columns[table] = Object.fromEntries(
        info.map((column) => [
          String(column.name),
          // SQLite lets a primary-key column hold NULL unless it is an INTEGER PRIMARY KEY; PostgreSQL never does.
          {
            type: typeClass(String(column.type)),
            nullable: Number(column.notnull) === 0 && Number(column.pk) === 0,
          },
        ]),
      )
      for (const index of db.prepare(`PRAGMA index_list("${table}")`).all()) {
        if (index.origin === 'pk') continue
        const names = db
          .prepare(`PRAGMA index_info("${String(index.name)}")`)
          .all()
          .map((column) => String(column.name))
        indexes.push(`${table} (${names.join(', ')})${Number(index.unique) ? ' unique' : ''}`)
      }
    }
    return { columns, indexes: indexes.sort() }
  } finally {
    db.close()
  }
}

async function postgresSchema(schema: string): Promise<Schema> {
  const columnRows = await queryPostgres(
    schema,
    `SELECT table_name, column_name, data_type, is_nullable
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  )
  const columns: Schema['columns'] = {}
  for (const row of columnRows) {
    const table = String(row.table_name)
    columns[table] ??= {}
    columns[table][String(row.column_name)] = {
      type: typeClass(String(row.data_type)),
      nullable: row.is_nullable === 'YES',
    }
  }
  const indexRows = await queryPostgres(
    schema,
    `SELECT t.relname AS table_name, ix.indisunique AS is_unique,
            array_to_string(array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
                                   JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                                  ORDER BY k.n), ', ') AS column_names,
            ix.indexprs IS NOT NULL AS on_expression
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
      WHERE ns.nspname = $1 AND NOT ix.indisprimary`,
    [schema],
  )
  const indexes = indexRows.map(
    (row) =>
      `${String(row.table_name)} (${row.on_expression ? 'expression' : String(row.column_names)})${row.is_unique ? ' unique' : ''}`,
  )
  return { columns, indexes: indexes.sort() }
}

/** The differences between the two, as lines a reader can act on; the listed exceptions left out. */
function drift(sqlite: Schema, postgres: Schema): string[] {
  const problems: string[] = []
  const tables = new Set([...Object.keys(sqlite.columns), ...Object.keys(postgres.columns)])
  for (const table of [...tables].sort()) {
    const a = sqlite.columns[table]
    const b = postgres.columns[table]
    if (!b) {
      problems.push(`table ${table}: only on SQLite`)
      continue
    }
    if (!a) {
      problems.push(`table ${table}: only on PostgreSQL`)
      continue
    }
    for (const column of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const left = a[column]
      const right = b[column]
      if (!left && `${table}.${column}` in ONLY_POSTGRES_COLUMNS) continue
      if (!left || !right) {
        problems.push(`${table}.${column}: only on ${left ? 'SQLite' : 'PostgreSQL'}`)
        continue
      }
      const sameTime = left.type === 'integer' && right.type === 'timestamp'
      if (left.type !== right.type && left.type !== 'any' && !sameTime)
        problems.push(`${table}.${column}: ${left.type} on SQLite, ${right.type} on PostgreSQL`)
      if (left.nullable !== right.nullable)
        problems.push(
          `${table}.${column}: ${left.nullable ? 'nullable' : 'NOT NULL'} on SQLite, ${right.nullable ? 'nullable' : 'NOT NULL'} on PostgreSQL`,
        )
    }
  }
  for (const index of sqlite.indexes)
    if (!postgres.indexes.includes(index)) problems.push(`index ${index}: only on SQLite`)
  for (const index of postgres.indexes)
    if (!sqlite.indexes.includes(index)) problems.push(`index ${index}: only on PostgreSQL`)
  return problems
}

describe('the SQLite and PostgreSQL schemas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'awh-drift-'))
  const schema = uniqueSchema()
  let sqlite: Schema
  let postgres: Schema

  beforeAll(async () => {
    const path = join(dir, 'drift.db')
    const onSqlite = await openDatabase({ kind: 'sqlite', path, durability: 'process' }, Date.now)
    await onSqlite.close()
    const onPostgres = await openDatabase(
      { kind: 'postgres', connectionString: POSTGRES_URL, schema },
      Date.now,
    )
    await onPostgres.close()
    sqlite = sqliteSchema(path)
    postgres = await postgresSchema(schema)
  })

  afterAll(async () => {
    await dropSchema(schema)
    rmSync(dir, { recursive: true, force: true })
  })

  test('both have the ledger, the idempotency keys, forward mode, listeners and reconciliation', () => {
    for (const table of ['players', 'order_claims', 'forward_outbox', 'listen_answers'])
      for (const side of [sqlite, postgres]) expect(Object.keys(side.columns)).toContain(table)
  })

  test('have the same tables, columns, nullability, type classes and indexes', () => {
    expect(drift(sqlite, postgres)).toEqual([])
  })

  test('a difference is found and named (the check itself can fail)', () => {
    const altered = structuredClone(postgres)
    delete altered.columns.players!.name
    altered.indexes.pop()
    expect(drift(sqlite, altered)).toEqual(
      expect.arrayContaining([
        'players.name: only on SQLite',
        expect.stringMatching(/^index .* only on SQLite$/),
      ]),
    )
  })
})
