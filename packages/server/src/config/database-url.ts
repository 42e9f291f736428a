import { isAbsolute, join, resolve } from 'node:path'
import { ConfigError } from './config-error.js'

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string; durability: 'fsync' | 'process' }
  | {
      kind: 'postgres'
      connectionString: string
      schema: string
      /** How long a query may wait for its answer before it fails (503) and its connection is dropped. */
      queryTimeoutMs?: number
    }

interface Context {
  cwd: string
  dataDir: string
  schema: string | undefined
  durability: string | undefined
}

/**
 * `postgres://…` / `postgresql://…` select PostgreSQL; `sqlite:FILE`, `file:FILE` or a bare path select the
 * embedded SQLite file; nothing selects `<data dir>/aghanim-webhooks.db`. Internal.
 */
export function parseDatabaseUrl(value: string | undefined, context: Context): DatabaseConfig {
  const url = value?.trim() ?? ''
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const schema = context.schema?.trim() || 'public'
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new ConfigError(`DATABASE_SCHEMA must be a plain SQL identifier, got ${JSON.stringify(schema)}.`)
    }
    try {
      new URL(url)
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL.')
    }
    return { kind: 'postgres', connectionString: url, schema }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(sqlite|file):/i.test(url)) {
    throw new ConfigError(
      `DATABASE_URL must be postgres://… or sqlite:FILE, got the scheme ${url.split(':')[0]}:.`,
    )
  }
  const durability = context.durability ?? 'fsync'
  if (durability !== 'fsync' && durability !== 'process') {
    throw new ConfigError(`SQLITE_DURABILITY must be fsync or process, got ${JSON.stringify(durability)}.`)
  }
  const file = url.replace(/^(sqlite|file):(\/\/)?/i, '')
  if (file === ':memory:') {
    throw new ConfigError(
      'An in-memory SQLite database loses every grant on restart; give DATABASE_URL a file.',
    )
  }
  const path =
    file === ''
      ? join(context.dataDir, 'aghanim-webhooks.db')
      : isAbsolute(file)
        ? file
        : resolve(context.cwd, file)
  return { kind: 'sqlite', path, durability }
}

/** The database as printed at start: PostgreSQL without its password. */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'sqlite') return `SQLite ${database.path} (durability ${database.durability})`
  const url = new URL(database.connectionString)
  if (url.password) url.password = '***'
  return `PostgreSQL ${url.toString()} (schema ${database.schema})`
}
