import { describe, expect, it } from 'vitest'
import { useRealServer } from './helpers/real-server.js'
import { cli } from './helpers/run.js'

const SECRET = 'whsec_cli_test'
// The real server with its embedded SQLite database in a temporary directory; `testplayer` is seeded.
const server = useRealServer(() => ({ env: { AGHANIM_WEBHOOK_SECRET: SECRET } }))

describe('the CLI against the real server', () => {
  it('check passes', async () => {
    const run = await cli(['check', server.webhook, '--secret', SECRET, '--player', 'testplayer', '--json'])
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { id: string; result: string }[] }
    expect(report.checks.filter((entry) => entry.result === 'fail')).toEqual([])
    expect(run.code).toBe(0)
  })

  it('trigger plays a purchase that the ledger fulfils', async () => {
    const run = await cli(['trigger', 'purchase', '--url', server.webhook, '--secret', SECRET, '--json'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).steps).toHaveLength(6)
  })

  it('replay runs a recorded delivery again through the admin API', async () => {
    await cli([
      'send',
      'order.created',
      '--url',
      server.webhook,
      '--secret',
      SECRET,
      '--player',
      'testplayer',
    ])
    const list = (await (await fetch(`${server.url}/api/deliveries?limit=1`)).json()) as {
      deliveries: { id: string }[]
    }
    const id = list.deliveries[0]!.id
    const run = await cli(['replay', id, '--server', server.url, '--json'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).delivery).toMatchObject({ status: 200 })
  })

  it('serve hands its arguments to the server package', async () => {
    const run = await cli(['serve', '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Usage: aghanim-webhooks serve [options]')
  })

  it('serve reports a configuration error with exit code 2', async () => {
    const run = await cli(['serve', '--port', 'eighty'], { cwd: server.dir })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('PORT must be a whole number')
  })
})
