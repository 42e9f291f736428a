// Several games on one receiver, each with its own secrets, ledger and idempotency keys, and each game's sandbox
// kept apart (or accepted, or refused): a real server on a real port, on SQLite and on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig, startServer } from '@aghanim-webhooks/server'
import { openPostgresStore } from '@aghanim-webhooks/store-postgres'
import { openSqliteStore } from '@aghanim-webhooks/store-sqlite'
import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, describe, expect, test } from 'vitest'
import { LEDGER_SCOPE } from '../src/database/server-database.js'
import { postgresLedgerMigrations } from '../src/ledger/postgres-schema.js'
import { sqliteLedgerMigrations } from '../src/ledger/sqlite-schema.js'
import { dropSchema, POSTGRES_URL, uniqueSchema } from './support/postgres.js'
import { grant, startTestServer, type TestServer } from './support/test-server.js'

const A_NEW = 'whsec_game_a_new_7Hq2'
const A_OLD = 'whsec_game_a_old_9Lm4'
const B = 'whsec_game_b_3Xc8'
const GAMES = `gm_a=${A_NEW},${A_OLD};gm_b=${B}`

const dir = mkdtempSync(join(tmpdir(), 'awh-games-'))
const schemas: string[] = []
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await Promise.all(schemas.map(dropSchema))
})

interface Backend {
  /** The environment of a fresh database. */
  fresh(): Record<string, string>
  /**
   * A database as the server left it before it knew games: the ledger's migrations up to the one that scopes
   * it, then `sql` run on it (`?` placeholders).
   */
  legacy(sql: [string, unknown[]][]): Promise<Record<string, string>>
}

let files = 0
const backends: [string, Backend][] = [
  [
    'SQLite',
    {
      fresh: () => ({ DATABASE_URL: `sqlite:${join(dir, `games-${++files}.db`)}` }),
      async legacy(sql) {
        const path = join(dir, `legacy-${++files}.db`)
        const store = openSqliteStore({ path, durability: 'process' })
        await store.migrate(LEDGER_SCOPE, sqliteLedgerMigrations.slice(0, -1))
        await store.transact(({ db }) => {
          for (const [text, values] of sql) db.prepare(text).run(...(values as string[]))
        })
        await store.close()
        return { DATABASE_URL: `sqlite:${path}` }
      },
    },
  ],
  [
    'PostgreSQL',
    {
      fresh() {
        const schema = uniqueSchema()
        schemas.push(schema)
        return { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }
      },
      async legacy(sql) {
        const schema = uniqueSchema()
        schemas.push(schema)
        const store = await openPostgresStore({ connectionString: POSTGRES_URL, schema })
        await store.migrate(LEDGER_SCOPE, postgresLedgerMigrations.slice(0, -1))
        for (const [text, values] of sql) {
          let n = 0
          await store.pool.query(
            text.replace(/\?/g, () => `$${++n}`),
            values,
          )
        }
        await store.close()
        return { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema }
      },
    },
  ],
]

/** A server of the two games (no single secret), with `env` added. */
const gamesServer = (env: Record<string, string>) =>
  startTestServer({ AGHANIM_WEBHOOK_SECRET: '', AGHANIM_GAME_SECRETS: GAMES, ...env })

/** Runs `run` against a fresh several-games server on `env`, closing it however `run` ends. */
async function withGamesServer(
  env: Record<string, string>,
  run: (t: Awaited<ReturnType<typeof gamesServer>>) => Promise<void>,
): Promise<void> {
  const t = await gamesServer(env)
  try {
    await run(t)
  } finally {
    await t.close()
  }
}

/** A grant in `game` (its game_id in the envelope), with a fixed idempotency key. */
function grantIn(game: string | undefined, key: string, overrides: Record<string, unknown> = {}) {
  const event: { game_id?: string } = grant('p1', 'gems', 5, {
    game_id: game,
    idempotency_key: key,
    ...overrides,
  })
  if (game === undefined) delete event.game_id
  return event
}

async function gems(t: TestServer, query: string): Promise<number> {
  const answer = await t.api(`/api/players/p1?${query}`)
  expect(answer.status).toBe(200)
  return answer.json.inventory.find((line: { sku: string }) => line.sku === 'gems')?.quantity ?? 0
}

async function createPlayer(t: TestServer, query: string) {
  const put = await t.api(`/api/players/p1?${query}`, {
    method: 'PUT',
    body: JSON.stringify({ name: 'Ann' }),
  })
  expect(put.status).toBe(201)
}

describe.each(backends)('several games on %s', (_name, backend) => {
  test('grants the same idempotency key once in each game, and refuses a cross-signed delivery', async () => {
    await withGamesServer(backend.fresh(), async (t) => {
      await createPlayer(t, 'game=gm_a')
      await createPlayer(t, 'game=gm_b')
      expect((await t.send(grantIn('gm_a', 'idmpt_same'), { secret: A_NEW })).status).toBe(200)
      const again = await t.send(grantIn('gm_a', 'idmpt_same'), { secret: A_NEW })
      expect(again.headers.get('x-idempotent-replay')).toBe('true')
      expect((await t.send(grantIn('gm_b', 'idmpt_same'), { secret: B })).status).toBe(200)
      expect(await gems(t, 'game=gm_a')).toBe(5)
      expect(await gems(t, 'game=gm_b')).toBe(5)

      // Signed with gm_a's secret, claiming to be gm_b's: refused, and nothing moves in either game.
      const crossed = await t.send(grantIn('gm_b', 'idmpt_crossed'), { secret: A_NEW })
      expect(crossed.status).toBe(403)
      expect(crossed.json).toMatchObject({ status: 'error', code: 'game_mismatch' })
      expect(crossed.text).not.toContain('whsec')
      expect(await gems(t, 'game=gm_a')).toBe(5)
      expect(await gems(t, 'game=gm_b')).toBe(5)
    })
  })

  test('accepts both secrets of a game during its rotation, and a delivery without game_id as its secret’s game', async () => {
    await withGamesServer(backend.fresh(), async (t) => {
      await createPlayer(t, 'game=gm_a')
      expect((await t.send(grantIn('gm_a', 'idmpt_old_secret'), { secret: A_OLD })).status).toBe(200)
      expect((await t.send(grantIn(undefined, 'idmpt_no_game'), { secret: A_NEW })).status).toBe(200)
      expect(await gems(t, 'game=gm_a')).toBe(10)
      // The same key again under the other secret of the same game is the same delivery.
      const again = await t.send(grantIn('gm_a', 'idmpt_old_secret'), { secret: A_NEW })
      expect(again.headers.get('x-idempotent-replay')).toBe('true')
      expect(await gems(t, 'game=gm_a')).toBe(10)
      expect((await t.send(grantIn('gm_a', 'idmpt_wrong'), { secret: 'whsec_nobody' })).status).toBe(403)
    })
  })

  test('the admin API names the game: required with several, unknown ones refused', async () => {
    await withGamesServer(backend.fresh(), async (t) => {
      await createPlayer(t, 'game=gm_a')
      expect((await t.api('/api/players/p1')).json).toMatchObject({ code: 'game_required' })
      expect((await t.api('/api/players/p1?game=gm_zz')).json).toMatchObject({ code: 'unknown_game' })
      expect((await t.api('/api/players/p1?game=gm_b')).status).toBe(404)
      expect((await t.api('/api/players/p1?game=gm_a')).json).toMatchObject({ game: 'gm_a', sandbox: false })
      expect((await t.api('/api/players/p1/history?game=gm_a')).status).toBe(200)
    })
  })

  test('the delivery log records each delivery’s game and sandbox flag and lists by them', async () => {
    await withGamesServer(backend.fresh(), async (t) => {
      await createPlayer(t, 'game=gm_a')
      await createPlayer(t, 'game=gm_b')
      await t.send(grantIn('gm_a', 'idmpt_a_live'), { secret: A_NEW })
      await t.send(grantIn('gm_a', 'idmpt_a_test', { sandbox: true }), { secret: A_OLD })
      await t.send(grantIn('gm_b', 'idmpt_b_live'), { secret: B })
      await t.send(grantIn('gm_b', 'idmpt_b_test', { sandbox: true }), { secret: B })
      const listed = async (query: string) => {
        const answer = await t.api(`/api/deliveries?${query}`)
        expect(answer.status).toBe(200)
        return answer.json.deliveries.map(
          (d: { key: string; game: string; sandbox: boolean }) => `${d.game}:${d.key}:${d.sandbox}`,
        )
      }
      expect(await listed('game=gm_a')).toEqual(['gm_a:idmpt_a_test:true', 'gm_a:idmpt_a_live:false'])
      expect(await listed('game=gm_a&sandbox=true')).toEqual(['gm_a:idmpt_a_test:true'])
      expect(await listed('sandbox=true')).toEqual(['gm_b:idmpt_b_test:true', 'gm_a:idmpt_a_test:true'])
      expect(await listed('game=gm_b&sandbox=false')).toEqual(['gm_b:idmpt_b_live:false'])
      // No game: every game's deliveries (with several games, unlike the player routes).
      expect((await listed('type=item.add')).length).toBe(4)
      expect((await t.api('/api/deliveries?game=gm_zz')).json).toMatchObject({
        status: 'error',
        code: 'unknown_game',
      })
      expect((await t.api('/api/deliveries?sandbox=yes')).json).toMatchObject({ code: 'invalid_query' })

      const [aLive] = (await t.api('/api/deliveries?game=gm_a&sandbox=false')).json.deliveries
      const detail = await t.api(`/api/deliveries/${aLive.id}?game=gm_a`)
      expect(detail.json.delivery).toMatchObject({ id: aLive.id, game: 'gm_a', sandbox: false })
      expect((await t.api(`/api/deliveries/${aLive.id}?game=gm_b`)).status).toBe(404)
      expect((await t.api(`/api/deliveries/${aLive.id}?game=gm_zz`)).json.code).toBe('unknown_game')
      // The stats stay every game's.
      expect((await t.api('/api/stats/deliveries?game=gm_a')).status).toBe(200)
    })
  })

  test('replays a delivery as its game’s, asks for the game when the body names none, never replays a cross-signed one', async () => {
    await withGamesServer(backend.fresh(), async (t) => {
      await createPlayer(t, 'game=gm_b')
      await t.send(grantIn('gm_b', 'idmpt_replayed'), { secret: B })
      await t.send(grantIn(undefined, 'idmpt_no_game_replayed'), { secret: B })
      await t.send(grantIn('gm_b', 'idmpt_cross_replayed'), { secret: A_NEW })
      const idOf = async (filter: string) => (await t.api(`/api/deliveries?${filter}`)).json.deliveries[0].id
      const replay = (id: string, query = '') =>
        t.api(`/api/deliveries/${encodeURIComponent(id)}/replay${query}`, { method: 'POST' })

      const again = await replay(await idOf('key=idmpt_replayed'))
      expect(again.json.delivery).toMatchObject({ status: 200, duplicate: true })
      const unnamed = await idOf('key=idmpt_no_game_replayed')
      expect((await replay(unnamed)).json).toMatchObject({ code: 'game_required' })
      expect((await replay(unnamed, '?game=gm_b')).json.delivery).toMatchObject({
        status: 200,
        duplicate: true,
      })
      // Refused before its key was read: found by its outcome.
      const crossed = await replay(await idOf('outcome=game_mismatch'))
      expect(crossed.status).toBe(409)
      expect(crossed.json).toMatchObject({ code: 'not_replayable' })
      expect(await gems(t, 'game=gm_b')).toBe(10)
    })
  })

  test('sandbox separate (the default): sandbox purchases fulfil into the game’s own sandbox ledger', async () => {
    await withGamesServer(backend.fresh(), async (t) => {
      await createPlayer(t, 'game=gm_a')
      // The player is the game's; what the sandbox buys is kept apart from the live inventory.
      expect(
        (await t.send(grantIn('gm_a', 'idmpt_test_buy', { sandbox: true }), { secret: A_NEW })).status,
      ).toBe(200)
      expect(await gems(t, 'game=gm_a&sandbox=true')).toBe(5)
      expect(await gems(t, 'game=gm_a')).toBe(0)
      // The same key live is another delivery.
      expect((await t.send(grantIn('gm_a', 'idmpt_test_buy'), { secret: A_NEW })).status).toBe(200)
      expect(await gems(t, 'game=gm_a')).toBe(5)
      expect(await gems(t, 'game=gm_a&sandbox=true')).toBe(5)
      // A sandbox login of the game's player is approved with its live profile until the sandbox has its own.
      const login = fixtureEvent('player.verify', {
        game_id: 'gm_a',
        sandbox: true,
        event_data: { player_id: 'p1' },
      })
      expect((await t.send(login, { secret: A_NEW })).json).toMatchObject({ name: 'Ann' })
      const edited = await t.api('/api/players/p1?game=gm_a&sandbox=true', {
        method: 'PUT',
        body: JSON.stringify({ name: 'Sandbox Ann' }),
      })
      expect(edited.status).toBe(201)
      expect(edited.json).toMatchObject({ player: { name: 'Sandbox Ann' }, sandbox: true })
      expect((await t.send(login, { secret: A_NEW })).json).toMatchObject({ name: 'Sandbox Ann' })
      expect((await t.api('/api/players/p1?game=gm_a')).json.player.name).toBe('Ann')
      // A player the game does not know is declined in the sandbox too, and gm_b's sandbox knows nobody of gm_a.
      const nobody = grant('p_nobody', 'gems', 1, { game_id: 'gm_a', sandbox: true })
      expect((await t.send(nobody, { secret: A_NEW })).json).toMatchObject({ code: 'declined' })
      expect((await t.send(grantIn('gm_b', 'idmpt_b', { sandbox: true }), { secret: B })).json).toMatchObject(
        {
          code: 'declined',
        },
      )
    })
  })

  test('sandbox accept: one ledger for both, as before', async () => {
    await withGamesServer({ ...backend.fresh(), SANDBOX: 'accept' }, async (t) => {
      await createPlayer(t, 'game=gm_b')
      await t.send(grantIn('gm_b', 'idmpt_mixed', { sandbox: true }), { secret: B })
      const again = await t.send(grantIn('gm_b', 'idmpt_mixed'), { secret: B })
      expect(again.headers.get('x-idempotent-replay')).toBe('true')
      expect(await gems(t, 'game=gm_b')).toBe(5)
      expect((await t.api('/api/players/p1?game=gm_b&sandbox=true')).status).toBe(400)
    })
  })

  test('sandbox reject: 403 sandbox_not_accepted, nothing granted', async () => {
    await withGamesServer({ ...backend.fresh(), SANDBOX: 'reject' }, async (t) => {
      await createPlayer(t, 'game=gm_b')
      const refused = await t.send(grantIn('gm_b', 'idmpt_refused', { sandbox: true }), { secret: B })
      expect(refused.status).toBe(403)
      expect(refused.json).toMatchObject({ status: 'error', code: 'sandbox_not_accepted' })
      expect(await gems(t, 'game=gm_b')).toBe(0)
      expect((await t.send(grantIn('gm_b', 'idmpt_live'), { secret: B })).status).toBe(200)
      expect(await gems(t, 'game=gm_b')).toBe(5)
    })
  })

  test('moves a single-game database into the first game without losing a grant or a key', async () => {
    const now = Date.now()
    const env = await backend.legacy(legacyRows(now, _name === 'PostgreSQL'))
    const t = await gamesServer(env)
    try {
      const player = await t.api('/api/players/p1?game=gm_a')
      expect(player.json).toMatchObject({
        player: { name: 'Old Ann' },
        inventory: [{ sku: 'gems', quantity: 7 }],
      })
      expect((await t.api('/api/players/p1/history?game=gm_a')).json.history).toHaveLength(1)
      expect((await t.api('/api/players/p1?game=gm_b')).status).toBe(404)
      // A retry of a delivery answered before the move is still a duplicate, in the game it moved to…
      const retry = await t.send(grantIn('gm_a', 'idmpt_before_the_move'), { secret: A_NEW })
      expect(retry.headers.get('x-idempotent-replay')).toBe('true')
      expect(await gems(t, 'game=gm_a')).toBe(7)
      // …and player.lookup still finds the player by its custom attributes there.
      const lookup = await t.send(
        fixtureEvent('player.lookup', { game_id: 'gm_a', event_data: { account_id: 'acc-old' } }),
        { secret: A_NEW },
      )
      expect(lookup.json).toMatchObject({ status: 'ok', data: [{ player: { player_id: 'p1' } }] })
      // The other game starts empty, and grants the same key as its own delivery.
      await createPlayer(t, 'game=gm_b')
      expect((await t.send(grantIn('gm_b', 'idmpt_before_the_move'), { secret: B })).status).toBe(200)
      expect(await gems(t, 'game=gm_b')).toBe(5)
    } finally {
      await t.server.close()
    }
    // Back to one unnamed game, that database is refused: it would start from an empty ledger.
    const config = loadConfig(
      ['--port', '0', '--host', '127.0.0.1'],
      { AGHANIM_WEBHOOK_SECRET: 's', ...env },
      dir,
    )
    await expect(startServer(config, { stdout: { write: () => true } })).rejects.toThrow(ConfigError)
    await expect(startServer(config, { stdout: { write: () => true } })).rejects.toThrow(
      /belongs to game gm_a/,
    )
    // Named again, it starts, and moves nothing twice.
    const again = await gamesServer(env)
    try {
      expect(await gems(again, 'game=gm_a')).toBe(7)
    } finally {
      await again.server.close()
    }
  })
})

describe.each(backends)('a single-game server that becomes several games, on %s', (_name, backend) => {
  test('its sandbox ledger and sandbox keys move into the first game’s sandbox', async () => {
    const env = backend.fresh()
    const single = await startTestServer({ ...env, AGHANIM_WEBHOOK_SECRET: A_NEW })
    try {
      await createPlayer(single, '')
      expect(
        (await single.send(grantIn('gm_a', 'idmpt_moved_sandbox', { sandbox: true }), { secret: A_NEW }))
          .status,
      ).toBe(200)
      expect(await gems(single, 'sandbox=true')).toBe(5)
      expect(await gems(single, '')).toBe(0)
      // One unnamed game: the admin API takes no game.
      expect((await single.api('/api/players/p1?game=gm_a')).json).toMatchObject({ code: 'unknown_game' })
    } finally {
      await single.close()
    }
    const t = await gamesServer(env)
    try {
      expect(await gems(t, 'game=gm_a&sandbox=true')).toBe(5)
      const retry = await t.send(grantIn('gm_a', 'idmpt_moved_sandbox', { sandbox: true }), { secret: A_NEW })
      expect(retry.headers.get('x-idempotent-replay')).toBe('true')
      const live = await t.send(grantIn('gm_a', 'idmpt_moved_sandbox'), { secret: A_NEW })
      expect(live.headers.get('x-idempotent-replay')).toBeNull()
      expect(await gems(t, 'game=gm_a')).toBe(5)
      expect(await gems(t, 'game=gm_a&sandbox=true')).toBe(5)
    } finally {
      await t.close()
    }
  })
})

/** What a single-game server had written: a player, a grant with its history, an order and a completed key. */
function legacyRows(now: number, postgres: boolean): [string, unknown[]][] {
  const at = postgres ? new Date(now).toISOString() : now
  return [
    [
      'INSERT INTO players (player_id, name, custom_attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      ['p1', 'Old Ann', JSON.stringify({ account_id: 'acc-old' }), at, at],
    ],
    [
      'INSERT INTO inventory (player_id, sku, quantity, updated_at) VALUES (?, ?, ?, ?)',
      ['p1', 'gems', 7, at],
    ],
    [
      `INSERT INTO inventory_history (player_id, kind, sku, quantity, applied, idempotency_key, created_at)
       VALUES (?, 'grant', ?, ?, ?, ?, ?)`,
      ['p1', 'gems', 7, 7, 'idmpt_before_the_move', at],
    ],
    [
      `INSERT INTO orders (order_id, player_id, status, last_event_type, updated_at) VALUES (?, ?, ?, ?, ?)`,
      ['ord_old', 'p1', 'paid', 'order.paid', at],
    ],
    [
      `INSERT INTO idempotency_keys (key, state, attempt, answer_status, answer_body, created_at, updated_at, completed_at)
       VALUES (?, 'completed', 1, 200, '{"status":"ok"}', ?, ?, ?)`,
      ['idmpt_before_the_move', now, now, now],
    ],
  ]
}
