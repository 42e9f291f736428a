import { createHmac } from 'node:crypto'
import { request } from 'node:http'

export interface DeliveryAnswer {
  status: number
  body: string
  replay: boolean
  /** The Retry-After header of the answer, if any. */
  retryAfter?: string
}

/**
 * POSTs `body` signed with `secret` to `url` (HMAC-SHA256 over `timestamp.body`, computed here with node:crypto
 * so the test does not trust the library it checks). Resolves with the answer, or rejects when the connection
 * fails (the server was killed).
 */
export function deliver(
  url: string,
  secret: string,
  body: string,
  agent?: import('node:http').Agent,
): Promise<DeliveryAnswer> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-aghanim-signature': signature,
          'x-aghanim-signature-timestamp': timestamp,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            replay: res.headers['x-idempotent-replay'] === 'true',
            retryAfter: res.headers['retry-after'],
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** An item.add for `playerId` with its own idempotency key, as Aghanim sends it. */
export function grantBody(key: string, playerId: string, sku: string, quantity: number): string {
  return JSON.stringify({
    event_type: 'item.add',
    event_id: `whevt_${key}`,
    idempotency_key: key,
    event_time: Math.floor(Date.now() / 1000),
    sandbox: false,
    trigger: null,
    request_id: null,
    transaction_id: `whtx_${key}`,
    context: null,
    game_id: 'gm_reliability',
    event_data: {
      player_id: playerId,
      items: [{ id: `itm_${sku}`, sku, name: sku, quantity }],
      reason: `Order paid ord_${key}`,
    },
  })
}

/** Creates each of `players` through the admin API (named `<label> <id>`), expecting 201 for each. */
export async function createPlayersNamed(
  url: string,
  adminToken: string,
  players: readonly string[],
  label: string,
): Promise<void> {
  for (const playerId of players) {
    const response = await fetch(`${url}/api/players/${playerId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${label} ${playerId}` }),
    })
    if (response.status !== 201) throw new Error(`PUT /api/players/${playerId}: ${response.status}`)
  }
}
