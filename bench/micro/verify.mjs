// Verification micro-benchmark, in one process: the library's verify() against the least a correct check
// must do with raw node:crypto (HMAC over timestamp + "." + body, hex decode, constant-time compare).
// Prints one `MICRO_JSON {...}` line for run.mjs; run alone for a readable table: node bench/micro/verify.mjs
import { createHmac, timingSafeEqual } from 'node:crypto'
import { parseArgs } from 'node:util'
import { verify, webCryptoEngine } from 'aghanim-webhooks'
import 'aghanim-webhooks/node' // installs the node:crypto engine as the default, as the Node adapters do
import { playerVerifyBody, signBody } from '../lib/events.mjs'

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, json: { type: 'boolean' } } })
const sampleMs = values.quick ? 150 : 400
const samples = values.quick ? 3 : 7
const secret = 'bench_micro_secret'
const webCrypto = webCryptoEngine()

const results = []
for (const size of [1024, 64 * 1024]) {
  const text = playerVerifyBody(0, size)
  const body = new TextEncoder().encode(text)
  const timestamp = String(Math.floor(Date.now() / 1000))
  const signature = signBody(secret, timestamp, text)
  const record = { 'x-aghanim-signature': signature, 'x-aghanim-signature-timestamp': timestamp }
  const headers = new Headers(record)
  const expectOk = (result) => {
    if (!result.ok) throw new Error(`verify() refused a valid signature: ${result.error.message}`)
  }
  const variants = {
    'node:crypto HMAC + timingSafeEqual (floor)': () => {
      const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
      if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new Error('mismatch')
    },
    'verify(), node:crypto engine, Headers': async () =>
      expectOk(await verify(body, headers, { secrets: secret })),
    'verify(), node:crypto engine, node header record': async () =>
      expectOk(await verify(body, record, { secrets: secret })),
    'verify(), WebCrypto engine, Headers': async () =>
      expectOk(await verify(body, headers, { secrets: secret, engine: webCrypto })),
  }
  for (const [name, fn] of Object.entries(variants)) {
    results.push({ size, name, opsPerSecond: await measure(fn) })
  }
}

if (values.json) {
  console.log(`MICRO_JSON ${JSON.stringify(results)}`)
} else {
  for (const { size, name, opsPerSecond } of results) {
    console.log(
      `${String(size).padStart(6)} B  ${name.padEnd(52)} ${Math.round(opsPerSecond).toLocaleString('en-US')} ops/s`,
    )
  }
}

/** Median ops/s over several fixed-time samples, after a warm-up long enough for the JIT to settle. */
async function measure(fn) {
  await run(fn, sampleMs)
  const rates = []
  for (let i = 0; i < samples; i++) rates.push(await run(fn, sampleMs))
  rates.sort((a, b) => a - b)
  return rates[Math.floor(rates.length / 2)]
}

async function run(fn, ms) {
  let count = 0
  const started = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 64; i++) await fn()
    count += 64
    elapsed = performance.now() - started
  }
  return count / (elapsed / 1000)
}
