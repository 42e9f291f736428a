// The bench harness itself: its parsing of wrk, its pre-signed pools, and baselines that are correct (a
// baseline that refused every request would look fast and make every ratio a lie). No timing here.
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteDeliveryFiles } from '@aghanim-webhooks/store-sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { signBody } from '../lib/events.mjs'
import { fsyncTimingEnv, summarizeFsyncTiming } from '../lib/fsync-timing.mjs'
import { writePool } from '../lib/pool.mjs'
import { freePort, startProcess } from '../lib/process.mjs'
import { serverLatency } from '../lib/server-latency.mjs'
import { parseWrkOutput } from '../lib/wrk.mjs'

const dir = mkdtempSync(join(tmpdir(), 'awh-bench-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('wrk output', () => {
  it('turns the summary line into req/s, latency in milliseconds and error counts', () => {
    const stdout = [
      'Running 2s test @ http://127.0.0.1:8000/webhook',
      'WRK_JSON {"requests":20000,"duration_us":2000000,"bytes":1,"p50_us":1500,"p90_us":2000,"p99_us":4250,' +
        '"max_us":9000,"mean_us":1600.5,"errors":{"connect":0,"read":1,"write":0,"status":3,"timeout":2},"wraps":0}',
    ].join('\n')
    expect(parseWrkOutput(stdout)).toMatchObject({
      rps: 10_000,
      p50: 1.5,
      p99: 4.25,
      badStatus: 3,
      socketErrors: 3,
    })
  })

  it('fails loudly when wrk printed no summary', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/no summary/)
  })
})

describe('request pools', () => {
  it('signs every line correctly, pads bodies to the exact size and gives each item.add its own key', async () => {
    const file = join(dir, 'pool.txt')
    await writePool(file, { kind: 'unique', size: 50, bodyBytes: 1024, secret: 'pool_secret' })
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    const keys = new Set<string>()
    for (const line of lines) {
      const [signature, timestamp] = line.split(' ', 2) as [string, string]
      const body = line.slice(signature.length + timestamp.length + 2)
      expect(signature).toBe(signBody('pool_secret', timestamp, body))
      expect(Buffer.byteLength(body)).toBe(1024)
      keys.add(JSON.parse(body).idempotency_key)
    }
    expect(keys.size).toBe(50)
  })
})

describe('baselines', () => {
  const secret = 'baseline_secret'
  const baseline = async (name: string) => {
    const port = await freePort()
    const server = await startProcess({
      command: process.execPath,
      args: [fileURLToPath(new URL(`../baselines/${name}.mjs`, import.meta.url)), '--port', String(port)],
      env: { BENCH_WEBHOOK_SECRET: secret },
      logFile: join(dir, `${name}.log`),
      readyUrl: `http://127.0.0.1:${port}/healthz`,
    })
    return { url: `http://127.0.0.1:${port}/webhook`, stop: server.stop }
  }
  const post = (
    url: string,
    body: string,
    signature: string,
    timestamp = String(Math.floor(Date.now() / 1000)),
  ) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-aghanim-signature': signature,
        'x-aghanim-signature-timestamp': timestamp,
      },
      body,
    })
  const verifyBody = JSON.stringify({
    event_type: 'player.verify',
    event_id: 'e1',
    event_data: { player_id: 'p1' },
  })

  for (const name of ['node-verify', 'express']) {
    it(`${name} answers a signed player.verify with the player and refuses a forged one with 403`, async () => {
      const target = await baseline(name)
      try {
        const timestamp = String(Math.floor(Date.now() / 1000))
        const ok = await post(target.url, verifyBody, signBody(secret, timestamp, verifyBody), timestamp)
        expect(ok.status).toBe(200)
        expect(await ok.json()).toMatchObject({ player_id: 'p1' })
        const forged = await post(
          target.url,
          verifyBody,
          signBody('other_secret', timestamp, verifyBody),
          timestamp,
        )
        expect(forged.status).toBe(403)
        const unknown = JSON.stringify({ event_type: 'nope.never', event_id: 'e2', event_data: {} })
        expect(
          (await post(target.url, unknown, signBody(secret, timestamp, unknown), timestamp)).status,
        ).toBe(400)
      } finally {
        await target.stop()
      }
    })
  }
})

describe('fsync timing', () => {
  it('logs each flush with its thread and file, and sums them up per thread and file', () => {
    const log = join(dir, 'fsync-timing.log')
    const wal = join(dir, 'bench.db-wal')
    // One fdatasync on the main thread, two on the thread pool, one of a file that is neither WAL nor database.
    const script = `
      const fs = require('node:fs')
      const fd = fs.openSync(${JSON.stringify(wal)}, 'w')
      fs.writeSync(fd, 'frame')
      fs.fdatasyncSync(fd)
      const other = fs.openSync(${JSON.stringify(join(dir, 'notes.txt'))}, 'w')
      fs.fsyncSync(other)
      fs.fdatasync(fd, () => fs.fdatasync(fd, () => {}))`
    const run = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, ...fsyncTimingEnv(log) },
    })
    expect(run.status).toBe(0)
    const flushes = summarizeFsyncTiming(log, 2)
    expect(flushes.map(({ thread, file, perSecond }) => [thread, file, perSecond])).toEqual([
      ['loop', 'other', 0.5],
      ['loop', 'wal', 0.5],
      ['other', 'wal', 1],
    ])
    for (const flush of flushes) expect(flush.max).toBeGreaterThanOrEqual(flush.p50)
  })
})

describe('latency inside the server', () => {
  it("reads the accepted deliveries of the measured window from every slot of the server's delivery log", async () => {
    const dataDir = mkdtempSync(join(dir, 'latency-'))
    const directory = join(dataDir, 'bench.db-deliveries')
    const record = (id: string, receivedAt: number, status: number, durationMs: number) => ({
      id,
      receivedAt,
      method: 'POST',
      path: '/webhook',
      headers: {},
      body: null,
      outcome: 'ok',
      status,
      responseBody: '{}',
      durationMs,
      attempt: 1,
      duplicate: false,
      key: null,
      eventId: null,
      eventType: null,
      playerId: null,
      replayOf: null,
    })
    // Two workers' slots, as with --workers 2.
    const first = await openSqliteDeliveryFiles({ directory })
    const second = await openSqliteDeliveryFiles({ directory })
    await first.appendMany([
      record('a', 1000, 200, 1),
      record('b', 1001, 200, 3),
      record('early', 10, 200, 500),
    ])
    await second.appendMany([record('c', 1002, 200, 2), record('refused', 1003, 403, 900)])
    await Promise.all([first.close(), second.close()])
    // The admin API the bench asks to flush the log first.
    const flushes: string[] = []
    const server = createServer((req, res) => {
      flushes.push(req.url ?? '')
      res.end('{"records":[]}')
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    try {
      const latency = await serverLatency({ dataDir, base: `http://127.0.0.1:${port}` }, 1000, 2000)
      expect(latency).toEqual({ count: 3, p50: 2, p99: 3, max: 3 })
      expect(flushes).toEqual(['/api/deliveries?limit=1'])
    } finally {
      server.close()
    }
  })

  it('has nothing to say of a server whose log is not in files (PostgreSQL)', async () => {
    expect(
      await serverLatency({ dataDir: mkdtempSync(join(dir, 'postgres-')), base: 'http://127.0.0.1:1' }, 0, 1),
    ).toBe(undefined)
  })
})
