import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A fake of Aghanim's S2S API (payments and orders), over real HTTP, as its OpenAPI description has it:
 * bearer auth with a game's S2S key (one key per game, each sees only its game's data), `GET /v1/payments` as a
 * bare JSON array with `limit` (default 10) / `offset` pagination and no total, `start_at` needing `end_at`,
 * the `field` and `status` filters, FastAPI 422 errors, `GET` and `PATCH /v1/orders/{id}`, and the rate limit
 * of 1,000 requests a minute per game (429). Faults can be queued: the next matching request answers them.
 */
export interface FakeS2s {
  url: string
  /** Adds an order and its payments to a game. */
  addOrder(game: string, order: FakeOrder): void
  /** Changes an order's status and its payments' (a refund in the Dashboard, a chargeback). */
  setStatus(orderId: string, order: string, payment: string, at: number): void
  /** The next `count` requests (matching `path`, if given) answer `status` instead. */
  fail(status: number, options?: { count?: number; path?: RegExp; retryAfter?: string }): void
  order(orderId: string): StoredOrder | undefined
  /** Every request received, in order. */
  requests: FakeRequest[]
  /** Awaited before `GET /v1/orders/{id}` answers (a test can let a webhook in at that moment). */
  beforeOrderRead: ((orderId: string) => Promise<void>) | undefined
  close(): Promise<void>
}

export interface FakeOrder {
  id: string
  player_id: string
  items: { sku: string; quantity: number; name?: string; price?: number | null }[]
  status?: string
  /** Unix seconds. */
  created_at: number
  paid_at?: number
  payments: { status: string; status_updated_at: number; payment_id?: string }[]
}

interface StoredOrder extends FakeOrder {
  game: string
  handled_by_client: boolean
}

export interface FakeRequest {
  method: string
  path: string
  query: Record<string, string>
  /** The game the bearer key belongs to; undefined when refused. */
  game: string | undefined
  status: number
  at: number
}

const PAYMENT_STATUSES = new Set([
  'created',
  'failed',
  'expired',
  'voided',
  'rejected',
  'done',
  'refund_requested',
  'refunded',
  'dispute',
  'chargeback',
  'abandoned',
  'canceled',
])

export async function startFakeS2s(
  keys: Record<string, string>,
  options: { perMinute?: number } = {},
): Promise<FakeS2s> {
  const games = new Map(Object.entries(keys).map(([game, key]) => [key, game]))
  const orders = new Map<string, StoredOrder>()
  const faults: { status: number; remaining: number; path?: RegExp; retryAfter?: string }[] = []
  const requests: FakeRequest[] = []
  const perMinute = options.perMinute ?? 1000
  const recent = new Map<string, number[]>()
  let serial = 0
  const paymentRows: { game: string; row: Record<string, unknown> }[] = []

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ detail: String(error) }))
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = url.pathname.replace(/^\/s2s/, '')
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      game: undefined,
      status: 0,
      at: Date.now(),
    }
    requests.push(record)
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(body))
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
    const game = auth ? games.get(auth[1]!) : undefined
    if (game === undefined) return send(401, { detail: 'Not authenticated' })
    record.game = game
    const window = (recent.get(game) ?? []).filter((at) => at > record.at - 60_000)
    window.push(record.at)
    recent.set(game, window)
    if (window.length > perMinute) return send(429, { detail: 'Too many requests' }, { 'retry-after': '1' })
    const fault = faults.find((entry) => entry.remaining > 0 && (!entry.path || entry.path.test(path)))
    if (fault) {
      fault.remaining--
      return send(
        fault.status,
        { detail: `injected ${fault.status}` },
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      )
    }

    if (req.method === 'GET' && path === '/v1/payments') return listPayments(game, url.searchParams, send)
    const match = /^\/v1\/orders\/([^/]+)$/.exec(path)
    const order = match ? orders.get(decodeURIComponent(match[1]!)) : undefined
    if (match && (!order || order.game !== game)) return send(404, { detail: 'Order not found' })
    if (order && req.method === 'GET') {
      await fake.beforeOrderRead?.(order.id)
      return send(200, orderRead(order))
    }
    if (order && req.method === 'PATCH') {
      const body = JSON.parse((await text(req)) || 'null') as { handled_by_client?: unknown } | null
      if (typeof body?.handled_by_client !== 'boolean')
        return send(
          422,
          validation(['body', 'handled_by_client'], 'Input should be a valid boolean', 'bool_type'),
        )
      order.handled_by_client = body.handled_by_client
      return send(200, orderRead(order))
    }
    send(404, { detail: 'Not Found' })
  }

  function listPayments(
    game: string,
    params: URLSearchParams,
    send: (status: number, body: unknown) => void,
  ) {
    const int = (name: string, fallback?: number) => {
      const value = params.get(name)
      if (value === null) return fallback
      return /^\d+$/.test(value) ? Number(value) : Number.NaN
    }
    const limit = int('limit', 10)!
    const offset = int('offset', 0)!
    const startAt = int('start_at')
    const endAt = int('end_at')
    for (const [name, value] of [
      ['limit', limit],
      ['offset', offset],
      ['start_at', startAt],
      ['end_at', endAt],
    ] as const) {
      if (Number.isNaN(value))
        return send(422, validation(['query', name], 'Input should be a valid integer', 'int_parsing'))
    }
    if (startAt !== undefined && endAt === undefined)
      return send(422, validation(['query', 'end_at'], 'end_at is required with start_at', 'missing'))
    const field = params.get('field') ?? 'created_at'
    if (!['created_at', 'modified_at', 'status_updated_at'].includes(field))
      return send(422, validation(['query', 'field'], 'Input should be a valid PaymentDateField', 'enum'))
    const statuses = params.get('status')?.split(',').filter(Boolean)
    const page = paymentRows
      .filter((entry) => entry.game === game)
      .map((entry) => entry.row)
      .filter((row) => !statuses || statuses.includes(String(row.status)))
      .filter((row) => {
        const at = Number(row[field])
        return (startAt === undefined || at >= startAt) && (endAt === undefined || at <= endAt)
      })
      .filter((row) => !params.get('order_id') || row.order_id === params.get('order_id'))
      .filter((row) => !params.get('user_id') || row.user_id === params.get('user_id'))
      .sort((a, b) => Number(a.order_field) - Number(b.order_field))
      .slice(offset, offset + limit)
    send(200, page)
  }

  function orderRead(order: StoredOrder) {
    return {
      id: order.id,
      player_id: order.player_id,
      items: order.items.map((item, index) => ({
        id: `itm_${index}_${item.sku}`,
        sku: item.sku,
        name: item.name ?? item.sku,
        source: 'order',
        quantity: item.quantity,
        description: null,
        image_url: null,
        nested_items: [],
        currency: 'USD',
        price: item.price ?? 499,
        price_decimal: (item.price ?? 499) / 100,
        price_point: null,
        selected_plan_key: null,
      })),
      status: order.status ?? 'paid',
      amount: 499,
      amount_before_discount: 499,
      currency: 'USD',
      created_at: order.created_at,
      paid_at: order.paid_at ?? null,
      expires_at: order.created_at + 3 * 86_400,
      checkout_url: `https://pay.example.invalid/${order.id}`,
      handled_by_client: order.handled_by_client,
    }
  }

  function paymentRow(order: StoredOrder, payment: FakeOrder['payments'][number]) {
    serial++
    return {
      user_id: `usr_${order.player_id}`,
      player_id: order.player_id,
      player_name: order.player_id,
      payment_id: payment.payment_id ?? `pmt_${serial}`,
      order_id: order.id,
      status: payment.status,
      items: orderRead(order).items,
      currency: 'USD',
      total: 499,
      currency_minor_unit: 2,
      total_usd: 4.99,
      payment_method_name: 'card',
      payment_number: String(serial),
      receipt_number: `R-${serial}`,
      created_at: order.created_at,
      modified_at: payment.status_updated_at,
      status_updated_at: payment.status_updated_at,
      order_field: serial,
      sales_channel: 'game_hub',
      country: 'DE',
      platform: 'any',
      metadata: {},
      coupons: [],
      fees: [],
      taxes: [],
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const fake: FakeS2s = {
    url: `http://127.0.0.1:${port}/s2s`,
    requests,
    beforeOrderRead: undefined,
    addOrder(game, input) {
      for (const payment of input.payments)
        if (!PAYMENT_STATUSES.has(payment.status)) throw new Error(`unknown payment status ${payment.status}`)
      const order: StoredOrder = { ...input, game, handled_by_client: false }
      orders.set(order.id, order)
      for (const payment of input.payments) paymentRows.push({ game, row: paymentRow(order, payment) })
    },
    setStatus(orderId, orderStatus, paymentStatus, at) {
      const order = orders.get(orderId)
      if (!order) throw new Error(`no order ${orderId}`)
      order.status = orderStatus
      for (const entry of paymentRows)
        if (entry.row.order_id === orderId)
          Object.assign(entry.row, { status: paymentStatus, status_updated_at: at, modified_at: at })
    },
    fail(status, options = {}) {
      faults.push({
        status,
        remaining: options.count ?? 1,
        path: options.path,
        retryAfter: options.retryAfter,
      })
    },
    order: (orderId) => orders.get(orderId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return fake
}

function validation(loc: string[], msg: string, type: string) {
  return { detail: [{ loc, msg, type }] }
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** An order paid at `paidAt` (Unix seconds), created just before, with its one `done` payment. */
export function paidOrder(
  id: string,
  playerId: string,
  items: FakeOrder['items'],
  paidAt: number,
  createdAt = paidAt - 5,
): FakeOrder {
  return {
    id,
    player_id: playerId,
    items,
    created_at: createdAt,
    paid_at: paidAt,
    payments: [{ status: 'done', status_updated_at: paidAt }],
  }
}
