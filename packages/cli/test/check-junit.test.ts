import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { type Listening, listen } from './helpers/listen.js'
import { startNaiveReceiver } from './helpers/naive-receiver.js'
import { cli } from './helpers/run.js'

const SECRET = 'test_secret'
const dir = mkdtempSync(join(tmpdir(), 'check-junit-'))
const open: Listening[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface TestCase {
  name: string
  classname: string
  time: string
  failure?: { type: string; message: string; '#text': string }
  skipped?: { message: string }
  error?: { type: string; message: string }
  'system-out'?: string
}

/** The report as a CI system's XML parser reads it (attributes and all), not as we wrote it. */
function readJunit(file: string) {
  const xml = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testcase',
  }).parse(readFileSync(file, 'utf8'))
  const suite = xml.testsuites.testsuite
  const cases = suite.testcase as TestCase[]
  return { xml, suite, cases, named: (title: string) => cases.find((entry) => entry.name === title)! }
}

describe('check --junit FILE', () => {
  it('writes one test case per check, a failure per failed check, next to the --json output', async () => {
    const receiver = await startNaiveReceiver(SECRET, { crashOnBadJson: true })
    open.push(receiver)
    const file = join(dir, 'reports/nested/bad-json.xml')
    const run = await cli(['check', receiver.url, '--secret', SECRET, '--json', '--junit', file])
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout) as { checks: { id: string; title: string; result: string }[] }
    const { xml, suite, cases, named } = readJunit(file)
    expect(cases.map((entry) => entry.name)).toEqual(json.checks.map((entry) => entry.title))
    expect(xml.testsuites).toMatchObject({ tests: String(json.checks.length), failures: '2', errors: '0' })
    expect(suite.name).toBe(`aghanim-webhooks check ${receiver.url}`)
    const failed = json.checks.find((entry) => entry.id === 'body-invalid-json')!
    expect(named(failed.title).failure).toMatchObject({
      type: 'body-invalid-json',
      message: 'expected 4xx, got 500',
    })
    expect(named(failed.title).failure!['#text']).toContain('a 5xx tells Aghanim to retry')
    const passed = json.checks.find((entry) => entry.result === 'pass')!
    expect(named(passed.title)).toEqual({
      name: passed.title,
      classname: 'aghanim-webhooks.check',
      time: expect.stringMatching(/^\d+\.\d{3}$/),
    })
  })

  it('reports warnings as passing cases with the warning in system-out, and skips as skipped', async () => {
    const lax = await listen((req, res) => {
      if (req.headers['x-aghanim-signature']?.length === 64) res.end('{"status":"ok"}')
      else res.writeHead(400).end('<nope & "no">')
    })
    open.push(lax)
    const file = join(dir, 'warn.xml')
    const only = 'signature-short,body-empty,error-bodies'
    const run = await cli(['check', lax.url, '--secret', SECRET, '--only', only, '--junit', file])
    expect(run.code).toBe(0)
    const { xml, cases } = readJunit(file)
    expect(xml.testsuites).toMatchObject({ tests: '3', failures: '0', skipped: '0' })
    expect(cases.map((entry) => [entry.failure, entry['system-out']?.split(':')[1]])).toEqual([
      [undefined, undefined],
      [undefined, ' body-empty'],
      [undefined, ' error-bodies'],
    ])
    const skipped = await cli([
      'check',
      lax.url,
      '--secret',
      SECRET,
      '--only',
      'error-bodies',
      '--junit',
      file,
    ])
    expect(skipped.code).toBe(0)
    expect(readJunit(file).cases[0]!.skipped).toEqual({ message: 'no 4xx answers to judge' })
  })

  it('marks the checks never reached as errors when the endpoint cannot be reached', async () => {
    const gone = await listen(() => {})
    await gone.close()
    const file = join(dir, 'unreachable.xml')
    const run = await cli(['check', gone.url, '--secret', SECRET, '--junit', file])
    expect(run.code).toBe(1)
    const { xml, cases } = readJunit(file)
    expect(Number(xml.testsuites.errors)).toBe(cases.length - 1)
    expect(cases[0]!.failure!.message).toContain('unreachable (ECONNREFUSED)')
    expect(cases.at(-1)!.error).toEqual({
      type: 'not-run',
      message: 'not run: the endpoint stopped answering',
    })
  })

  it('exits 2 on an empty file name, before sending anything', async () => {
    const run = await cli(['check', 'http://127.0.0.1:1/webhook', '--secret', SECRET, '--junit='])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--junit needs a file name')
  })
})
