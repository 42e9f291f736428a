// The library's CPU per delivery, in one process and without sockets: the node adapter's listener against
// the bare verifying listener of bench/baselines/node-verify.mjs, both fed the same signed player.verify
// through a node Readable that stands in for the request. What HTTP parsing and the kernel cost is left out,
// so the difference is the library's own work (headers, body, verify, parse, validate, route, answer).
//   node bench/micro/library.mjs [--quick] [--only 1024|65536] [--library] [--baseline other/dist/adapters/node.js]
import { createHmac, timingSafeEqual } from 'node:crypto'
import { resolve } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { playerAnswer } from '../baselines/listen.mjs'
import { playerVerifyBody, signBody } from '../lib/events.mjs'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    library: { type: 'boolean' },
    // Another build of the adapter (e.g. an older commit's dist/adapters/node.js), measured beside this one.
    baseline: { type: 'string' },
  },
})
const sampleMs = values.quick ? 100 : 200
const samples = values.quick ? 5 : 15
const secret = 'bench_micro_secret'

/** The bench's library target (bench/targets/library.mjs) built from one copy of the adapter. */
async function libraryListener(specifier) {
  const { aghanimWebhooks, createRouter } = await import(specifier)
  const router = createRouter()
    .on('player.verify', (event) => playerAnswer(event.event_data.player_id))
    .on('item.add', () => undefined)
  return aghanimWebhooks({ secret, router })
}

const listeners = { 'bare verifying listener (floor)': bareVerify }
if (values.library) delete listeners['bare verifying listener (floor)']
if (values.baseline)
  listeners['aghanimWebhooks(), --baseline build'] = await libraryListener(
    pathToFileURL(resolve(values.baseline)).href,
  )
listeners['aghanimWebhooks() listener'] = await libraryListener('aghanim-webhooks/node')

for (const size of values.only ? [Number(values.only)] : [1024, 64 * 1024]) {
  const text = playerVerifyBody(0, size)
  const body = Buffer.from(text)
  const timestamp = String(Math.floor(Date.now() / 1000))
  const rawHeaders = [
    'Host',
    '127.0.0.1:8000',
    'Content-Type',
    'application/json',
    'Content-Length',
    String(body.byteLength),
    'x-aghanim-signature',
    signBody(secret, timestamp, text),
    'x-aghanim-signature-timestamp',
    timestamp,
  ]
  const deliveries = Object.entries(listeners).map(([name, listener]) => ({
    name,
    deliver: () => deliverOnce(listener, rawHeaders, body),
  }))
  for (const { name, deliver } of deliveries) {
    const first = await deliver()
    if (first.status !== 200 || !first.body.includes('"player_id"'))
      throw new Error(`${name} answered ${first.status} ${first.body}`)
  }
  // Interleaved samples, medians: on a shared machine a slow minute then hurts every variant alike.
  const rates = await measure(deliveries.map(({ deliver }) => deliver))
  deliveries.forEach(({ name }, i) => {
    console.log(
      `${String(size).padStart(6)} B  ${name.padEnd(36)} ${(1e6 / rates[i]).toFixed(2).padStart(7)} µs/req`,
    )
  })
}

/** One request through `listener`; resolves with the status and body it answered. */
function deliverOnce(listener, rawHeaders, body) {
  return new Promise((resolve) => {
    const req = new Readable({ read() {} })
    req.method = 'POST'
    req.url = '/webhook'
    req.rawHeaders = rawHeaders
    req.headers = headerRecord(rawHeaders)
    req.httpVersionMajor = 1
    req.socket = { encrypted: false }
    req.complete = false
    req.push(body)
    req.push(null)
    req.on('end', () => {
      req.complete = true
    })
    const res = {
      statusCode: 200,
      headersSent: false,
      writableEnded: false,
      headers: {},
      setHeader(name, value) {
        this.headers[name.toLowerCase()] = value
      },
      writeHead(status, headers) {
        this.statusCode = status
        Object.assign(this.headers, headers)
        return this
      },
      end(chunk) {
        this.writableEnded = true
        resolve({ status: this.statusCode, body: String(chunk) })
      },
    }
    listener(req, res)
  })
}

function headerRecord(raw) {
  const record = {}
  for (let i = 0; i < raw.length; i += 2) record[raw[i].toLowerCase()] = raw[i + 1]
  return record
}

// bench/baselines/node-verify.mjs's listener, cut to the success path it takes under load.
function bareVerify(req, res) {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    const signature = req.headers['x-aghanim-signature']
    const timestamp = req.headers['x-aghanim-signature-timestamp']
    if (!/^[0-9a-fA-F]{64}$/.test(signature) || !/^[0-9]{1,15}$/.test(timestamp)) throw new Error('headers')
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new Error('mismatch')
    const event = JSON.parse(body.toString('utf8'))
    const text = JSON.stringify(playerAnswer(String(event.event_data?.player_id)))
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  })
}

/** Median requests per CPU second of each function over interleaved fixed-time samples, after a warm-up. */
async function measure(fns) {
  for (const fn of fns) await run(fn, sampleMs)
  const rates = fns.map(() => [])
  for (let i = 0; i < samples; i++)
    for (const [j, fn] of fns.entries()) rates[j].push(await run(fn, sampleMs))
  return rates.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)])
}

// CPU time rather than wall time: other work on a shared machine takes the core away, not the CPU per request.
async function run(fn, ms) {
  let count = 0
  const started = performance.now()
  const cpu = process.cpuUsage()
  while (performance.now() - started < ms) {
    for (let i = 0; i < 64; i++) await fn()
    count += 64
  }
  const used = process.cpuUsage(cpu)
  return count / ((used.user + used.system) / 1e6)
}
