import { mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { verify } from 'aghanim-webhooks'
import { fixtureEvent, signedRequest } from 'aghanim-webhooks/testing'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { killAllServe, spawnServe } from '../../server/test/support/serve-process.js'
import { type Listening, listen } from './helpers/listen.js'
import { killAllListen, type ListenProcess, spawnListen } from './helpers/listen-process.js'
import { type RealServer, startRealServer } from './helpers/real-server.js'

// A real server (in this process, SQLite in a temp directory), a real `listen` process, and a real local receiver
// that verifies with the developer's own secret: what reaches the laptop, what Aghanim is answered, what is kept.

const SERVER_SECRET = 'whsec_listen_server'
const LOCAL_SECRET = 'whsec_listen_laptop'
const ADMIN_TOKEN = 'listen-admin-token'

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  killAllListen()
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})
afterAll(() => {
  killAllListen()
  killAllServe()
})

interface Received {
  body: string
  headers: IncomingHttpHeaders
  verified: boolean
}

interface LocalApp extends Listening {
  received: Received[]
  /** What the app answers per event type (default 200 `{"status":"ok"}`), and how long it takes. */
  answers: Map<string, { status: number; body: unknown; delayMs?: number }>
}

/** The developer's app on the laptop: verifies with LOCAL_SECRET, records each request, answers as told. */
async function startLocalApp(): Promise<LocalApp> {
  const received: Received[] = []
  const answers: LocalApp['answers'] = new Map()
  const listening = await listen(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const result = await verify(body, req.headers, { secrets: [LOCAL_SECRET] })
    received.push({ body: body.toString('utf8'), headers: req.headers, verified: result.ok })
    const type = (JSON.parse(body.toString('utf8')) as { event_type: string }).event_type
    const answer = answers.get(type) ?? { status: 200, body: { status: 'ok' } }
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
    if (!res.destroyed)
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body))
  })
  cleanups.push(() => listening.close())
  return { ...listening, received, answers }
}

async function startTestServer(
  mode: string,
  options: { dir?: string; port?: number; extra?: string[] } = {},
): Promise<RealServer> {
  const server = await startRealServer({
    env: { AGHANIM_WEBHOOK_SECRET: SERVER_SECRET, ADMIN_TOKEN },
    flags: ['--listen-mode', mode, ...(options.extra ?? [])],
    dir: options.dir,
    port: options.port,
  })
  cleanups.push(async () => {
    await server.close()
    if (!options.dir) await rm(server.dir, { recursive: true, force: true })
  })
  return server
}

function startListen(server: { url: string }, app: { url: string }, args: string[] = []): ListenProcess {
  return spawnListen(['--server', server.url, '--forward-to', app.url, '--json', ...args], {
    ADMIN_TOKEN,
    AGHANIM_WEBHOOK_SECRET: LOCAL_SECRET,
  })
}

/** A server in `mode`, the local app, and a `listen` process between them once it has said `said`. */
async function connectedListen(
  mode: string,
  options: { server?: Parameters<typeof startTestServer>[1]; args?: string[]; said?: RegExp } = {},
) {
  const server = await startTestServer(mode, options.server)
  const app = await startLocalApp()
  const listener = startListen(server, app, options.args)
  await listener.said(options.said ?? /connected/)
  return { server, app, listener }
}

/** Sends a delivery to the server as Aghanim would (signed with the server's secret). */
async function deliver(server: { url: string }, event: unknown) {
  const request = await signedRequest({ secret: SERVER_SECRET, event, url: `${server.url}/webhook` })
  const response = await fetch(request)
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
async function admin(server: { url: string }, path: string, init: RequestInit = {}): Promise<any> {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  return { http: response.status, ...((await response.json()) as object) }
}

async function inventory(server: { url: string }, player: string) {
  const answer = await admin(server, `/api/players/${player}`)
  if (answer.http === 404) return {}
  const lines = answer.inventory as { sku: string; quantity: number }[]
  return Object.fromEntries(lines.map((line) => [line.sku, line.quantity]))
}

async function newPlayer(server: { url: string }, id: string) {
  await fetch(`${server.url}/api/players/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Listen test player' }),
  })
}

/** An item.add of one `sku` for `player`, with fresh ids. */
function itemAdd(player: string, sku = 'gem_pack') {
  const event = fixtureEvent('item.add', { event_data: { player_id: player } })
  event.event_data.items = [{ ...event.event_data.items[0]!, sku, quantity: 1 }]
  return event
}

describe('listen in mirror mode', () => {
  it("sends each delivery to the local app re-signed with the local secret, prints its answer, and keeps it with the delivery, while the server's own answer stands", async () => {
    const { server, app, listener } = await connectedListen('mirror', {
      said: /connected to .* \(mirror mode, all events\)/,
    })
    app.answers.set('item.add', {
      status: 409,
      body: { status: 'error', code: 'local_conflict', message: 'x' },
    })
    await newPlayer(server, 'mirror-player')

    const event = itemAdd('mirror-player')
    const answered = await deliver(server, event)
    expect(answered.status).toBe(200)
    expect(await inventory(server, 'mirror-player')).toEqual({ gem_pack: 1 })

    const [line] = await listener.printed(1)
    const printed = JSON.parse(line!)
    expect(printed).toMatchObject({
      event_type: 'item.add',
      player_id: 'mirror-player',
      mode: 'mirror',
      status: 409,
      server_status: 200,
      duplicate: false,
    })
    expect(app.received).toHaveLength(1)
    expect(app.received[0]!.body).toBe(JSON.stringify(event))
    expect(app.received[0]!.verified).toBe(true)
    expect(app.received[0]!.headers['x-aghanim-delivery-id']).toBe(printed.delivery_id)
    expect(app.received[0]!.headers['x-aghanim-idempotency-key']).toBe(event.idempotency_key)

    await expect
      .poll(async () => (await admin(server, `/api/deliveries/${printed.delivery_id}/listens`)).answers)
      .toMatchObject([
        { mode: 'mirror', status: 409, target: app.url, answer: expect.stringContaining('local_conflict') },
      ])
  })

  it('sends replays from the admin API to the listener too, marked as duplicate replays', async () => {
    const { server, app, listener } = await connectedListen('mirror')
    await newPlayer(server, 'replayed-player')
    await deliver(server, itemAdd('replayed-player'))
    const first = JSON.parse((await listener.printed(1))[0]!)

    const replay = await admin(server, `/api/deliveries/${first.delivery_id}/replay`, { method: 'POST' })
    expect(replay.http).toBe(200)
    const second = JSON.parse((await listener.printed(2))[1]!)
    expect(second).toMatchObject({ replay_of: first.delivery_id, duplicate: true, status: 200 })
    expect(app.received.map((request) => request.body)).toEqual([
      app.received[0]!.body,
      app.received[0]!.body,
    ])
    // The replay was answered from the idempotency record: granted once.
    expect(await inventory(server, 'replayed-player')).toEqual({ gem_pack: 1 })
  })

  it('sends only the events its --events filter takes', async () => {
    const { server, app, listener } = await connectedListen('mirror', {
      args: ['--events', 'item.*'],
      said: /connected .*\(mirror mode, item\.\*\)/,
    })
    await newPlayer(server, 'filtered-player')

    await deliver(
      server,
      fixtureEvent('player.verify', { event_data: { player_id: 'filtered-player' } } as never),
    )
    await deliver(server, fixtureEvent('order.paid'))
    await deliver(server, itemAdd('filtered-player'))
    const lines = await listener.printed(1)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(listener.lines()).toHaveLength(1)
    expect(JSON.parse(lines[0]!).event_type).toBe('item.add')
    expect(app.received.map((request) => JSON.parse(request.body).event_type)).toEqual(['item.add'])
  })

  it('refuses a filter naming an unknown event type before connecting (exit 2)', async () => {
    const listener = spawnListen(
      ['--server', 'http://127.0.0.1:9', '--forward-to', 'http://127.0.0.1:9/webhook', '--events', 'item.ad'],
      {
        AGHANIM_WEBHOOK_SECRET: LOCAL_SECRET,
      },
    )
    expect(await listener.exited).toBe(2)
    expect(listener.stderr()).toMatch(/unknown event type "item.ad"\. Did you mean item\.add\?/)
  })

  it('answers Aghanim at once when the local app is down or slow, and prints the local failure', async () => {
    const { server, app, listener } = await connectedListen('mirror')
    app.answers.set('item.add', { status: 200, body: { status: 'ok' }, delayMs: 1500 })
    await newPlayer(server, 'slow-player')
    const started = performance.now()
    expect((await deliver(server, itemAdd('slow-player'))).status).toBe(200)
    expect(performance.now() - started).toBeLessThan(1000)
    const slow = JSON.parse((await listener.printed(1))[0]!)
    expect(slow.status).toBe(200)
    expect(slow.ms).toBeGreaterThanOrEqual(1400)

    await app.close()
    expect((await deliver(server, itemAdd('slow-player'))).status).toBe(200)
    const down = JSON.parse((await listener.printed(2))[1]!)
    expect(down).toMatchObject({
      status: null,
      error: expect.stringMatching(/could not reach .*ECONNREFUSED/),
    })
    await expect
      .poll(async () => (await admin(server, `/api/deliveries/${down.delivery_id}/listens`)).answers)
      .toMatchObject([{ status: null, error: expect.stringContaining('ECONNREFUSED') }])
  })
})

describe('listen in tunnel mode', () => {
  it("answers Aghanim with the laptop's answers: player.verify, an item.add decline, and a grant stored for duplicates", async () => {
    const { server, app, listener } = await connectedListen('tunnel', {
      said: /connected .*\(tunnel mode, all events\)/,
    })
    app.answers.set('player.verify', {
      status: 200,
      body: { player_id: 'laptop-player', name: 'From the laptop', attributes: { level: 3 } },
    })

    const verified = await deliver(
      server,
      fixtureEvent('player.verify', { event_data: { player_id: 'laptop-player' } } as never),
    )
    expect(verified).toEqual({
      status: 200,
      json: { player_id: 'laptop-player', name: 'From the laptop', attributes: { level: 3 } },
    })

    app.answers.set('item.add', {
      status: 400,
      body: { status: 'error', code: 'declined', message: 'Not on my laptop' },
    })
    const declined = await deliver(server, itemAdd('laptop-player'))
    expect(declined).toMatchObject({ status: 400, json: { code: 'declined', message: 'Not on my laptop' } })

    app.answers.delete('item.add')
    const grant = itemAdd('laptop-player')
    expect((await deliver(server, grant)).status).toBe(200)
    const duplicate = await deliver(server, grant)
    expect(duplicate.status).toBe(200)
    const grants = app.received.filter((request) => request.body === JSON.stringify(grant))
    expect(grants).toHaveLength(1)
    // The laptop answered instead of the server's ledger: nothing granted there.
    expect(await inventory(server, 'laptop-player')).toEqual({})

    const lines = (await listener.printed(3)).map((line) => JSON.parse(line))
    expect(lines.map((line) => [line.event_type, line.mode, line.status, line.aghanim_status])).toEqual([
      ['player.verify', 'tunnel', 200, 200],
      ['item.add', 'tunnel', 400, 400],
      ['item.add', 'tunnel', 200, 200],
    ])
  })

  it("answers with the server's own handlers when no listener takes the event", async () => {
    const { server, app, listener } = await connectedListen('tunnel', { args: ['--events', 'player.verify'] })
    await newPlayer(server, 'server-player')
    expect((await deliver(server, itemAdd('server-player'))).status).toBe(200)
    expect(await inventory(server, 'server-player')).toEqual({ gem_pack: 1 })
    expect(app.received).toHaveLength(0)
    listener.child.kill('SIGINT')
    expect(await listener.exited).toBe(0)
    expect((await deliver(server, itemAdd('server-player', 'coin_pack'))).status).toBe(200)
    expect(await inventory(server, 'server-player')).toEqual({ gem_pack: 1, coin_pack: 1 })
  })

  it('answers 502 when the local app is down and 504 when it is too slow, releasing the key so the retry reaches the laptop', async () => {
    const { server, app, listener } = await connectedListen('tunnel', {
      server: { extra: ['--listen-timeout-ms', '700'] },
    })
    app.answers.set('item.add', { status: 200, body: { status: 'ok' }, delayMs: 1500 })

    const grant = itemAdd('tunnel-player')
    const slow = await deliver(server, grant)
    expect(slow).toMatchObject({ status: 504, json: { code: 'upstream_timeout' } })
    const late = JSON.parse((await listener.printed(1))[0]!)
    expect(late).toMatchObject({
      status: null,
      late: true,
      aghanim_status: 504,
      error: expect.stringMatching(/within 700 ms/),
    })

    app.answers.delete('item.add')
    const retried = await deliver(server, grant)
    expect(retried.status).toBe(200)
    expect(
      app.received.filter((request) => request.body === JSON.stringify(grant)).length,
    ).toBeGreaterThanOrEqual(2)

    await app.close()
    const down = await deliver(server, itemAdd('tunnel-player'))
    expect(down).toMatchObject({ status: 502, json: { code: 'upstream_failed' } })
    const failed = JSON.parse((await listener.printed(3))[2]!)
    expect(failed.error).toMatch(/ECONNREFUSED/)
  })
})

describe('listen and the server', () => {
  it('reconnects by itself when the server restarts, and says so', async () => {
    const { server: first, listener } = await connectedListen('mirror')
    await first.close()
    await listener.said(/connection lost/)
    const again = await startTestServer('mirror', { dir: first.dir, port: first.port })
    await listener.said(/reconnected to/)
    await deliver(again, fixtureEvent('order.paid'))
    const [line] = await listener.printed(1)
    expect(JSON.parse(line!)).toMatchObject({ event_type: 'order.paid', status: 200 })
    expect(listener.child.exitCode).toBeNull()
  })

  it('stops with exit code 2 and a clear message when the token is wrong', async () => {
    const server = await startTestServer('mirror')
    const listener = spawnListen(
      ['--server', server.url, '--token', 'not-the-token', '--forward-to', 'http://127.0.0.1:9/'],
      {
        AGHANIM_WEBHOOK_SECRET: LOCAL_SECRET,
      },
    )
    expect(await listener.exited).toBe(2)
    expect(listener.stderr()).toMatch(/HTTP 401 .*check --token \/ ADMIN_TOKEN/)
    expect(listener.stderr()).not.toContain('not-the-token')
  })

  it('is refused with 404 by a server whose listen mode is off (exit 2)', async () => {
    const server = await startTestServer('off')
    const refused = await admin(server, '/api/listen')
    expect(refused).toMatchObject({ http: 404, code: 'listen_off' })
    const listener = startListen(server, { url: 'http://127.0.0.1:9/' })
    expect(await listener.exited).toBe(2)
    expect(listener.stderr()).toMatch(/listen mode is off/)
  })

  it('ends cleanly on Ctrl-C', async () => {
    const { listener } = await connectedListen('mirror')
    listener.child.kill('SIGINT')
    expect(await listener.exited).toBe(0)
    expect(listener.stderr()).toMatch(/stopped after 0 deliveries/)
  })
})

describe('listen with --workers', () => {
  it('gets the deliveries every worker receives, and its answers reach the worker that waits for them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'awh-listen-workers-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const serve = spawnServe(
      [
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--workers',
        '2',
        '--listen-mode',
        'tunnel',
        '--log-level',
        'warn',
      ],
      { cwd: dir, env: { AGHANIM_WEBHOOK_SECRET: SERVER_SECRET, ADMIN_TOKEN } },
    )
    cleanups.push(async () => {
      serve.child.kill('SIGTERM')
      await serve.exited
    })
    const url = await serve.ready
    const app = await startLocalApp()
    app.answers.set('player.verify', {
      status: 200,
      body: { player_id: 'anyone', name: 'From the laptop', attributes: {} },
    })
    const listener = startListen({ url }, app, ['--events', 'player.verify'])
    await listener.said(/connected/)

    // A new connection per delivery: node:cluster hands connections to the workers in turn.
    const names: unknown[] = []
    for (let index = 0; index < 6; index++) {
      const event = fixtureEvent('player.verify', { event_data: { player_id: `p${index}` } })
      const answer = await postOnce(`${url}/webhook`, await signedRequest({ secret: SERVER_SECRET, event }))
      expect(answer.status).toBe(200)
      names.push((JSON.parse(answer.body) as { name: string }).name)
    }
    expect(names).toEqual(Array(6).fill('From the laptop'))
    expect(app.received).toHaveLength(6)
    expect(await listener.printed(6)).toHaveLength(6)
  }, 60_000)
})

/** POSTs a signed request on a connection of its own (no keep-alive), and reads the answer. */
async function postOnce(url: string, signed: Request): Promise<{ status: number; body: string }> {
  const body = Buffer.from(await signed.arrayBuffer())
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...Object.fromEntries(signed.headers), connection: 'close' },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
