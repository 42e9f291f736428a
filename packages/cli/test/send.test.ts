import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEvent } from 'aghanim-webhooks'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startCapture } from './helpers/capture.js'
import { startLibraryReceiver } from './helpers/library-receiver.js'
import { type Listening, listen } from './helpers/listen.js'
import { cli } from './helpers/run.js'

const SECRET = 'test_secret'
const open: Listening[] = []
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'awh-cli-send-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()))
})

async function capture(status?: number, answer?: string) {
  const receiver = await startCapture(SECRET, status, answer)
  open.push(receiver)
  return receiver
}

/** `send` to the receiver with the secret it verifies with, as most of these tests call it. */
const sendTo = (receiver: { url: string }, ...args: string[]) =>
  cli(['send', ...args, '--url', receiver.url, '--secret', SECRET])

async function libraryReceiver() {
  const receiver = await startLibraryReceiver(SECRET)
  open.push(receiver)
  return receiver
}

const sentEvent = (receiver: { requests: { body: Buffer }[] }, index = 0) =>
  JSON.parse(receiver.requests[index]!.body.toString('utf8'))

describe('send', () => {
  it('delivers a valid, signed fixture event that the library accepts, and exits 0 on 2xx', async () => {
    const receiver = await libraryReceiver()
    const run = await sendTo(receiver, 'item.add', '--player', 'testplayer')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /^POST http:.*item\.add {2}event_id whevt_\w+ {2}idempotency_key idmpt_\w+\n200 OK {2}\d+ ms\n\{\n {2}"status": "ok"\n\}\n$/,
    )
    expect(receiver.inventory.get('testplayer:crystals')).toBe(480000)
  })

  it('signs with the header timestamp, which is also event_time', async () => {
    const receiver = await capture()
    await sendTo(receiver, 'order.paid', '--timestamp', '1725548450')
    const [request] = receiver.requests
    expect(request!.verified).toBe(true)
    expect(request!.headers['x-aghanim-signature-timestamp']).toBe('1725548450')
    expect(request!.headers['content-type']).toBe('application/json')
    expect(sentEvent(receiver).event_time).toBe(1725548450)
    expect(parseEvent(sentEvent(receiver)).ok).toBe(true)
  })

  it('applies --data, then --set (strings with =, JSON with :=), then --idempotency-key', async () => {
    const receiver = await capture()
    const run = await sendTo(
      receiver,
      'item.add',
      '--data',
      '{"reason":"from data","player_id":"p_data"}',
      '--set',
      'player_id=123',
      '--set',
      'items[0].quantity:=5',
      '--set',
      'sandbox:=true',
      '--idempotency-key',
      'idmpt_fixed',
    )
    expect(run.code).toBe(0)
    const event = sentEvent(receiver)
    expect(event.event_data).toMatchObject({
      reason: 'from data',
      player_id: '123',
      items: [{ sku: 'crystals', quantity: 5 }],
    })
    expect(event.sandbox).toBe(true)
    expect(event.idempotency_key).toBe('idmpt_fixed')
  })

  it('reads --data from a file, and a whole envelope when it has event_data', async () => {
    const receiver = await capture()
    const file = join(dir, 'envelope.json')
    await writeFile(file, JSON.stringify({ trigger: 'test', event_data: { player_id: 'from-file' } }))
    await sendTo(receiver, 'player.verify', '--data', file)
    expect(sentEvent(receiver)).toMatchObject({ trigger: 'test', event_data: { player_id: 'from-file' } })
  })

  it('sends --raw bytes exactly as given, signed', async () => {
    const receiver = await capture()
    const bytes = Buffer.from('{"event_type": "x",\r\n "odd": "\u00e9"}\n\xff', 'latin1')
    const file = join(dir, 'raw.bin')
    await writeFile(file, bytes)
    const run = await sendTo(receiver, '--raw', file)
    expect(run.code).toBe(0)
    expect(receiver.requests[0]!.body.equals(bytes)).toBe(true)
    expect(receiver.requests[0]!.verified).toBe(true)
  })

  it('repeats the identical signed bytes with --repeat and compares the answers', async () => {
    const receiver = await libraryReceiver()
    const run = await sendTo(receiver, 'item.add', '--player', 'testplayer', '--repeat', '3')
    expect(run.code).toBe(0)
    expect(run.stdout.match(/^#\d {2}200/gm)).toHaveLength(3)
    expect(run.stdout).toContain('3/3 answered 2xx; all answers identical')
    // Exactly once: three deliveries of one key granted one pack.
    expect(receiver.inventory.get('testplayer:crystals')).toBe(480000)
  })

  it('exits 1 and shows the error body when the answer is not 2xx', async () => {
    const receiver = await capture(400, '{"status":"error","code":"declined","message":"Out of stock"}')
    const run = await sendTo(receiver, 'item.add')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('400 Bad Request')
    expect(run.stdout).toContain('"message": "Out of stock"')
  })

  it('prints the request and answers as JSON with --json', async () => {
    const receiver = await capture()
    const run = await sendTo(receiver, 'store.get', '--json', '--timestamp', '1725548450')
    const output = JSON.parse(run.stdout)
    expect(output).toMatchObject({
      url: receiver.url,
      event_type: 'store.get',
      timestamp: '1725548450',
      ok: true,
      error: null,
      answers: [{ status: 200, body: { status: 'ok' } }],
    })
    expect(output.event_id).toBe(sentEvent(receiver).event_id)
  })

  it('exits 1 with the reason when nothing answers', async () => {
    const gone = await listen(() => {})
    await gone.close()
    const run = await sendTo(gone, 'item.add')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('could not reach http://127.0.0.1:')
    expect(run.stderr).toContain('ECONNREFUSED')
  })

  it('reads the secret from AGHANIM_WEBHOOK_SECRET', async () => {
    const receiver = await capture()
    const run = await cli(['send', 'player.verify', '--url', receiver.url], {
      env: { AGHANIM_WEBHOOK_SECRET: SECRET },
    })
    expect(run.code).toBe(0)
    expect(receiver.requests[0]!.verified).toBe(true)
  })

  it.each([
    [
      ['send', 'item.ad', '--url', 'http://127.0.0.1:1/', '--secret', 's'],
      'Unknown event type "item.ad". Did you mean item.add?',
    ],
    [['send', 'item.add', '--secret', 's'], '--url is required'],
    [['send', 'item.add', '--url', 'ftp://x/', '--secret', 's'], '--url must use http or https'],
    [
      ['send', 'item.add', '--url', 'http://127.0.0.1:1/', '--secret', 's', '--repeat', '0'],
      '--repeat must be between 1 and 10000',
    ],
    [
      ['send', 'item.add', '--url', 'http://127.0.0.1:1/', '--secret', 's', '--set', 'nothing'],
      '--set expects path=value or path:=json',
    ],
    [
      ['send', 'item.add', '--url', 'http://127.0.0.1:1/', '--secret', 's', '--set', 'quantity:=five'],
      'needs a JSON value',
    ],
    [
      ['send', 'item.add', '--url', 'http://127.0.0.1:1/', '--secret', 's', '--data', '{oops'],
      'Cannot parse the --data JSON',
    ],
    [
      ['send', '--raw', 'x', '--set', 'a=b', '--url', 'http://127.0.0.1:1/', '--secret', 's'],
      'cannot be combined with --set',
    ],
    [
      [
        'send',
        'order.paid',
        '--url',
        'http://127.0.0.1:1/',
        '--secret',
        's',
        '--data',
        '{"event_type":"item.add","event_data":{}}',
      ],
      '--data holds a "item.add" event, but the command names order.paid',
    ],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const run = await cli(argv)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(message)
  })
})
