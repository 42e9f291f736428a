import pg from 'pg'
import { afterAll, describe, expect, test } from 'vitest'
import { startTcpProxy, type TcpProxy } from '../../../../test-support/tcp-proxy.js'
import { dropSchema, POSTGRES_URL, queryPostgres, uniqueSchema } from '../support/postgres.js'
import {
  checkGrants,
  createPlayers,
  FAULT_ADMIN_TOKEN,
  FAULT_SECRET,
  type LoadReport,
  readyzBecomes,
  sleep,
  startLoad,
} from './support/fault-load.js'
import { ensureBuilt, failedStart, type ServerProcess, spawnServer } from './support/server-process.js'

// Every test has its own schema, its own application_name (so that pg_terminate_backend hits its server's
// sessions only) and its own TCP proxy: the other test files using the machine's PostgreSQL never notice.
const schemas: string[] = []
afterAll(() => Promise.all(schemas.map(dropSchema)))

const target = { host: new URL(POSTGRES_URL).hostname, port: Number(new URL(POSTGRES_URL).port || 5432) }

function databaseUrl(base: string, applicationName: string): string {
  const url = new URL(base)
  url.searchParams.set('application_name', applicationName)
  return url.toString()
}

async function startOnPostgres(
  label: string,
  options: { proxy?: TcpProxy; env?: Record<string, string> } = {},
) {
  ensureBuilt()
  const schema = uniqueSchema()
  schemas.push(schema)
  const applicationName = `awh_${label}_${schema.slice(4)}`
  const server = await spawnServer({
    env: {
      DATABASE_URL: databaseUrl(
        options.proxy ? options.proxy.url(POSTGRES_URL) : POSTGRES_URL,
        applicationName,
      ),
      DATABASE_SCHEMA: schema,
      AGHANIM_WEBHOOK_SECRET: FAULT_SECRET,
      ADMIN_TOKEN: FAULT_ADMIN_TOKEN,
      ...options.env,
    },
  })
  await createPlayers(server.url)
  return { server, schema, applicationName }
}

/** Terminates the server's sessions (all of them, or those inside a transaction); resolves with how many. */
async function terminate(applicationName: string, which: 'all' | 'in-transaction'): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  try {
    const { rows } = await client.query(
      `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
       WHERE application_name = $1 AND ($2 = 'all' OR xact_start IS NOT NULL)`,
      [applicationName, which],
    )
    return rows.filter((row) => row.done).length
  } finally {
    await client.end()
  }
}

async function grantRows(schema: string) {
  return (await queryPostgres(schema, 'SELECT idempotency_key, applied FROM inventory_history')).map(
    (row) => ({
      key: String(row.idempotency_key),
      quantity: Number(row.applied),
    }),
  )
}

async function claimsInProgress(schema: string): Promise<number> {
  const [row] = await queryPostgres(
    schema,
    "SELECT count(*)::int AS n FROM idempotency_keys WHERE state = 'in_progress'",
  )
  return Number(row?.n)
}

const metric = async (url: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1])

/** What every fault must leave behind: a live process, nothing lost or doubled, no claim left held. */
async function expectSurvived(server: ServerProcess, schema: string, report: LoadReport) {
  expect(server.child.exitCode, server.stderr()).toBe(null)
  expect(server.stderr()).toBe('')
  expect(report.statuses.refused ?? 0).toBe(0)
  expect(report.problems.slice(0, 5)).toEqual([])
  checkGrants(report.acknowledged, await grantRows(schema))
  expect(await claimsInProgress(schema)).toBe(0)
}

const outageLines = (server: ServerProcess) =>
  server
    .stdout()
    .split('\n')
    .filter((line) => line.includes('database unavailable')).length

describe.concurrent('the server outlives its PostgreSQL', () => {
  test('sessions terminated (pg_terminate_backend) mid-transaction and all at once, under load', async () => {
    const { server, schema, applicationName } = await startOnPostgres('terminate')
    const load = startLoad({ url: server.url, clients: 8, prefix: 'terminate' })
    try {
      await load.nextSuccessAfter(0)
      // Mid-transaction: sessions caught between BEGIN and COMMIT of a grant, several times over.
      let midTransaction = 0
      for (let tries = 0; tries < 400 && midTransaction < 5; tries += 1) {
        midTransaction += await terminate(applicationName, 'in-transaction')
        await sleep(5)
      }
      expect(midTransaction).toBeGreaterThanOrEqual(5)
      // Under load: every session of the server at once (its pool and its presence connection), three times.
      const recoveries: number[] = []
      for (let round = 0; round < 3; round += 1) {
        await sleep(300)
        const killedAt = performance.now()
        expect(await terminate(applicationName, 'all')).toBeGreaterThan(0)
        recoveries.push(Math.round((await load.nextSuccessAfter(killedAt)) - killedAt))
      }
      const report = await load.stop()
      console.log(
        `pg_terminate_backend: ${midTransaction} sessions mid-transaction, then all sessions ×3; next grant after ${recoveries.join('/')} ms; answers ${JSON.stringify(report.statuses)}; ${report.acknowledged.size} grants`,
      )
      await expectSurvived(server, schema, report)
    } finally {
      await load.stop()
      await server.kill()
    }
  }, 60_000)

  test.each(['reset', 'blackhole'] as const)(
    'its network path cut (%s) and restored: 503 with Retry-After meanwhile, not ready, one log line, then recovery',
    async (cut) => {
      const proxy = await startTcpProxy(target)
      // A short query timeout, so that a blackholed query fails within the test's budget (default 30 s).
      const { server, schema } = await startOnPostgres(cut, { proxy, env: { DATABASE_TIMEOUT_MS: '1000' } })
      const load = startLoad({ url: server.url, clients: 6, prefix: cut })
      try {
        await load.nextSuccessAfter(0)
        const cutAt = performance.now()
        if (cut === 'reset') proxy.reset()
        else proxy.blackhole()
        const notReadyAt = await readyzBecomes(server.url, 503)
        await sleep(2500)
        const during = load.statuses()
        const restoredAt = performance.now()
        proxy.restore()
        const readyAt = await readyzBecomes(server.url, 200)
        const grantAt = await load.nextSuccessAfter(restoredAt)
        await sleep(300)
        const report = await load.stop()
        console.log(
          `${cut}: not ready ${Math.round(notReadyAt - cutAt)} ms after the cut; answers while cut ${JSON.stringify(during)}; ready ${Math.round(readyAt - restoredAt)} ms and a grant ${Math.round(grantAt - restoredAt)} ms after the restore; ${report.acknowledged.size} grants`,
        )
        expect(during['503']).toBeGreaterThan(0)
        // Once per outage, not once per request (a reset can flap once as the restore races a failing request).
        expect(outageLines(server)).toBeGreaterThanOrEqual(1)
        expect(outageLines(server)).toBeLessThanOrEqual(2)
        expect(await metric(server.url, 'aghanim_database_outages_total')).toBe(outageLines(server))
        expect(await metric(server.url, 'aghanim_database_unavailable')).toBe(0)
        expect(server.stdout()).toContain('database available again')
        await expectSurvived(server, schema, report)
      } finally {
        await load.stop()
        await server.kill()
        await proxy.close()
      }
    },
    60_000,
  )

  test('unreachable at start: retried with backoff, then exit 2 with a clear message; served once it comes', async () => {
    ensureBuilt()
    const proxy = await startTcpProxy(target, 'reset')
    const schema = uniqueSchema()
    schemas.push(schema)
    const url = new URL(proxy.url(POSTGRES_URL))
    url.password = 'pw_never_printed'
    const env = {
      DATABASE_URL: url.toString(),
      DATABASE_SCHEMA: schema,
      AGHANIM_WEBHOOK_SECRET: FAULT_SECRET,
      ADMIN_TOKEN: FAULT_ADMIN_TOKEN,
    }
    try {
      const { failure, gaveUpMs } = await failedStart({ ...env, DATABASE_WAIT_MS: '1500' })
      expect(failure).toContain('exited with 2')
      expect(failure).toMatch(
        /cannot start: PostgreSQL postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test\S* \(schema \w+\) did not accept connections within 1\.\d s/,
      )
      expect(failure).not.toContain('pw_never_printed')

      // PostgreSQL comes up after the server tried twice: it waits, then serves.
      const attempts = proxy.attempts
      const restored = (async () => {
        while (proxy.attempts < attempts + 2) await sleep(10)
        proxy.restore()
        return performance.now()
      })()
      const server = await spawnServer({ env })
      const readyMs = Math.round(performance.now() - (await restored))
      try {
        await createPlayers(server.url)
        console.log(
          `unreachable at start: gave up after ${gaveUpMs} ms (DATABASE_WAIT_MS=1500); listening ${readyMs} ms after PostgreSQL came`,
        )
        expect(server.stdout()).toContain('the database is not available yet')
        expect(server.stderr()).toBe('')
      } finally {
        await server.kill()
      }
    } finally {
      await proxy.close()
    }
  }, 60_000)
})
