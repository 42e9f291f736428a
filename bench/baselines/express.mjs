// Baseline 3: the straightforward Express receiver of Aghanim's sample (express.raw + node:crypto HMAC on
// POST /webhook; 403 "Invalid signature"; 400 "Unknown event type"), as a studio would first write it.
import { createHmac, timingSafeEqual } from 'node:crypto'
import express from 'express'
import { benchSecret, listen, playerAnswer } from './listen.mjs'

const secretKey = benchSecret()
const app = express()

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' })
})

app.post('/webhook', express.raw({ type: 'application/json' }), (req, res) => {
  const timestamp = req.get('x-aghanim-signature-timestamp')
  const signature = req.get('x-aghanim-signature') ?? ''
  const payload = req.body.toString('utf8')
  const expected = createHmac('sha256', secretKey).update(`${timestamp}.${payload}`).digest('hex')
  if (
    signature.length !== expected.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  ) {
    return res.status(403).send('Invalid signature')
  }
  const event = JSON.parse(payload)
  switch (event.event_type) {
    case 'player.verify':
      return res.json(playerAnswer(event.event_data.player_id))
    case 'item.add':
      return res.json({ status: 'ok' })
    default:
      return res.status(400).send('Unknown event type')
  }
})

listen(app)
