import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DOCS_TEST_BODY } from '../../src/startup/curl-lines.js'
import { grant, revoke, SECRET, startTestServer, type TestServer } from './test-server.js'

/**
 * The end-to-end behaviours every database must show: a real server on a real port, driven with signed requests.
 * `database` gives the environment selecting the database (SQLite file or a PostgreSQL schema).
 */
export function describeServerEndToEnd(
  name: string,
  database: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>,
) {
  describe(`server end to end (${name})`, () => {
    let t: TestServer
    let cleanup: () => Promise<void> = async () => {}

    beforeAll(async () => {
      const db = await database()
      cleanup = db.cleanup
      t = await startTestServer(db.env)
      await t.api('/api/players/p_grant', { method: 'PUT', body: JSON.stringify({ name: 'Grant Tester' }) })
    })
    afterAll(async () => {
      await t?.close()
      await cleanup()
    })

    test("answers the docs' player.verify test body for the seeded testplayer", async () => {
      const answer = await t.send(DOCS_TEST_BODY)
      expect(answer.status).toBe(200)
      expect(answer.json).toMatchObject({
        player_id: 'testplayer',
        name: 'Test Player',
        attributes: { level: 1 },
      })
    })

    test('denies player.verify for an unknown player with a flat 404 not_found body', async () => {
      const answer = await t.send(fixtureEvent('player.verify', { event_data: { player_id: 'nobody' } }))
      expect(answer.status).toBe(404)
      expect(answer.json).toEqual({
        status: 'error',
        code: 'not_found',
        message: 'Player "nobody" not found.',
      })
    })

    test('denies player.verify for a banned player with 403 banned', async () => {
      const put = await t.api('/api/players/p_banned', {
        method: 'PUT',
        body: JSON.stringify({ name: 'Cheater', banned: true }),
      })
      expect(put.status).toBe(201)
      const answer = await t.send(fixtureEvent('player.verify', { event_data: { player_id: 'p_banned' } }))
      expect(answer.status).toBe(403)
      expect(answer.json).toMatchObject({ status: 'error', code: 'banned' })
    })

    test('returns the profile set through the admin API from player.verify', async () => {
      const profile = {
        name: 'Molly',
        email: 'molly@example.com',
        country: 'DE',
        segments: ['whale'],
        attributes: { level: 42 },
      }
      expect(
        (await t.api('/api/players/p_molly', { method: 'PUT', body: JSON.stringify(profile) })).status,
      ).toBe(201)
      expect(
        (
          await t.api('/api/players/p_molly', {
            method: 'PUT',
            body: JSON.stringify({ avatar_url: 'https://x/a.png' }),
          })
        ).status,
      ).toBe(200)
      const answer = await t.send(fixtureEvent('player.verify', { event_data: { player_id: 'p_molly' } }))
      expect(answer.json).toEqual({
        player_id: 'p_molly',
        name: 'Molly',
        attributes: { level: 42 },
        banned: false,
        segments: ['whale'],
        custom_attributes: {},
        email: 'molly@example.com',
        avatar_url: 'https://x/a.png',
        country: 'DE',
      })
    })

    test('grants item.add to the inventory and answers {"status":"ok"}', async () => {
      const answer = await t.send(grant('p_grant', 'gems', 5))
      expect(answer.status).toBe(200)
      expect(answer.text).toBe('{"status":"ok"}')
      const player = await t.api('/api/players/p_grant')
      expect(player.json.inventory).toEqual([{ sku: 'gems', quantity: 5 }])
    })

    test('grants a duplicate delivery once and repeats the first answer', async () => {
      const event = grant('p_grant', 'coins', 100)
      const first = await t.send(event)
      const second = await t.send(event)
      expect(second.status).toBe(first.status)
      expect(second.text).toBe(first.text)
      expect(second.headers.get('x-idempotent-replay')).toBe('true')
      const concurrent = await Promise.all(Array.from({ length: 8 }, () => t.send(event)))
      for (const answer of concurrent) expect([answer.status, answer.text]).toEqual([200, '{"status":"ok"}'])
      const player = await t.api('/api/players/p_grant')
      expect(player.json.inventory).toContainEqual({ sku: 'coins', quantity: 100 })
    })

    test('grants concurrent copies of a new delivery exactly once', async () => {
      const event = grant('p_grant', 'rubies', 7)
      const answers = await Promise.all(Array.from({ length: 10 }, () => t.send(event)))
      for (const answer of answers) expect(answer.status).toBe(200)
      const player = await t.api('/api/players/p_grant')
      expect(player.json.inventory).toContainEqual({ sku: 'rubies', quantity: 7 })
      const history = await t.api('/api/players/p_grant/history')
      expect(history.json.history.filter((entry: { sku: string }) => entry.sku === 'rubies')).toHaveLength(1)
    })

    test('declines item.add for an unknown player so Aghanim can refund', async () => {
      const answer = await t.send(grant('p_ghost', 'gems', 1))
      expect(answer.status).toBe(400)
      expect(answer.json).toEqual({ status: 'error', code: 'declined', message: 'Unknown player "p_ghost".' })
      expect((await t.api('/api/players/p_ghost')).status).toBe(404)
    })

    test('revokes with item.remove, clamping at zero and recording the shortfall', async () => {
      await t.api('/api/players/p_refund', { method: 'PUT', body: JSON.stringify({ name: 'Refunder' }) })
      await t.send(grant('p_refund', 'gold', 5))
      const answer = await t.send(revoke('p_refund', 'gold', 8))
      expect(answer.status).toBe(200)
      const player = await t.api('/api/players/p_refund')
      expect(player.json.inventory).toEqual([])
      const history = await t.api('/api/players/p_refund/history')
      expect(
        history.json.history.map((entry: Record<string, unknown>) => [
          entry.kind,
          entry.quantity,
          entry.applied,
          entry.shortfall,
        ]),
      ).toEqual([
        ['revoke', 8, 5, 3],
        ['grant', 5, 5, 0],
      ])
    })

    test('answers store.get from the built-in catalogue and player.lookup from the players table', async () => {
      const store = await t.send(fixtureEvent('store.get', { event_data: { player_id: 'testplayer' } }))
      expect(store.json.items.map((item: { sku: string }) => item.sku)).toContain('crystals')
      const lookup = await t.send(fixtureEvent('player.lookup', { event_data: { account_id: 'p_molly' } }))
      expect(lookup.status).toBe(200)
      expect(lookup.json).toEqual({
        status: 'ok',
        data: [{ name: 'Molly', avatar_url: 'https://x/a.png', player: { player_id: 'p_molly' } }],
      })
      const missing = await t.send(fixtureEvent('player.lookup', { event_data: { account_id: 'nope' } }))
      expect([missing.status, missing.json.code]).toEqual([200, 'not_found'])
    })

    test('acknowledges order, payment and subscription notifications', async () => {
      for (const type of [
        'order.paid',
        'payment.succeeded',
        'subscription.renewed',
        'fraud.reported',
        'analytics.hub.login',
      ] as const) {
        const answer = await t.send(fixtureEvent(type))
        expect([type, answer.status]).toEqual([type, 200])
      }
    })

    test('replays a stored delivery through the handler, recorded with replay_of and granting nothing twice', async () => {
      const event = grant('p_grant', 'pearls', 3)
      await t.send(event)
      const list = await t.api(`/api/deliveries?key=${event.idempotency_key}`)
      const original = list.json.deliveries[0]
      expect(original).toMatchObject({
        event_type: 'item.add',
        outcome: 'ok',
        status: 200,
        duplicate: false,
        replay_of: null,
      })
      const replay = await t.api(`/api/deliveries/${original.id}/replay`, { method: 'POST' })
      expect(replay.status).toBe(200)
      expect(replay.json.delivery).toMatchObject({
        replay_of: original.id,
        status: 200,
        duplicate: true,
        response_body: '{"status":"ok"}',
      })
      expect(replay.json.delivery.body).toBe(JSON.stringify(event))
      const player = await t.api('/api/players/p_grant')
      expect(player.json.inventory).toContainEqual({ sku: 'pearls', quantity: 3 })
    })

    test('shows a delivery with credentials redacted and the verification verdict', async () => {
      await t.send(fixtureEvent('order.created'), {
        headers: { authorization: 'Bearer leaked', cookie: 'session=leaked' },
      })
      const list = await t.api('/api/deliveries?type=order.created&limit=1')
      const detail = await t.api(`/api/deliveries/${list.json.deliveries[0].id}`)
      expect(detail.json.delivery.headers).toMatchObject({
        authorization: '[redacted]',
        cookie: '[redacted]',
      })
      expect(detail.json.delivery.verification).toEqual({ verified: true, reason: null })
      expect(detail.text).not.toContain('leaked')
      expect(detail.text).not.toContain(SECRET)
    })

    test('records a bad signature as a 403 delivery with its reason', async () => {
      const answer = await t.send(fixtureEvent('order.paid'), { secret: 'not-the-secret' })
      expect(answer.status).toBe(403)
      expect(answer.json.code).toBe('signature_mismatch')
      const list = await t.api('/api/deliveries?outcome=signature_mismatch&limit=1')
      const detail = await t.api(`/api/deliveries/${list.json.deliveries[0].id}`)
      expect(detail.json.delivery.verification).toEqual({ verified: false, reason: 'signature_mismatch' })
    })

    test('counts deliveries per minute by outcome', async () => {
      const stats = await t.api('/api/stats/deliveries?minutes=5')
      expect(stats.json.minutes).toHaveLength(5)
      const total = stats.json.minutes.reduce(
        (sum: number, bucket: { counts: Record<string, number> }) => sum + (bucket.counts.ok ?? 0),
        0,
      )
      expect(total).toBeGreaterThan(5)
    })

    test('reports readiness of the database', async () => {
      const ready = await fetch(`${t.url}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toMatchObject({ status: 'ok' })
    })
  })
}
