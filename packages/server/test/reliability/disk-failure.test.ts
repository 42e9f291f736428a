import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fsyncShim } from '../../../../test-support/fsync-shim.mjs'
import { ensureBuilt, type ServerProcess, spawnServer } from './support/server-process.js'
import { deliver, grantBody } from './support/signed-delivery.js'

const SECRET = 'whsec_disk_Qm4Zt8Lw2Rc6'
const ADMIN_TOKEN = 'admin_disk_Vx5Bn9Kd3Hs7'
const dir = mkdtempSync(join(tmpdir(), 'awh-disk-failure-'))
const database = join(dir, 'ledger.db')
const diskFails = join(dir, 'disk-fails')
const started: ServerProcess[] = []

beforeAll(() => ensureBuilt())
afterAll(async () => {
  await Promise.all(started.map((server) => server.kill('SIGKILL')))
  rmSync(dir, { recursive: true, force: true })
})

async function serve(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await spawnServer({
    env: { DATABASE_URL: `sqlite:${database}`, AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN, ...env },
  })
  started.push(server)
  return server
}

const grant = (server: ServerProcess, key: string) =>
  deliver(`${server.url}/webhook`, SECRET, grantBody(key, 'p_disk', 'gems', 5))
const readiness = async (server: ServerProcess) => (await fetch(`${server.url}/readyz`)).status
// What the server logged (warnings and errors), so a failure here says which write failed and how.
const logsOf = (server: ServerProcess) => `server log:\n${server.stdout().slice(-3000)}${server.stderr()}`

async function gems(server: ServerProcess): Promise<number> {
  const response = await fetch(`${server.url}/api/players/p_disk`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  const { inventory } = (await response.json()) as { inventory: { sku: string; quantity: number }[] }
  return inventory.find((line) => line.sku === 'gems')?.quantity ?? 0
}

// The fsync shim (LD_PRELOAD) makes every fsync and fdatasync of the server fail with EIO while a flag file
// exists: a disk going bad under a running server.
describe('a disk whose fsync fails under the running server (SQLite, durability fsync)', () => {
  test('acknowledges no grant from then on, says it is not ready, and loses none acknowledged before', async () => {
    const failing = await serve({ LD_PRELOAD: fsyncShim(), FAIL_FSYNC_WHEN_EXISTS: diskFails })
    const player = await fetch(`${failing.url}/api/players/p_disk`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Disk' }),
    })
    expect(player.status).toBe(201)
    expect((await grant(failing, 'k_before')).status).toBe(200)
    expect(await readiness(failing)).toBe(200)

    writeFileSync(diskFails, '')
    expect((await grant(failing, 'k_during')).status, logsOf(failing)).toBeGreaterThanOrEqual(500)
    expect(await readiness(failing), logsOf(failing)).toBe(503)

    // The disk answers again, but pages the kernel failed to write may be gone: nothing more is acknowledged.
    rmSync(diskFails)
    expect((await grant(failing, 'k_after')).status, logsOf(failing)).toBeGreaterThanOrEqual(500)
    expect(await readiness(failing), logsOf(failing)).toBe(503)
    await failing.kill('SIGKILL')

    // Restarted on a healthy disk: Aghanim's retries of the refused grants go through, each grant exactly once.
    const healthy = await serve()
    expect(await readiness(healthy)).toBe(200)
    const retried = [await grant(healthy, 'k_during'), await grant(healthy, 'k_after')]
    expect(retried.map((answer) => answer.status)).toEqual([200, 200])
    const again = await grant(healthy, 'k_before')
    expect(again).toMatchObject({ status: 200, replay: true })
    expect(await gems(healthy)).toBe(15)
  }, 60_000)
})
