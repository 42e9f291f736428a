import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { outputOf } from '../../../../../test-support/child-process.js'
import { startTestServer, type TestServer } from '../../support/test-server.js'

/** One call the backend received: the headers it got and the raw body bytes. */
export interface BackendCall {
  headers: IncomingMessage['headers']
  body: Buffer
  event: { event_type: string; event_id: string; event_data: Record<string, unknown> }
  /** The status the backend answered (once it has). */
  answered?: number
}

export type BackendReply = {
  status: number
  body?: unknown
  raw?: string | Buffer
  delayMs?: number
  /** Sends the status and the start of the body, then nothing more. */
  stallBody?: boolean
  /** Closes the connection without answering. */
  reset?: boolean
}

export interface NodeBackend {
  url: string
  calls: BackendCall[]
  /** Replaces how the backend answers (default: 200 {"status":"ok"}). */
  answer(reply: (call: BackendCall) => BackendReply | Promise<BackendReply>): void
  close(): Promise<void>
}

/** A real node:http backend on an ephemeral port, recording every call. */
export async function startNodeBackend(): Promise<NodeBackend> {
  const calls: BackendCall[] = []
  let reply: (call: BackendCall) => BackendReply | Promise<BackendReply> = () => ({
    status: 200,
    body: { status: 'ok' },
  })
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const call: BackendCall = { headers: req.headers, body, event: JSON.parse(body.toString('utf8')) }
    calls.push(call)
    const { status, body: json, raw, delayMs, stallBody, reset } = await reply(call)
    call.answered = status
    if (reset) return req.socket.destroy()
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
    if (res.destroyed) return
    res.writeHead(status, { 'content-type': 'application/json' })
    if (stallBody) {
      res.write('{"status":')
      return
    }
    res.end(raw ?? (json === undefined ? '' : JSON.stringify(json)))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/aghanim`,
    calls,
    answer(next) {
      reply = next
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export interface PythonBackend {
  url: string
  /** The calls it printed: whether the signature verified, and the forward headers. */
  calls(): Array<{
    verified: boolean
    event_type: string | null
    delivery_id: string | null
    attempt: string | null
    idempotency_key: string | null
  }>
  close(): Promise<void>
}

/** Debian's python3 running `aghanim_backend.py` (Aghanim's sample verification) with `secret`. */
export async function startPythonBackend(secret: string): Promise<PythonBackend> {
  const script = fileURLToPath(new URL('./aghanim_backend.py', import.meta.url))
  const child: ChildProcess = spawn('/usr/bin/python3', [script, secret], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = outputOf(child)
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const match = /listening (\d+)/.exec(output.out)
      if (match) resolve(match[1]!)
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`python3 exited (${code}): ${output.err}`)))
  })
  return {
    url: `http://127.0.0.1:${port}/aghanim`,
    calls: () =>
      output.out
        .split('\n')
        .filter((line) => line.startsWith('call '))
        .map((line) => JSON.parse(line.slice(5))),
    async close() {
      child.kill('SIGKILL')
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
    },
  }
}

/** A port nothing listens on (bound, then closed). */
export async function refusedUrl(): Promise<string> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/aghanim`
}

/**
 * For one test file: a node backend and a test server forwarding to it (`env` gets the backend's URL), both
 * closed after the file; before each test the backend forgets its calls and answers 200 `{ status: "ok" }`.
 */
export function useForwarding(env: (backendUrl: string) => Record<string, string>): {
  readonly backend: NodeBackend
  readonly server: TestServer
} {
  const running = {} as { backend: NodeBackend; server: TestServer }
  beforeAll(async () => {
    running.backend = await startNodeBackend()
    running.server = await startTestServer(env(running.backend.url))
  })
  afterAll(async () => {
    await running.server?.close()
    await running.backend?.close()
  })
  beforeEach(() => {
    running.backend.calls.length = 0
    running.backend.answer(() => ({ status: 200, body: { status: 'ok' } }))
  })
  return running
}
