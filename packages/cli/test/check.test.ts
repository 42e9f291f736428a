import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startLibraryReceiver } from './helpers/library-receiver.js'
import { type Listening, listen } from './helpers/listen.js'
import { type Defects, startNaiveReceiver } from './helpers/naive-receiver.js'
import { cli } from './helpers/run.js'

const SECRET = 'test_secret'

interface CheckJson {
  ok: boolean
  counts: Record<'pass' | 'warn' | 'fail' | 'skip', number>
  checks: { id: string; title: string; result: string; expected: string; got: string; note?: string }[]
}

const open: Listening[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()))
})

async function check(url: string, ...extra: string[]) {
  const run = await cli(['check', url, '--secret', SECRET, '--json', ...extra])
  const report = JSON.parse(run.stdout) as CheckJson
  const byResult = (result: string) =>
    report.checks.filter((entry) => entry.result === result).map((entry) => entry.id)
  return { ...run, report, failed: byResult('fail'), warned: byResult('warn') }
}

async function naive(defects: Defects = {}) {
  const receiver = await startNaiveReceiver(SECRET, defects)
  open.push(receiver)
  return receiver
}

describe('check against correct receivers', () => {
  it('passes every check against a receiver built from the library', async () => {
    const receiver = await startLibraryReceiver(SECRET)
    open.push(receiver)
    const { code, report } = await check(receiver.url)
    expect(report.checks.filter((entry) => entry.result !== 'pass')).toEqual([])
    expect(report.ok).toBe(true)
    expect(code).toBe(0)
  })

  it('passes every check against a hand-written receiver that does it right', async () => {
    const { code, failed, warned } = await check((await naive()).url)
    expect({ failed, warned }).toEqual({ failed: [], warned: [] })
    expect(code).toBe(0)
  })

  it('prints one line per check and a summary for people', async () => {
    const receiver = await naive()
    const run = await cli(['check', receiver.url, '--secret', SECRET])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Checking ${receiver.url}`)
    expect(run.stdout).toMatch(
      /^pass {2}rejects a signature one character short {2,}400 malformed_signature$/m,
    )
    expect(run.stdout).toMatch(/32 checks: 32 passed, 0 warnings, 0 failed in \d+/)
  })
})

describe('check names each defect of a broken receiver', () => {
  it('a receiver that drops the connection on a short signature', async () => {
    const { code, report, failed } = await check((await naive({ dropOnBadSignature: true })).url)
    expect(code).toBe(1)
    const short = report.checks.find((entry) => entry.id === 'signature-short')!
    expect(short).toMatchObject({
      result: 'fail',
      expected: '4xx',
      got: 'dropped connection (socket hang up)',
    })
    expect(short.note).toContain('crashed')
    // Buffer.from(hex) stops at the first bad character: the same bug drops these and accepts one extra char.
    expect(failed).toEqual(['signature-short', 'signature-long', 'signature-not-hex', 'signature-non-ascii'])
    expect(report.checks.find((entry) => entry.id === 'signature-long')!.got).toBe('200 (accepted)')
  })

  it('a receiver that answers 500 to bad JSON', async () => {
    const { code, report, failed } = await check((await naive({ crashOnBadJson: true })).url)
    expect(code).toBe(1)
    expect(failed).toEqual(['body-invalid-json', 'body-empty'])
    expect(report.checks.find((entry) => entry.id === 'body-invalid-json')).toMatchObject({
      expected: '4xx',
      got: '500',
    })
  })

  it('a receiver that never checks signatures', async () => {
    const { code, failed, warned } = await check((await naive({ skipSignature: true })).url)
    expect(code).toBe(1)
    expect(failed).toEqual([
      'signature-wrong-secret',
      'signature-short',
      'signature-long',
      'signature-not-hex',
      'signature-non-ascii',
      'signature-missing',
      'timestamp-missing',
      'signature-other-timestamp',
      'signature-reserialized',
    ])
    expect(warned).toEqual([
      'signature-duplicated',
      'timestamp-stale',
      'timestamp-future',
      'timestamp-malformed',
    ])
  })

  it('a receiver that grants twice on duplicates', async () => {
    const { code, report, failed } = await check((await naive({ grantTwice: true })).url)
    expect(code).toBe(1)
    expect(failed).toEqual(['item-add-grants-once'])
    expect(report.checks.find((entry) => entry.id === 'item-add-grants-once')).toMatchObject({
      got: 'item-add-duplicate +2, item-add-concurrent +2',
    })
  })

  it('a receiver that answers a duplicate with an error', async () => {
    const { code, report, failed } = await check((await naive({ conflictOnDuplicate: true })).url)
    expect(code).toBe(1)
    expect(failed).toEqual(['item-add-duplicate', 'item-add-concurrent'])
    expect(report.checks.find((entry) => entry.id === 'item-add-duplicate')!.got).toBe(
      '200, then 409 duplicate',
    )
  })

  it('a receiver that verifies a re-serialized body instead of the raw bytes', async () => {
    const { failed } = await check((await naive({ reserialize: true })).url)
    expect(failed).toEqual(['signature-reserialized'])
  })

  it('a receiver whose player.verify answer breaks the documented schema', async () => {
    const { report, failed } = await check((await naive({ playerWithoutName: true })).url)
    expect(failed).toEqual(['player-verify-schema'])
    expect(report.checks.find((entry) => entry.id === 'player-verify-schema')!.got).toBe(
      '200, answer.name: expected string, got nothing',
    )
  })

  it('a receiver that is slower than the time budget', async () => {
    const slow = await listen(async (_req, res) => {
      await sleep(300)
      res.end('{"status":"ok"}')
    })
    open.push(slow)
    const { code, report } = await check(slow.url, '--timeout', '100', '--only', 'valid-event,time-budget')
    expect(code).toBe(1)
    expect(report.checks.map((entry) => [entry.id, entry.result, entry.got])).toEqual([
      ['valid-event', 'fail', 'no answer within 100 ms'],
      ['time-budget', 'fail', '1 without an answer in time (valid-event)'],
    ])
  })

  it('warns when refusals are not JSON and when anything is accepted', async () => {
    const lax = await listen((req, res) => {
      if (req.headers['x-aghanim-signature']?.length === 64) res.end('{"status":"ok"}')
      else res.writeHead(400).end('nope')
    })
    open.push(lax)
    const { report } = await check(lax.url, '--only', 'signature-short,body-empty,error-bodies')
    expect(report.checks.map((entry) => [entry.id, entry.result])).toEqual([
      ['signature-short', 'pass'],
      ['body-empty', 'warn'],
      ['error-bodies', 'warn'],
    ])
  })
})

describe('check usage', () => {
  it('stops with exit 1 when the endpoint cannot be reached', async () => {
    const gone = await listen(() => {})
    await gone.close()
    const run = await cli(['check', gone.url, '--secret', SECRET])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('unreachable (ECONNREFUSED)')
    expect(run.stdout).toContain('is not reachable')
    expect(run.stdout).toContain('1 checks:')
  })

  it('runs only the named checks with --only, and refuses unknown ids', async () => {
    const receiver = await naive()
    const { report } = await check(receiver.url, '--only', 'body-empty,signature-short')
    expect(report.checks.map((entry) => entry.id)).toEqual(['signature-short', 'body-empty'])
    const run = await cli(['check', receiver.url, '--secret', SECRET, '--only', 'signature-shorter'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Unknown check signature-shorter')
  })

  it('exits 2 without a URL, with a relative one, or without a secret', async () => {
    expect((await cli(['check', '--secret', SECRET])).code).toBe(2)
    const relative = await cli(['check', '/webhook', '--secret', SECRET])
    expect(relative.code).toBe(2)
    expect(relative.stderr).toContain('URL must be an absolute URL')
    expect((await cli(['check', 'http://127.0.0.1:1/webhook'])).stderr).toContain(
      '--secret or set AGHANIM_WEBHOOK_SECRET',
    )
  })
})
