import { connect, type Socket } from 'node:net'
import { beforeAll, describe, expect, test } from 'vitest'
import { useServedSqlite } from './server-process.js'
import { deliver, grantBody } from './signed-delivery.js'

const SECRET = 'whsec_abuse_Nq2Vd8Kz4Fs6'
const ADMIN_TOKEN = 'admin_abuse_Xc7Bt3Mh9Lw1'
const MAX_BODY_BYTES = 64 * 1024
// The server's deadlines (start-t.server.ts): headers within 10 s, the whole request within 30 s, checked every second.
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000

interface RawAnswer {
  /** The status line's code, or 0 when the server closed without answering. */
  status: number
  text: string
  /** Milliseconds from connecting to the server closing the connection. */
  closedAfterMs: number
}

/** Connects, hands the socket to `drive`, and resolves once the server has closed the connection. */
function rawClient(port: number, drive: (socket: Socket) => void): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = connect({ port, host: '127.0.0.1' })
    let text = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      text += chunk
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text)
      resolve({ status: match ? Number(match[1]) : 0, text, closedAfterMs: performance.now() - started })
    })
    socket.on('connect', () => drive(socket))
  })
}

/** Writes `pieces` one at a time, `everyMs` apart, until the socket closes. */
function trickle(socket: Socket, pieces: string[], everyMs: number): void {
  let index = 0
  const timer = setInterval(() => {
    if (socket.destroyed || index >= pieces.length) return clearInterval(timer)
    socket.write(pieces[index]!)
    index += 1
  }, everyMs)
  socket.on('close', () => clearInterval(timer))
}

function jsonError(answer: RawAnswer): unknown {
  return JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4))
}

/**
 * Slow-header and slow-body clients, idle connections, endless uploads, oversized bodies and headers against
 * the real `serve` binary, with well-formed deliveries alongside.
 */
export function describeAbuse(): void {
  describe('abusive clients', () => {
    const t = useServedSqlite('abuse', {
      AGHANIM_WEBHOOK_SECRET: SECRET,
      ADMIN_TOKEN,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    })
    let port: number

    beforeAll(async () => {
      port = Number(new URL(t.server.url).port)
      const put = await fetch(`${t.server.url}/api/players/abuse_player`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Abuse Player' }),
      })
      expect(put.status).toBe(201)
    })

    test('refuses a declared oversized body with 413 before reading it, and closes the connection', async () => {
      const answer = await rawClient(port, (socket) => {
        socket.write(
          `POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${MAX_BODY_BYTES + 1}\r\n\r\n{`,
        )
      })
      expect(answer.status).toBe(413)
      expect(jsonError(answer)).toMatchObject({ status: 'error', code: 'body_too_large' })
    })

    test('refuses headers over 16 KiB with a JSON 431, and serves 900 small ones', async () => {
      const big = await rawClient(port, (socket) => {
        socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)
      })
      expect(big.status).toBe(431)
      expect(jsonError(big)).toMatchObject({ status: 'error', code: 'headers_too_large' })
      // Node charges each field ~16 bytes whatever its size, so ~1,000 tiny fields reach the 16 KiB limit too.
      const many = await rawClient(port, (socket) => {
        socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${'a: b\r\n'.repeat(900)}\r\n`)
      })
      expect(many.status).toBe(200)
      const tooMany = await rawClient(port, (socket) => {
        socket.write(`GET /healthz HTTP/1.1\r\nhost: x\r\n${'a: b\r\n'.repeat(5000)}\r\n`)
      })
      expect(tooMany.status).toBe(431)
    })

    test('answers slow-header and slow-body clients 408 on time, bounds an endless upload, ' +
      'and stays responsive for well-formed deliveries meanwhile', async () => {
      const rssBefore = await t.server.rss()
      // Slowloris: a header line that never ends, one byte every 300 ms.
      const slowHeaders = Array.from({ length: 20 }, () =>
        rawClient(port, (socket) => {
          socket.write('POST /webhook HTTP/1.1\r\nhost: x\r\nx-slow: ')
          trickle(
            socket,
            Array.from({ length: 1000 }, () => 'a'),
            300,
          )
        }),
      )
      // Headers done, then a body that crawls: the handler is waiting for it.
      const slowBodies = Array.from({ length: 20 }, () =>
        rawClient(port, (socket) => {
          const body = grantBody(`idmpt_slow_${Math.random()}`, 'abuse_player', 'gems', 1)
          socket.write(
            `POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n` +
              `x-aghanim-signature: ${'0'.repeat(64)}\r\nx-aghanim-signature-timestamp: 1\r\n\r\n`,
          )
          trickle(socket, [...body], 500)
        }),
      )
      // Connections that never send a byte.
      const idle = Array.from({ length: 500 }, () => rawClient(port, () => {}))
      // An endless chunked upload, as fast as the socket takes it: refused at the limit, never buffered.
      let uploaded = 0
      const endless = Array.from({ length: 3 }, () =>
        rawClient(port, (socket) => {
          socket.write('POST /webhook HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n')
          const chunk = `${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`
          const pump = () => {
            while (!socket.destroyed && uploaded < 512 * 1024 * 1024) {
              uploaded += chunk.length
              if (!socket.write(chunk)) return void socket.once('drain', pump)
            }
          }
          pump()
        }),
      )

      // Meanwhile, Aghanim's deliveries and the health check keep working.
      let serving = true
      const served: { status: number; ms: number }[] = []
      let maxRss = rssBefore
      const wellFormed = (async () => {
        for (let i = 0; serving; i += 1) {
          const started = performance.now()
          const answer = await deliver(
            `${t.server.url}/webhook`,
            SECRET,
            grantBody(`idmpt_ok_${i}_${Date.now()}`, 'abuse_player', 'coins', 1),
          )
          served.push({ status: answer.status, ms: performance.now() - started })
          const health = await fetch(`${t.server.url}/healthz`)
          served.push({ status: health.status, ms: performance.now() - started })
          maxRss = Math.max(maxRss, await t.server.rss())
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      })()

      const [headerAnswers, bodyAnswers, idleAnswers, endlessAnswers] = await Promise.all([
        Promise.all(slowHeaders),
        Promise.all(slowBodies),
        Promise.all(idle),
        Promise.all(endless),
      ])
      serving = false
      await wellFormed

      for (const answer of headerAnswers) {
        expect(answer.status).toBe(408)
        expect(jsonError(answer)).toMatchObject({ status: 'error', code: 'request_timeout' })
        // On time: the deadline plus Node's one-second check, with room for a loaded machine.
        expect(answer.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500)
        expect(answer.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000)
      }
      for (const answer of bodyAnswers) {
        expect(answer.status).toBe(408)
        expect(answer.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 500)
        expect(answer.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 5_000)
      }
      // A connection that never sent anything gets the header deadline too (Node answers it 408 and closes).
      for (const answer of idleAnswers) expect(answer.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000)
      expect(new Set(idleAnswers.map((answer) => answer.status))).toEqual(new Set([408]))
      for (const answer of endlessAnswers) expect(answer.status).toBe(413)
      expect(uploaded).toBeLessThan(256 * 1024 * 1024)

      expect(served.length).toBeGreaterThan(40)
      expect(served.filter((answer) => answer.status !== 200)).toEqual([])
      // Responsive: no well-formed request waited on the abusers (a generous bound, not a benchmark).
      expect(Math.max(...served.map((answer) => answer.ms))).toBeLessThan(3_000)
      expect(maxRss - rssBefore).toBeLessThan(100 * 1024 * 1024)
      const history = await fetch(`${t.server.url}/api/players/abuse_player/history?limit=1000`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      const entries = ((await history.json()) as { history: { sku: string }[] }).history
      expect(entries.filter((entry) => entry.sku === 'gems')).toEqual([]) // no slow body was ever granted
      expect(t.server.stderr()).toBe('')
      console.log(
        `abuse: ${served.length} well-formed requests served meanwhile, slowest ${Math.round(Math.max(...served.map((a) => a.ms)))} ms; ` +
          `RSS ${(rssBefore / 1048576).toFixed(1)} MB → max ${(maxRss / 1048576).toFixed(1)} MB; ` +
          `endless uploads sent ${(uploaded / 1048576).toFixed(1)} MB before the 413; slow headers closed after ` +
          `${Math.round(Math.max(...headerAnswers.map((a) => a.closedAfterMs)))} ms, slow bodies after ` +
          `${Math.round(Math.max(...bodyAnswers.map((a) => a.closedAfterMs)))} ms`,
      )
    }, 90_000)
  })
}
