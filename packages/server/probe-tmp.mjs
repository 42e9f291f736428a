// The recorder's per-delivery cost without the delivery log (appendMany does nothing), and its parts.
import { openSync } from 'node:fs'
import { headerRecord } from 'aghanim-webhooks'
import { newDeliveryId } from 'aghanim-webhooks/store'
import { createDeliveryRecorder } from '/work/main/packages/server/dist/deliveries/delivery-recorder.js'
import { redactHeaders } from '/work/main/packages/server/dist/deliveries/redact-headers.js'
import { createMetrics } from '/work/main/packages/server/dist/metrics/metrics.js'
import { createLogger } from '/work/main/packages/server/dist/logging/logger.js'
import pino from 'pino'

const body = new Uint8Array(1024).fill(65)
const rawHeaders = ['Host', '127.0.0.1:8000', 'Content-Type', 'application/json', 'Content-Length', '1024',
  'x-aghanim-signature', 'a'.repeat(64), 'x-aghanim-signature-timestamp', '1764748800']
const delivery = () => ({
  receivedAt: Date.now(), method: 'POST', url: 'http://127.0.0.1:8000/webhook', headers: new Headers(), rawHeaders,
  body, outcome: 'answered', status: 200, responseBody: '{"status":"ok","player":{"id":"bench-player-1","name":"x"}}',
  event: { event_type: 'player.verify', event_id: 'evt_123456', event_data: { player_id: 'bench-player-1' } },
  key: null, durationMs: 0.12, attempt: 1, duplicate: false, game: null, sandbox: false,
})
const dest = pino.destination({ dest: openSync('/dev/null', 'w'), sync: true, minLength: 3072, maxWrite: 4096 })
const logger = createLogger('info', process.env.REAL_STDOUT ? process.stdout : dest)
const quiet = createLogger('warn', dest)
const log = { appendMany: async () => {} }
const make = (l) => createDeliveryRecorder({ log, metrics: createMetrics(), logger: l, watched: () => false, publish() {} })
const full = make(logger), noLine = make(quiet)
const metrics = createMetrics()
const cases = {
  'onDelivery (no log write)': () => full.onDelivery(delivery()),
  'onDelivery, LOG_LEVEL=warn': () => noLine.onDelivery(delivery()),
  'make delivery object only': () => delivery(),
  newDeliveryId: () => newDeliveryId(Date.now()),
  'redactHeaders(headerRecord)': () => redactHeaders(headerRecord({ rawHeaders, headers: new Headers() })),
  'metrics.observe': () => metrics.observe({ eventType: 'player.verify', outcome: 'ok', durationMs: 0.12, duplicate: false }),
  'logger.info(line)': () => logger.info({ delivery: 'dlv_x', event_type: 'player.verify', event_id: 'evt_1', key: null, outcome: 'ok', status: 200, duration_ms: 0.12, attempt: 1, duplicate: false }, 'delivery'),
}
for (let round = 0; round < 3; round++)
  for (const [name, fn] of Object.entries(cases)) {
    const n = 200_000
    for (let i = 0; i < 20_000; i++) fn()
    const t = process.cpuUsage(); const t0 = performance.now()
    for (let i = 0; i < n; i++) fn()
    const used = process.cpuUsage(t)
    await new Promise((r) => setTimeout(r, 30))
    if (round === 2) console.error(name.padEnd(30), ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs wall', (((used.user + used.system)) / n).toFixed(2), 'µs cpu')
  }
