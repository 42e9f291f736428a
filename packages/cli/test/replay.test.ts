import { afterEach, describe, expect, it } from 'vitest'
import { type Listening, listen } from './helpers/listen.js'
import { cli } from './helpers/run.js'

const open: Listening[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()))
})

/** The admin API's replay endpoint as the server documents it: POST /api/deliveries/:id/replay → { delivery }. */
async function adminApi(token: string, deliveryStatus = 200) {
  const seen: { method?: string; url?: string; authorization?: string }[] = []
  const server = await listen((req, res) => {
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization })
    if (req.headers.authorization !== `Bearer ${token}`) {
      return res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"status":"error","code":"unauthorized","message":"Bad admin token"}')
    }
    const match = /^\/admin\/api\/deliveries\/([^/]+)\/replay$/.exec(req.url ?? '')
    if (req.method !== 'POST' || !match || match[1] !== 'dlv_1') {
      return res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"status":"error","code":"not_found","message":"No such delivery"}')
    }
    const delivery = {
      id: 'dlv_2',
      replay_of: 'dlv_1',
      status: deliveryStatus,
      outcome: deliveryStatus === 200 ? 'ok' : 'handler_failed',
      duration_ms: 4,
      duplicate: true,
      response_body: '{"status":"ok"}',
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ delivery }))
  }, '/admin')
  open.push(server)
  return { url: server.url, seen }
}

describe('replay', () => {
  it('replays through the admin API with the bearer token and shows the new answer', async () => {
    const api = await adminApi('t0ken')
    const run = await cli(['replay', 'dlv_1', '--server', api.url, '--token', 't0ken'])
    expect(run.code).toBe(0)
    expect(api.seen).toEqual([
      { method: 'POST', url: '/admin/api/deliveries/dlv_1/replay', authorization: 'Bearer t0ken' },
    ])
    expect(run.stdout).toBe(
      'replayed dlv_1 as dlv_2: 200 ok  4 ms  (answered from the idempotency record)\n{"status":"ok"}\n',
    )
  })

  it('takes the server and token from the environment, and prints the answer with --json', async () => {
    const api = await adminApi('t0ken')
    const run = await cli(['replay', 'dlv_1', '--json'], {
      env: { AGHANIM_SERVER_URL: api.url, ADMIN_TOKEN: 't0ken' },
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).delivery).toMatchObject({ id: 'dlv_2', replay_of: 'dlv_1', status: 200 })
  })

  it('exits 1 when the replayed delivery did not answer 2xx', async () => {
    const api = await adminApi('t0ken', 500)
    const run = await cli(['replay', 'dlv_1', '--server', api.url, '--token', 't0ken'])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('500 handler_failed')
  })

  it('exits 1 with the reason and a hint on a bad token, and never prints the token', async () => {
    const api = await adminApi('t0ken')
    const run = await cli(['replay', 'dlv_1', '--server', api.url, '--token', 'wrong-s3cret'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('HTTP 401, unauthorized: Bad admin token (check --token / ADMIN_TOKEN)')
    expect(run.stderr + run.stdout).not.toContain('wrong-s3cret')
  })

  it('exits 1 for an unknown delivery', async () => {
    const api = await adminApi('t0ken')
    const run = await cli(['replay', 'dlv_404', '--server', api.url, '--token', 't0ken'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('HTTP 404, not_found: No such delivery')
  })

  it('sends no Authorization header without a token (a server without ADMIN_TOKEN answers loopback clients)', async () => {
    const api = await adminApi('t0ken')
    const run = await cli(['replay', 'dlv_1', '--server', api.url])
    expect(run.code).toBe(1)
    expect(api.seen[0]!.authorization).toBeUndefined()
  })

  it('exits 2 without a delivery id or with a server that is not a URL', async () => {
    expect((await cli(['replay', '--server', 'http://127.0.0.1:1'])).code).toBe(2)
    const run = await cli(['replay', 'dlv_1', '--server', 'localhost:8000'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--server must')
  })
})
