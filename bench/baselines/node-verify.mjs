// Baseline 2: a bare node:http receiver that does the essential work correctly and nothing more: raw body
// with a size limit, timestamp and signature checks with a constant-time compare, JSON parse, an answer per
// event type. No envelope validation, no idempotency, no durability, no logging.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { benchSecret, listen, playerAnswer } from './listen.mjs'

const secret = benchSecret()
const MAX_BODY = 1024 * 1024
const WINDOW_PAST = 7 * 24 * 3600
const WINDOW_FUTURE = 15 * 60
const HEX_64 = /^[0-9a-fA-F]{64}$/
const DIGITS = /^[0-9]{1,15}$/

listen((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { status: 'ok' })
  if (req.method !== 'POST') return send(res, 405, error('method_not_allowed', 'Use POST.'))
  const chunks = []
  let size = 0
  let refused = false
  req.on('data', (chunk) => {
    size += chunk.length
    if (size > MAX_BODY && !refused) {
      refused = true
      res.setHeader('connection', 'close')
      send(res, 413, error('body_too_large', 'Body too large.'))
    }
    if (!refused) chunks.push(chunk)
  })
  req.on('end', () => {
    if (!refused) answer(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))
  })
})

function answer(req, res, body) {
  const signature = req.headers['x-aghanim-signature']
  const timestamp = req.headers['x-aghanim-signature-timestamp']
  if (typeof signature !== 'string' || !HEX_64.test(signature)) {
    return send(res, 400, error('malformed_signature', 'Bad signature header.'))
  }
  if (typeof timestamp !== 'string' || !DIGITS.test(timestamp)) {
    return send(res, 400, error('malformed_timestamp', 'Bad timestamp header.'))
  }
  const age = Math.floor(Date.now() / 1000) - Number(timestamp)
  if (age > WINDOW_PAST || age < -WINDOW_FUTURE)
    return send(res, 400, error('timestamp_outside_window', 'Stale.'))
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return send(res, 403, error('signature_mismatch', 'Invalid signature.'))
  }
  let event
  try {
    event = JSON.parse(body.toString('utf8'))
  } catch {
    return send(res, 400, error('invalid_json', 'Body is not JSON.'))
  }
  switch (event?.event_type) {
    case 'player.verify':
      return send(res, 200, playerAnswer(String(event.event_data?.player_id)))
    case 'item.add':
      return send(res, 200, { status: 'ok' })
    default:
      return send(res, 400, error('unknown_event_type', 'Unknown event type'))
  }
}

function error(code, message) {
  return { status: 'error', code, message }
}

function send(res, status, value) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}
