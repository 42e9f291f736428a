import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '@aghanim-webhooks/server'
import { afterAll, describe, expect, test } from 'vitest'
import { orderOf } from '../src/ledger/order-of.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-reconcile-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const load = (env: Record<string, string>) => loadConfig([], env, dir).reconcile

describe('reconciliation settings', () => {
  test('are off without a key: the default API URL, a 72h lookback, no schedule', () => {
    expect(load({})).toEqual({
      apiUrl: 'https://api.aghanim.com/s2s',
      games: [],
      everyMs: undefined,
      lookbackMs: 72 * 3_600_000,
    })
  })

  test('AGHANIM_API_KEY is the single game; RECONCILE_EVERY and RECONCILE_LOOKBACK take durations', () => {
    expect(
      load({
        AGHANIM_API_KEY: 'sk_one',
        AGHANIM_API_URL: 'http://127.0.0.1:9/s2s',
        RECONCILE_EVERY: '15m',
        RECONCILE_LOOKBACK: '7d',
      }),
    ).toEqual({
      apiUrl: 'http://127.0.0.1:9/s2s',
      games: [{ game: '', apiKey: 'sk_one', webhookGame: null }],
      everyMs: 15 * 60_000,
      lookbackMs: 7 * 86_400_000,
    })
    expect(load({ AGHANIM_API_KEY: 'k', RECONCILE_EVERY: 'off' }).everyMs).toBeUndefined()
  })

  test('AGHANIM_GAME_API_KEYS names one key per game', () => {
    expect(load({ AGHANIM_GAME_API_KEYS: ' gm_a=ka ; gm_b=kb;' }).games).toEqual([
      { game: 'gm_a', apiKey: 'ka', webhookGame: null },
      { game: 'gm_b', apiKey: 'kb', webhookGame: null },
    ])
  })

  test('ties each key to the game AGHANIM_GAME_SECRETS names, and a lone key to a lone game', () => {
    const secrets = { AGHANIM_GAME_SECRETS: 'gm_a=s1;gm_b=s2' }
    expect(load({ ...secrets, AGHANIM_GAME_API_KEYS: 'gm_b=kb' }).games).toEqual([
      { game: 'gm_b', apiKey: 'kb', webhookGame: 'gm_b' },
    ])
    expect(load({ AGHANIM_GAME_SECRETS: 'gm_a=s1', AGHANIM_API_KEY: 'k' }).games).toEqual([
      { game: '', apiKey: 'k', webhookGame: 'gm_a' },
    ])
    expect(() => load({ ...secrets, AGHANIM_API_KEY: 'k' })).toThrow(
      'give each its key in AGHANIM_GAME_API_KEYS',
    )
    expect(() => load({ ...secrets, AGHANIM_GAME_API_KEYS: 'gm_c=kc' })).toThrow(
      'names game gm_c, which AGHANIM_GAME_SECRETS does not',
    )
  })

  test.each([
    [{ AGHANIM_API_KEY: 'k', AGHANIM_GAME_API_KEYS: 'gm_a=k' }, 'not both'],
    [{ AGHANIM_GAME_API_KEYS: 'gm_a' }, 'game gm_a needs one API key'],
    [{ AGHANIM_GAME_API_KEYS: 'gm_a=k1,k2' }, 'game gm_a needs one API key'],
    [{ AGHANIM_GAME_API_KEYS: 'gm a=k' }, 'gm_a=key;gm_b=key'],
    [{ AGHANIM_GAME_API_KEYS: 'gm_a=k;gm_a=j' }, 'names game gm_a twice'],
    [{ AGHANIM_API_URL: 'ftp://example.com' }, 'AGHANIM_API_URL must be an http(s) URL'],
    [{ RECONCILE_EVERY: '15m' }, 'RECONCILE_EVERY needs the S2S API key'],
    [{ AGHANIM_API_KEY: 'k', RECONCILE_EVERY: '15 minutes' }, 'RECONCILE_EVERY must be a duration'],
    [{ RECONCILE_LOOKBACK: '0h' }, 'RECONCILE_LOOKBACK must be a duration'],
  ])('refuses %j', (env, message) => {
    const attempt = () => load(env as Record<string, string>)
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(message)
  })

  test('never repeats a key in its messages', () => {
    expect(() => load({ AGHANIM_GAME_API_KEYS: 'gm_a=secret_k1,secret_k2' })).not.toThrow(/secret_k/)
  })
})

describe('how an item event is tied to its order', () => {
  test.each([
    ['Order paid ord_eCacAulggpY', 'ord_eCacAulggpY'],
    ['Order refunded ord_eCacAulggpY', 'ord_eCacAulggpY'],
    ['Order paid ord_a-b_c (bonus)', 'ord_a-b_c'],
    ['Free item claimed', null],
    ['Daily reward', null],
    ['word_ord_x is not an order', null],
  ])('%j → %j', (reason, expected) => {
    expect(orderOf({ reason })).toBe(expected)
  })

  test('an order_id field wins over the reason, and a malformed one is ignored', () => {
    expect(orderOf({ order_id: 'ord_field', reason: 'Order paid ord_reason' })).toBe('ord_field')
    expect(orderOf({ order_id: 'not an id', reason: 'Order paid ord_reason' })).toBe('ord_reason')
    expect(orderOf({})).toBeNull()
  })
})
