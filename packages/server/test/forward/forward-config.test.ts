import { ConfigError, loadConfig } from '@aghanim-webhooks/server'
import { describe, expect, test } from 'vitest'
import { banner } from '../../src/startup/banner.js'

const load = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env, '/tmp')
const refusal = (argv: string[], env: Record<string, string> = {}) => {
  try {
    load(argv, env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('the configuration was accepted')
}

describe('forward mode configuration', () => {
  test('is off without --forward-to, and the reference ledger runs', () => {
    expect(load([]).forward).toBeUndefined()
  })

  test('takes one URL for every event, with the defaults', () => {
    const config = load(['--forward-to', 'http://backend:8080/aghanim', '--forward-secret', 'fwd_a,fwd_b'])
    expect(config.forward).toEqual({
      routes: [{ pattern: '*', url: 'http://backend:8080/aghanim' }],
      sandboxRoutes: [],
      secrets: ['fwd_a', 'fwd_b'],
      timeoutMs: 10_000,
      async: false,
      retrySchedule: [
        1000, 2000, 4000, 8000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
      ],
      maxAnswerBytes: 1024 * 1024,
    })
    expect(config.seedTestPlayer).toBe(false)
  })

  test('keeps repeated PATTERN=URL routes in order, and reads the environment', () => {
    const config = load(
      [
        '--forward-to',
        'item.*=http://inventory/a?x=1',
        '--forward-to',
        'player.verify=https://accounts/a',
        '--forward-to',
        'http://rest/',
      ],
      {
        FORWARD_SECRET: 's',
        FORWARD_TIMEOUT_MS: '2500',
        FORWARD_ASYNC: 'notifications',
        FORWARD_RETRY_SCHEDULE: '250ms,3s,2m,1h',
      },
    )
    expect(config.forward?.routes).toEqual([
      { pattern: 'item.*', url: 'http://inventory/a?x=1' },
      { pattern: 'player.verify', url: 'https://accounts/a' },
      { pattern: '*', url: 'http://rest/' },
    ])
    expect(config.forward).toMatchObject({
      timeoutMs: 2500,
      async: true,
      retrySchedule: [250, 3000, 120_000, 3_600_000],
    })
    const env = load([], { FORWARD_TO: 'order.*=http://orders/ *=http://rest/', FORWARD_SECRET: 's' })
    expect(env.forward?.routes.map((route) => route.pattern)).toEqual(['order.*', '*'])
    expect(
      load(['--forward-timeout-ms', '50'], {
        FORWARD_TO: 'http://x/',
        FORWARD_SECRET: 's',
        FORWARD_TIMEOUT_MS: '9',
      }).forward?.timeoutMs,
    ).toBe(50)
  })

  test('refuses a forward target without a secret, and a secret without a target', () => {
    expect(refusal(['--forward-to', 'http://backend/'])).toMatch(/--forward-secret \(FORWARD_SECRET\)/)
    expect(refusal(['--forward-secret', 's'])).toMatch(/need --forward-to/)
  })

  test('refuses what is not a route, a timeout or a schedule, naming the value and never the secret', () => {
    const base = ['--forward-secret', 'fwd_top_secret']
    const messages = [
      refusal([...base, '--forward-to', 'not a url']),
      refusal([...base, '--forward-to', 'ftp://files/x']),
      refusal([...base, '--forward-to', 'http://user:pw@backend/']),
      refusal([...base, '--forward-to', 'Item Add=http://backend/']),
      refusal([...base, '--forward-to', 'http://backend/', '--forward-timeout-ms', '0']),
      refusal([...base, '--forward-to', 'http://backend/', '--forward-timeout-ms', '60000']),
      refusal([...base, '--forward-to', 'http://backend/', '--forward-async', 'everything']),
      refusal([...base, '--forward-to', 'http://backend/'], { FORWARD_RETRY_SCHEDULE: '1s,soon' }),
    ]
    expect(messages[0]).toMatch(/"not a url" is not a URL/)
    expect(messages[1]).toMatch(/http:\/\/ or https:\/\//)
    expect(messages[2]).toMatch(/credentials/)
    expect(messages[3]).toMatch(/pattern "Item Add"/)
    expect(messages[4]).toMatch(/FORWARD_TIMEOUT_MS/)
    expect(messages[5]).toMatch(/between 1 and 50000 \(under the 60 s idempotency lease\)/)
    expect(messages[6]).toMatch(/notifications/)
    expect(messages[7]).toMatch(/FORWARD_RETRY_SCHEDULE/)
    for (const message of messages) expect(message).not.toContain('fwd_top_secret')
  })

  test('the banner says what runs: the routes, that the ledger does not, and what the outbox does', () => {
    const config = load(
      [
        '--forward-to',
        'item.*=http://inventory/a',
        '--forward-to',
        'http://rest/',
        '--forward-secret',
        'fwd_banner_secret',
        '--forward-async',
        'notifications',
      ],
      { AGHANIM_WEBHOOK_SECRET: 'whsec_banner' },
    )
    const text = banner({
      config,
      url: 'http://127.0.0.1:8000',
      secretNote: undefined,
      commands: { curl: 'curl …', cli: 'cli …' },
      workers: 1,
      readyMs: 5,
    })
    expect(text).toMatch(/forward +item\.\* → http:\/\/inventory\/a, \* → http:\/\/rest\//)
    expect(text).toMatch(/the reference ledger does not run/)
    expect(text).toMatch(/durable outbox/)
    expect(text).not.toContain('fwd_banner_secret')
    const plain = banner({
      config: load([]),
      url: 'http://127.0.0.1:8000',
      secretNote: undefined,
      commands: { curl: '', cli: '' },
      workers: 1,
      readyMs: 5,
    })
    expect(plain).toMatch(/handlers +reference ledger/)
  })
})
