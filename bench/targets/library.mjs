// Not a baseline: the library alone, through its node:http adapter, with a minimal router (players from a
// Map, item.add into the in-memory store). The gap between this and `aghanim-webhooks serve` is what the
// server adds (ledger, delivery log, metrics, logging); the gap to the bare baselines is the library's.
import { aghanimWebhooks, createRouter } from 'aghanim-webhooks/node'
import { benchSecret, listen, playerAnswer } from '../baselines/listen.mjs'

const router = createRouter()
  .on('player.verify', (event) => playerAnswer(event.event_data.player_id))
  .on('item.add', () => undefined)
const webhooks = aghanimWebhooks({ secret: benchSecret(), router })

listen((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"status":"ok"}')
    return
  }
  webhooks(req, res)
})
