import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunningServer, type StartOptions, startServer } from '@aghanim-webhooks/server'
import { fixtureEvent, signedHeaders } from 'aghanim-webhooks'
import { jsonOrUndefined } from '../../src/http/json-or-undefined.js'

export const SECRET = 'whsec_test_8f2k3j4h5g6f7d8s'
export const ADMIN_TOKEN = 'admin-token-for-tests'

export interface TestServer {
  server: RunningServer
  url: string
  dir: string
  /** Everything the server logged (JSON lines). */
  logs: string[]
  /** POSTs `body` (an event object or exact text) signed with the test secret to the webhook path. */
  send(
    body: unknown,
    init?: { secret?: string; timestamp?: number; headers?: Record<string, string> },
  ): Promise<Answer>
  /** Calls the admin API with the test token. */
  api(path: string, init?: RequestInit): Promise<Answer>
  close(): Promise<void>
}

export interface Answer {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  json: any
}

/** A real server on an ephemeral port with a temp SQLite file (or the given database env), admin token set. */
export async function startTestServer(
  env: Record<string, string> = {},
  argv: string[] = [],
  options: StartOptions = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'awh-server-'))
  const logs: string[] = []
  const config = loadConfig(
    ['--port', '0', '--host', '127.0.0.1', ...argv],
    { AGHANIM_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN, LOG_LEVEL: 'info', ...env },
    dir,
  )
  let server: RunningServer
  try {
    server = await startServer(config, { stdout: { write: (line: string) => logs.push(line) }, ...options })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  const webhook = `${server.url}${config.webhookPath}`
  let closed = false
  return {
    server,
    url: server.url,
    dir,
    logs,
    async send(body, init = {}) {
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      const timestamp = init.timestamp ?? Math.floor(Date.now() / 1000)
      const headers = await signedHeaders({ secret: init.secret ?? SECRET, timestamp, body: text })
      return answer(
        await fetch(webhook, {
          method: 'POST',
          body: text,
          headers: { 'content-type': 'application/json', ...headers, ...init.headers },
        }),
      )
    },
    async api(path, init = {}) {
      return answer(
        await fetch(`${server.url}${path}`, {
          ...init,
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            ...(init.body ? { 'content-type': 'application/json' } : {}),
            ...init.headers,
          },
        }),
      )
    },
    async close() {
      if (closed) return
      closed = true
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function answer(response: Response): Promise<Answer> {
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: jsonOrUndefined(text) }
}

/** A fresh order id: each grant helper call is a purchase of its own (the ledger grants once per order). */
export function orderId(): string {
  return `ord_${randomBytes(6).toString('hex')}`
}

/** `item.add` / `item.remove` of `quantity` × `sku` for `player`: a fresh idempotency key unless `overrides`
 * give one, for a fresh order unless `order` names one. */
function itemEventOf(type: 'item.add' | 'item.remove', reason: string) {
  return (
    player: string,
    sku: string,
    quantity: number,
    overrides: Record<string, unknown> = {},
    order = orderId(),
  ) =>
    fixtureEvent(type, {
      event_data: {
        player_id: player,
        items: [{ id: `itm_${sku}`, sku, name: sku, quantity }],
        reason: `${reason} ${order}`,
      },
      ...overrides,
    })
}

/** A grant (`item.add`) of `quantity` × `sku` for `player`, as an order's payment sends it. */
export const grant = itemEventOf('item.add', 'Order paid')

/** A revoke (`item.remove`) of `quantity` × `sku` from `player`, as a refund sends it. */
export const revoke = itemEventOf('item.remove', 'Order refunded')
