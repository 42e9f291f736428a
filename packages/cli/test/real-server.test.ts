import { randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useRealServer } from './helpers/real-server.js'
import { cli } from './helpers/run.js'

// `send`, `sign`, `fixtures` and `events` against our real server (SQLite in a temp directory, admin token
// set), with the outcome read back through the server's admin API rather than from the CLI's own output.

const SECRET = 'whsec_cli_real_server'
const ADMIN_TOKEN = 'cli-real-server-admin'
const server = useRealServer(() => ({ env: { AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN } }))

interface SendJson {
  event_type: string
  event_id: string | null
  idempotency_key: string | null
  answers: { status: number; body: unknown }[]
  error: string | null
  ok: boolean
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
async function admin(path: string, init: RequestInit = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  })
  return { status: response.status, json: await response.json() }
}

/** A player the ledger knows, unique to the calling test, so inventories do not mix. */
async function newPlayer(): Promise<string> {
  const id = `cli-${randomUUID()}`
  const created = await admin(`/api/players/${id}`, {
    method: 'PUT',
    body: JSON.stringify({ name: 'CLI test player' }),
  })
  expect(created.status).toBe(201)
  return id
}

async function inventory(player: string): Promise<Record<string, number>> {
  const answer = await admin(`/api/players/${encodeURIComponent(player)}`)
  expect(answer.status).toBe(200)
  const lines = answer.json.inventory as { sku: string; quantity: number }[]
  return Object.fromEntries(lines.map((line) => [line.sku, line.quantity]))
}

async function send(argv: string[]): Promise<{ code: number; json: SendJson; stderr: string }> {
  const run = await cli(['send', ...argv, '--url', server.webhook, '--json'], {
    env: { AGHANIM_WEBHOOK_SECRET: SECRET },
  })
  return { code: run.code, json: JSON.parse(run.stdout) as SendJson, stderr: run.stderr }
}

/** `send`'s arguments for an item.add granting `quantity` of `sku` to `player`. */
function grant(player: string, sku: string, quantity: number): string[] {
  return [
    'item.add',
    '--player',
    player,
    '--set',
    `items[0].sku=${sku}`,
    '--set',
    `items[0].quantity:=${quantity}`,
  ]
}

describe('send against the real server', () => {
  it('grants an item.add once: the inventory read through the admin API holds exactly the quantity sent', async () => {
    const player = await newPlayer()
    const run = await cli(['send', ...grant(player, 'gems', 7), '--url', server.webhook, '--secret', SECRET])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^POST .*\/webhook {2}item\.add {2}event_id /)
    expect(run.stdout).toContain('"status": "ok"')
    expect(await inventory(player)).toEqual({ gems: 7 })
    const history = await admin(`/api/players/${player}/history`)
    expect(history.json.history).toHaveLength(1)
    expect(history.json.history[0]).toMatchObject({ kind: 'grant', sku: 'gems', quantity: 7 })
  })

  it('--repeat 3 with --idempotency-key delivers the same bytes three times: one grant, three identical answers', async () => {
    const player = await newPlayer()
    const key = `idmpt_cli_${randomUUID()}`
    const { code, json } = await send([
      ...grant(player, 'crystals', 3),
      '--idempotency-key',
      key,
      '--repeat',
      '3',
    ])
    expect(code).toBe(0)
    expect(json.ok).toBe(true)
    expect(json.idempotency_key).toBe(key)
    expect(json.answers).toHaveLength(3)
    for (const answer of json.answers)
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await inventory(player)).toEqual({ crystals: 3 })

    // The server saw all three deliveries under the one key: the first processed, the other two duplicates.
    const deliveries = await admin(`/api/deliveries?key=${encodeURIComponent(key)}`)
    const rows = deliveries.json.deliveries as { duplicate: boolean; status: number }[]
    expect(rows).toHaveLength(3)
    expect(rows.filter((row) => row.duplicate)).toHaveLength(2)
    expect(rows.every((row) => row.status === 200)).toBe(true)
  })

  it('--repeat prints a summary line saying every answer was 2xx and identical', async () => {
    const player = await newPlayer()
    const run = await cli([
      'send',
      ...grant(player, 'gold_pack', 1),
      '--repeat',
      '3',
      '--url',
      server.webhook,
      '--secret',
      SECRET,
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('3/3 answered 2xx; all answers identical')
    expect(await inventory(player)).toEqual({ gold_pack: 1 })
  })

  it('with the wrong secret exits 1, the server answers 403 signature_mismatch and grants nothing', async () => {
    const player = await newPlayer()
    const run = await cli([
      'send',
      'item.add',
      '--url',
      server.webhook,
      '--secret',
      'whsec_not_the_servers',
      '--player',
      player,
      '--json',
    ])
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout) as SendJson
    expect(json.ok).toBe(false)
    expect(json.error).toBeNull()
    expect(json.answers).toHaveLength(1)
    expect(json.answers[0]).toMatchObject({ status: 403, body: { code: 'signature_mismatch' } })
    expect(await inventory(player)).toEqual({})
  })
})

describe('sign against the real server', () => {
  async function postWith(headers: Record<string, string>, body: BodyInit): Promise<Response> {
    return fetch(server.webhook, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    })
  }

  /** Parses `name: value` lines, the text output of `sign`. */
  function headerLines(stdout: string): Record<string, string> {
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    return Object.fromEntries(lines.map((line) => line.split(': ') as [string, string]))
  }

  it('prints headers that the server accepts for the exact bytes of the body file', async () => {
    const player = await newPlayer()
    const fixture = JSON.parse(
      (await cli(['fixtures', 'item.add', '--player', player, '--set', 'items[0].quantity:=2'])).stdout,
    ) as { event_data: { items: { sku: string }[] } }
    // Pretty-printed with a trailing newline: the signature must cover these bytes, not a re-serialization.
    const file = join(server.dir, `sign-${randomUUID()}.json`)
    await writeFile(file, `${JSON.stringify(fixture, null, 4)}\n`)
    const run = await cli(['sign', '--secret', SECRET, file])
    expect(run.code).toBe(0)
    const headers = headerLines(run.stdout)
    expect(Object.keys(headers)).toEqual(['x-aghanim-signature', 'x-aghanim-signature-timestamp'])
    expect(headers['x-aghanim-signature']).toMatch(/^[0-9a-f]{64}$/)

    const body = await readFile(file)
    const response = await postWith(headers, body)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
    expect(await inventory(player)).toEqual({ [fixture.event_data.items[0]!.sku]: 2 })
  })

  it('--json headers from a body on stdin are accepted too', async () => {
    const body = (await cli(['fixtures', 'player.verify', '--player', 'testplayer'])).stdout
    const run = await cli(['sign', '--json', '-'], {
      env: { AGHANIM_WEBHOOK_SECRET: SECRET },
      stdinText: body,
    })
    expect(run.code).toBe(0)
    const { headers } = JSON.parse(run.stdout) as { headers: Record<string, string> }
    const response = await postWith(headers, new TextEncoder().encode(body))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ player_id: 'testplayer' })
  })

  it('the same headers are refused (403) for the body re-serialized, so the server really checks them', async () => {
    const file = join(server.dir, `sign-${randomUUID()}.json`)
    await writeFile(file, `${(await cli(['fixtures', 'order.paid'])).stdout}`)
    const headers = headerLines((await cli(['sign', '--secret', SECRET, file])).stdout)
    const compact = JSON.stringify(JSON.parse(await readFile(file, 'utf8')))
    const response = await postWith(headers, new TextEncoder().encode(compact))
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ code: 'signature_mismatch' })
  })
})

describe('fixtures piped into send --data against the real server', () => {
  it.each([
    ['item.add', { status: 'ok' }],
    ['player.verify', undefined],
    ['order.paid', { status: 'ok' }],
    ['subscription.activated', { status: 'ok' }],
  ] as const)(
    '%s: the saved fixture is what is sent, and the server accepts it',
    async (type, answerBody) => {
      const player = type === 'player.verify' ? 'testplayer' : await newPlayer()
      const fixtures = await cli(['fixtures', type, '--player', player])
      expect(fixtures.code).toBe(0)
      const fixture = JSON.parse(fixtures.stdout) as {
        event_id: string
        idempotency_key: string | null
        event_data: { items?: { sku: string; quantity: number }[] }
      }
      const file = join(server.dir, `fixture-${randomUUID()}.json`)
      await writeFile(file, fixtures.stdout)

      const { code, json } = await send([type, '--data', file])
      expect(code).toBe(0)
      // The whole envelope came from the file: its event_id and idempotency_key, not fresh ones.
      expect(json.event_id).toBe(fixture.event_id)
      expect(json.idempotency_key).toBe(fixture.idempotency_key)
      expect(json.answers).toHaveLength(1)
      expect(json.answers[0]!.status).toBe(200)
      if (answerBody) expect(json.answers[0]!.body).toEqual(answerBody)
      else expect(json.answers[0]!.body).toMatchObject({ player_id: 'testplayer', name: 'Test Player' })

      const recorded = await admin(`/api/deliveries?limit=5&type=${type}`)
      const ids = (recorded.json.deliveries as { event_id: string }[]).map((row) => row.event_id)
      expect(ids).toContain(fixture.event_id)
      if (type === 'item.add') {
        const [item] = fixture.event_data.items!
        expect(await inventory(player)).toEqual({ [item!.sku]: item!.quantity })
      }
    },
  )
})

describe('every type events --json lists, sent to the real server', () => {
  // What the reference ledger (docs/server.md) answers each catalogue fixture as `send` builds it: a made-up
  // player the ledger does not know, and batch.ready pointing at a host BATCH_ALLOWED_HOSTS does not allow.
  // Every type not named here is acknowledged with a 2xx.
  const refused: Record<string, { status: number; code: string }> = {
    'player.verify': { status: 404, code: 'not_found' },
    'item.add': { status: 400, code: 'declined' },
    'batch.ready': { status: 400, code: 'batch_host_not_allowed' },
  }
  // 2xx, but not { status: "ok" }: the answer the catalogue's `answer` kind calls for.
  const answered: Record<string, unknown> = {
    'player.lookup': { status: 'error', code: 'not_found', message: 'No account matches.' },
    'player.update': { status: 'error', code: 'not_found', message: 'Player not found' },
    'store.get': {
      items: [{ sku: 'crystals' }, { sku: 'gold_pack' }, { sku: 'starter_bundle' }, { sku: 'vip_pass' }],
    },
  }

  it('exits 0 for each type the ledger accepts and 1 with the documented refusal for the rest', async () => {
    const events = await cli(['events', '--json'])
    expect(events.code).toBe(0)
    const rows = JSON.parse(events.stdout) as { type: string; kind: string; answer: string }[]
    expect(rows.length).toBeGreaterThan(30)
    for (const name of [...Object.keys(refused), ...Object.keys(answered), 'item.remove'])
      expect(rows.map((row) => row.type)).toContain(name)

    const outcomes: Record<string, { code: number; status: number | undefined; body: unknown }> = {}
    for (const { type } of rows) {
      const { code, json } = await send([type])
      outcomes[type] = { code, status: json.answers[0]?.status, body: json.answers[0]?.body }
    }
    const expected = Object.fromEntries(
      rows.map(({ type }) => {
        const refusal = refused[type]
        if (refusal)
          return [
            type,
            {
              code: 1,
              status: refusal.status,
              body: expect.objectContaining({ status: 'error', code: refusal.code }),
            },
          ]
        return [type, { code: 0, status: 200, body: type in answered ? answered[type] : { status: 'ok' } }]
      }),
    )
    expect(outcomes).toEqual(expected)
  })

  it('the decision and fulfilment types refused for an unknown player are accepted for a known one', async () => {
    const player = await newPlayer()
    const verify = await send(['player.verify', '--player', player])
    expect(verify.code).toBe(0)
    expect(verify.json.answers[0]!.body).toMatchObject({ player_id: player, name: 'CLI test player' })
    const grant = await send(['item.add', '--player', player])
    expect(grant.code).toBe(0)
    expect(Object.values(await inventory(player))).toHaveLength(1)
  })

  it('item.remove for a player the ledger does not know is acknowledged, not declined (a chargeback is a fact)', async () => {
    const player = `cli-unknown-${randomUUID()}`
    const { code, json } = await send(['item.remove', '--player', player])
    expect(code).toBe(0)
    expect(json.answers[0]).toMatchObject({ status: 200, body: { status: 'ok' } })
    expect((await admin(`/api/players/${player}`)).status).toBe(404)
  })
})
