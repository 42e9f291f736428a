import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '@aghanim-webhooks/server'
import { fixtureEvent } from 'aghanim-webhooks'
import { describe, expect, test } from 'vitest'
import { useTempDirs } from '../../../test-support/temp-dirs.js'
import { grant, startTestServer } from './support/test-server.js'

const tempDir = useTempDirs('handlers')

function moduleFile(name: string, source: string): string {
  const path = join(tempDir(), name)
  writeFileSync(path, source)
  return path
}

/** Where the handlers module below records its calls (it runs in this process). */
const calls = globalThis as { studioCalls?: string[] }

describe('--handlers', () => {
  test("registers on top of the ledger: an on() for a type replaces the ledger's, defaults stay callable", async () => {
    calls.studioCalls = []
    const path = moduleFile(
      'handlers.js',
      `export default function (router, { ledger, defaults }) {
        router.on('store.get', () => ({ items: [{ sku: 'studio_special' }] }))
        router.on('item.add', async (event, context) => {
          globalThis.studioCalls.push(event.event_data.player_id + ':' + typeof ledger.getPlayer)
          return defaults.resolve('item.add')(event, context)
        })
      }`,
    )
    const t = await startTestServer({}, ['--handlers', path])
    try {
      const store = await t.send(fixtureEvent('store.get'))
      expect(store.json).toEqual({ items: [{ sku: 'studio_special' }] })
      expect((await t.send(grant('testplayer', 'gems', 3))).status).toBe(200)
      expect(calls.studioCalls).toEqual(['testplayer:function'])
      expect((await t.api('/api/players/testplayer')).json.inventory).toEqual([{ sku: 'gems', quantity: 3 }])
      // Types the module did not touch keep the ledger's handlers.
      expect(
        (await t.send(fixtureEvent('player.verify', { event_data: { player_id: 'testplayer' } }))).json.name,
      ).toBe('Test Player')
    } finally {
      await t.close()
    }
  })

  test('starts from an empty router when the module exports replaceLedger = true', async () => {
    const path = moduleFile(
      'handlers.mjs',
      `export const replaceLedger = true
       export default (router) => router.on('player.verify', (event) => ({ player_id: event.event_data.player_id, name: 'Own', attributes: {} }))`,
    )
    const t = await startTestServer({}, ['--handlers', path])
    try {
      expect((await t.send(fixtureEvent('player.verify'))).json.name).toBe('Own')
      const unhandled = await t.send(fixtureEvent('store.get'))
      expect([unhandled.status, unhandled.json.code]).toEqual([400, 'unhandled_event'])
    } finally {
      await t.close()
    }
  })

  test.each([
    [
      'a module that does not parse',
      'broken.js',
      'export default (',
      /Cannot load the handlers module .*broken\.js/,
    ],
    ['a module without a default export', 'empty.js', 'export const x = 1', /has no default export/],
    [
      'a default export that is not a function',
      'object.js',
      'export default {}',
      /must default-export a function/,
    ],
    [
      'a module that throws while registering',
      'throws.js',
      "export default () => { throw new Error('boom') }",
      /failed to register: boom/,
    ],
  ])('refuses %s with a ConfigError', async (_name, file, source, message) => {
    const start = startTestServer({}, ['--handlers', moduleFile(file, source)])
    await expect(start).rejects.toThrow(ConfigError)
    await expect(start).rejects.toThrow(message)
  })

  test('refuses a missing module with a ConfigError', async () => {
    await expect(startTestServer({}, ['--handlers', join(tmpdir(), 'awh-no-such-file.js')])).rejects.toThrow(
      /Cannot load the handlers module/,
    )
  })
})
