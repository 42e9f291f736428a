import { runCli } from '@aghanim-webhooks/cli'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type FakeS2s, startFakeS2s } from './support/fake-s2s.js'
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js'

const API_KEY = 's2s_key_schedule_77a1'
const now = () => Math.floor(Date.now() / 1000)

async function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['reconcile', ...argv], {
    env: {},
    cwd: process.cwd(),
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
  })
  return { code, stdout, stderr }
}

function paidOrder(fake: FakeS2s, id: string, player: string, paidAt: number) {
  fake.addOrder('', {
    id,
    player_id: player,
    items: [{ sku: 'gems', quantity: 25 }],
    created_at: paidAt - 10,
    paid_at: paidAt,
    payments: [{ status: 'done', status_updated_at: paidAt }],
  })
}

describe('scheduled reconciliation (RECONCILE_EVERY)', () => {
  let fake: FakeS2s
  let t: TestServer
  beforeAll(async () => {
    fake = await startFakeS2s({ '': API_KEY })
    paidOrder(fake, 'ord_while_down', 'p_sched', now() - 3600)
    // Outside the lookback: a scheduled run does not look that far back.
    paidOrder(fake, 'ord_long_ago', 'p_sched', now() - 5 * 3600)
    t = await startTestServer(
      {
        AGHANIM_API_KEY: API_KEY,
        AGHANIM_API_URL: fake.url,
        RECONCILE_EVERY: '1s',
        RECONCILE_LOOKBACK: '2h',
      },
      [],
      { reconcile: { pageSize: 3, s2s: { backoffMs: 20, perMinute: 3000 } } },
    )
    await t.api('/api/players/p_sched', { method: 'PUT', body: JSON.stringify({ name: 'sched' }) })
  })
  afterAll(async () => {
    await t?.close()
    await fake?.close()
  })

  test('grants an order paid while the receiver was down without anyone asking, once', async () => {
    const deadline = Date.now() + 15_000
    let inventory: unknown[] = []
    while (Date.now() < deadline) {
      inventory = (await t.api('/api/players/p_sched')).json.inventory
      if (inventory.length > 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(inventory).toEqual([{ sku: 'gems', quantity: 25 }])
    // The run is recorded once it has finished, a moment after its grant.
    type Run = { trigger: string; fixed: number; since: number; until: number }
    let fixing: Run | undefined
    while (Date.now() < deadline && !fixing) {
      const runs = (await t.api('/api/reconcile/runs')).json.runs as Run[]
      fixing = runs.find((run) => run.fixed > 0)
      if (!fixing) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(fixing).toMatchObject({ trigger: 'schedule', fix: true, missing: 1, fixed: 1, error: null })
    expect(fixing!.until - fixing!.since).toBe(7200)
    // Later scheduled runs find nothing more to grant.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await t.api('/api/players/p_sched')).json.inventory).toEqual([{ sku: 'gems', quantity: 25 }])
  })

  test('the CLI reports what it finds, fixes with --fix, and says so in its exit code', async () => {
    paidOrder(fake, 'ord_for_cli', 'p_sched', now() - 4 * 3600)
    const since = String(now() - 6 * 3600)
    const server = ['--server', t.url, '--token', ADMIN_TOKEN, '--since', since]
    const report = await cli(...server)
    expect(report.code, report.stderr).toBe(1)
    expect(report.stdout).toContain('checked 3 orders')
    expect(report.stdout).toContain('missing  ord_for_cli (player p_sched)')
    expect(report.stdout).toContain('missing  ord_long_ago (player p_sched)')

    const fixed = await cli(...server, '--fix', '--json')
    expect(fixed.code, fixed.stderr).toBe(0)
    const answer = JSON.parse(fixed.stdout)
    expect(
      answer.fixed.map((entry: { order_id: string; result: string }) => [entry.order_id, entry.result]),
    ).toEqual([
      ['ord_long_ago', 'granted'],
      ['ord_for_cli', 'granted'],
    ])
    const clean = await cli(...server)
    expect(clean.code).toBe(0)
    expect(clean.stdout).toContain('every paid order was granted')
  })

  test('the CLI names a refused token and a bad --since without calling the server', async () => {
    const refused = await cli('--server', t.url, '--token', 'wrong-token')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('check --token')
    const bad = await cli('--server', t.url, '--since', 'last tuesday')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--since must be Unix seconds or an ISO time')
  })
})
