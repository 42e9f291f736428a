import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'

const SCRIPT = join(import.meta.dirname, '../baselines/pgbench-grant.sql')

/** Whether pgbench (Debian's postgresql-client) is on the PATH. */
export const hasPgbench = () => spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status === 0

/**
 * PostgreSQL's own ceiling for the grant transaction (`baselines/pgbench-grant.sql`): pgbench with `clients`
 * connections for `seconds`, on `cpus`, in the bench's schema. Resolves transactions per second.
 *
 * @example const tps = await pgbenchGrants({ url, schema, clients: 50, seconds: 4, cpus: '1' })
 */
export async function pgbenchGrants({ url, schema, clients, seconds, cpus }) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`SET search_path TO ${schema};
      CREATE TABLE IF NOT EXISTS grant_keys (key text PRIMARY KEY, state text NOT NULL, answer_status int, answer_body text);
      CREATE TABLE IF NOT EXISTS grant_inventory (player_id text NOT NULL, sku text NOT NULL, quantity bigint NOT NULL,
        PRIMARY KEY (player_id, sku))`)
  } finally {
    await client.end()
  }
  const target = new URL(url)
  const args = [
    ...['-n', '-M', 'prepared', '-f', SCRIPT, '-c', String(clients), '-j', '1', '-T', String(seconds)],
    ...[
      '-h',
      target.hostname,
      '-p',
      target.port || '5432',
      '-U',
      decodeURIComponent(target.username || 'postgres'),
    ],
    target.pathname.slice(1) || 'postgres',
  ]
  const [command, argv] = cpus ? ['taskset', ['-c', cpus, 'pgbench', ...args]] : ['pgbench', args]
  const output = execFileSync(command, argv, {
    encoding: 'utf8',
    env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const tps = /tps = ([\d.]+)/.exec(output)
  if (!tps) throw new Error(`pgbench printed no tps:\n${output}`)
  return Number(tps[1])
}
