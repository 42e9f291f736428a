import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type Listening, listen } from './listen.js'

/** Mistakes real receivers make; each one is a defect `check` must name. */
export interface Defects {
  /** Compares with Buffer.from(signature, 'hex') and lets timingSafeEqual's length error kill the connection. */
  dropOnBadSignature?: boolean
  /** JSON.parse without a try: bad JSON becomes a 500. */
  crashOnBadJson?: boolean
  /** Never looks at the signature. */
  skipSignature?: boolean
  /** No idempotency: every delivery of an item.add grants again. */
  grantTwice?: boolean
  /** Answers a duplicate with 409 instead of the first answer (which makes Aghanim retry). */
  conflictOnDuplicate?: boolean
  /** Verifies HMAC(JSON.stringify(JSON.parse(body))): what Express' json() middleware invites. */
  reserialize?: boolean
  /** Leaves `name` out of the player.verify answer. */
  playerWithoutName?: boolean
}

/**
 * A receiver written by hand without the library, the way a studio might in any language: correct unless
 * given defects. It knows `testplayer` and reports balances in player.verify.
 */
export async function startNaiveReceiver(
  secret: string,
  defects: Defects = {},
): Promise<Listening & { inventory: Map<string, number> }> {
  const inventory = new Map<string, number>()
  const answered = new Map<string, string>()

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    const refuse = (status: number, code: string) => answer(status, { status: 'error', code, message: code })
    if (req.method !== 'POST') return refuse(405, 'method_not_allowed')
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > 1024 * 1024) {
        res.setHeader('connection', 'close')
        return refuse(413, 'body_too_large')
      }
      chunks.push(chunk as Buffer)
    }
    const raw = Buffer.concat(chunks)

    if (!defects.skipSignature) {
      const signature = req.headers['x-aghanim-signature']
      const timestamp = req.headers['x-aghanim-signature-timestamp']
      if (typeof signature !== 'string' || typeof timestamp !== 'string')
        return refuse(400, 'missing_signature')
      if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 3600)
        return refuse(403, 'stale')
      if (!defects.dropOnBadSignature && !/^[0-9a-f]{64}$/.test(signature))
        return refuse(400, 'malformed_signature')
      const signed = defects.reserialize ? reserialized(raw) : raw
      const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(signed).digest()
      try {
        if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return refuse(403, 'invalid_signature')
      } catch {
        // The defect: the lengths differed, timingSafeEqual threw, the worker died mid-request.
        req.socket.destroy()
        return
      }
    }

    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw)
    } catch {
      return refuse(400, 'invalid_encoding')
    }
    let body: {
      event_type?: unknown
      event_data?: Record<string, unknown>
      event_id?: string
      idempotency_key?: string | null
    }
    if (defects.crashOnBadJson) body = JSON.parse(text)
    else {
      try {
        body = JSON.parse(text)
      } catch {
        return refuse(400, 'invalid_json')
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return refuse(400, 'invalid_envelope')
    if (
      typeof body.event_type !== 'string' ||
      typeof body.event_data !== 'object' ||
      body.event_data === null ||
      Array.isArray(body.event_data)
    ) {
      return refuse(400, 'invalid_envelope')
    }
    const data = body.event_data
    if (body.event_type === 'player.verify') {
      if (data.player_id !== 'testplayer') return refuse(404, 'not_found')
      const balances = [...inventory].map(([sku, amount]) => ({ sku, amount }))
      return answer(200, {
        player_id: 'testplayer',
        ...(defects.playerWithoutName ? {} : { name: 'Test' }),
        attributes: {},
        balances,
      })
    }
    if (body.event_type === 'item.add') {
      const key = body.idempotency_key ?? body.event_id ?? ''
      const previous = answered.get(key)
      if (previous && defects.conflictOnDuplicate) return refuse(409, 'duplicate')
      if (previous && !defects.grantTwice) return answer(200, JSON.parse(previous))
      for (const item of data.items as { sku: string; quantity: number }[])
        inventory.set(item.sku, (inventory.get(item.sku) ?? 0) + item.quantity)
      answered.set(key, JSON.stringify({ status: 'ok' }))
      return answer(200, { status: 'ok' })
    }
    return answer(200, { status: 'ok' })
  }

  const listening = await listen((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error')
    })
  })
  return { ...listening, inventory }
}

function reserialized(raw: Buffer): Buffer {
  try {
    return Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))))
  } catch {
    return raw
  }
}
