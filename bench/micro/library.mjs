// The library's CPU per delivery, in one process and without sockets: the node adapter's listener against
// the bare verifying listener of bench/baselines/node-verify.mjs, both fed the same signed player.verify
// through a node Readable that stands in for the request. What HTTP parsing and the kernel cost is left out,
// so the difference is the library's own work (headers, body, verify, parse, validate, route, answer).
//   node bench/micro/library.mjs [--quick] [--only 1024|65536] [--library]
import { createHmac, timingSafeEqual } from 'node:crypto'
import { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import { aghanimWebhooks, createRouter } from 'aghanim-webhooks/node'
import { playerAnswer } from '../baselines/listen.mjs'
import { playerVerifyBody, signBody } from '../lib/events.mjs'

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, only: { type: 'string' }, library: { type: 'boolean' } },
})
const sampleMs = values.quick ? 200 : 500
const samples = values.quick ? 3 : 7
const secret = 'bench_micro_secret'

const router = createRouter()
  .on('player.verify', (event) => playerAnswer(event.event_data.player_id))
  .on('item.add', () => undefined)
const library = aghanimWebhooks({ secret, router })

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
  const variants = { 'bare verifying listener (floor)': bareVerify, 'aghanimWebhooks() listener': library }
  // --library: that variant only, to profile it alone (node --cpu-prof bench/micro/library.mjs --library).
  if (values.library) delete variants['bare verifying listener (floor)']
  for (const [name, listener] of Object.entries(variants)) {
    const deliver = () => deliverOnce(listener, rawHeaders, body)
    const first = await deliver()
    if (first.status !== 200 || !first.body.includes('"player_id"'))
      throw new Error(`${name} answered ${first.status} ${first.body}`)
    const rate = await measure(deliver)
    console.log(
      `${String(size).padStart(6)} B  ${name.padEnd(34)} ${(1e6 / rate).toFixed(2).padStart(7)} µs/req`,
    )
  }
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

/** Median requests per CPU second over several fixed-time samples, after a warm-up for the JIT. */
async function measure(fn) {
  await run(fn, sampleMs)
  const rates = []
  for (let i = 0; i < samples; i++) rates.push(await run(fn, sampleMs))
  rates.sort((a, b) => a - b)
  return rates[Math.floor(rates.length / 2)]
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
