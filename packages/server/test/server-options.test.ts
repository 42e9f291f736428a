import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, startServer } from '@aghanim-webhooks/server'
import { fixtureEvent, signedHeaders } from 'aghanim-webhooks'
import { describe, expect, test } from 'vitest'
import { ADMIN_TOKEN, SECRET, startTestServer } from './support/test-server.js'

describe('server options', () => {
  test('--catalogue: store.get answers the JSON file, extra fields included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awh-catalogue-'))
    const path = join(dir, 'catalogue.json')
    writeFileSync(
      path,
      JSON.stringify({
        items: [
          { sku: 'shield', start_at: 1630000000, end_at: null },
          { sku: 'crystals', badge: 'new' },
        ],
      }),
    )
    const t = await startTestServer({}, ['--catalogue', path])
    try {
      const answer = await t.send(fixtureEvent('store.get'))
      expect(answer.json).toEqual({
        items: [
          { sku: 'shield', start_at: 1630000000, end_at: null },
          { sku: 'crystals', badge: 'new' },
        ],
      })
    } finally {
      await t.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('--unknown-events=acknowledge answers 200 to an event type the catalogue does not know, and logs its type', async () => {
    const t = await startTestServer({}, ['--unknown-events=acknowledge'])
    try {
      const answer = await t.send({
        event_type: 'brand.new_event',
        event_id: 'whevt_new',
        event_data: { player_id: 'testplayer' },
      })
      expect(answer.status).toBe(200)
      const logged = await t.api('/api/deliveries?type=brand.new_event')
      expect(logged.json.deliveries[0]).toMatchObject({
        outcome: 'unknown_event_acknowledged',
        player_id: 'testplayer',
        event_id: 'whevt_new',
      })
    } finally {
      await t.close()
    }
  })

  test('player.update changes the stored profile; an unknown player gets the 200 not_found body', async () => {
    const t = await startTestServer()
    try {
      const update = fixtureEvent('player.update', {
        event_data: { player_id: 'testplayer', email: 'new@example.com' },
      })
      expect((await t.send(update)).json).toEqual({ status: 'ok' })
      expect((await t.api('/api/players/testplayer')).json.player.email).toBe('new@example.com')
      const unknown = await t.send(fixtureEvent('player.update', { event_data: { player_id: 'ghost' } }))
      expect([unknown.status, unknown.json]).toEqual([
        200,
        { status: 'error', code: 'not_found', message: 'Player not found' },
      ])
    } finally {
      await t.close()
    }
  })

  test('a custom WEBHOOK_PATH receives webhooks and /webhook is then a 404', async () => {
    const t = await startTestServer({ WEBHOOK_PATH: '/hooks/aghanim' })
    try {
      const answer = await fetch(`${t.url}/hooks/aghanim`, { method: 'POST', body: '{}' })
      expect(answer.status).toBe(400) // reached the receiver: the signature headers are missing
      expect((await fetch(`${t.url}/webhook`, { method: 'POST', body: '{}' })).status).toBe(404)
    } finally {
      await t.close()
    }
  })

  test('accepts every secret of a rotation and signs replays with the first', async () => {
    const t = await startTestServer({ AGHANIM_WEBHOOK_SECRET: 'new-secret,old-secret' })
    try {
      expect((await t.send(fixtureEvent('order.paid'), { secret: 'old-secret' })).status).toBe(200)
      expect((await t.send(fixtureEvent('order.paid'), { secret: 'new-secret' })).status).toBe(200)
      expect((await t.send(fixtureEvent('order.paid'), { secret: 'other' })).status).toBe(403)
      const list = await t.api('/api/deliveries?type=order.paid&status=200&limit=1')
      const replay = await t.api(`/api/deliveries/${list.json.deliveries[0].id}/replay`, { method: 'POST' })
      expect(replay.json.delivery.verification.verified).toBe(true)
    } finally {
      await t.close()
    }
  })
})

test('prunes delivery records and settled keys past their retention at start and hourly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'awh-retention-'))
  const config = loadConfig(
    ['--port', '0', '--host', '127.0.0.1', '--log-level', 'silent'],
    { AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN, DELIVERY_RETENTION_DAYS: '30', KEY_RETENTION_DAYS: '40' },
    dir,
  )
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const count = async (url: string) =>
    ((await (await fetch(`${url}/api/deliveries`, { headers: admin })).json()) as { deliveries: unknown[] })
      .deliveries.length
  const first = await startServer(config)
  const body = JSON.stringify(fixtureEvent('order.paid'))
  await fetch(`${first.url}/webhook`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...(await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })),
    },
  })
  expect(await count(first.url)).toBe(1)
  await first.close()
  const later = await startServer(config, { now: () => Date.now() + 31 * 86_400_000 })
  try {
    await expect.poll(() => count(later.url)).toBe(0)
  } finally {
    await later.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
