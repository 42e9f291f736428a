import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type RunningServer, startServer } from '@aghanim-webhooks/server'
import { afterAll, beforeAll } from 'vitest'

export interface RealServer extends RunningServer {
  /** `<url>/webhook`, where the server receives Aghanim's deliveries. */
  webhook: string
  /** Where its SQLite database lives; tests may put their own files there too. */
  dir: string
}

export interface RealServerOptions {
  /** The server's environment: secrets, ADMIN_TOKEN, FORWARD_TO… */
  env: Readonly<Record<string, string>>
  /** Flags after the loopback, silent, ephemeral-port defaults. */
  flags?: string[]
  /** Reuse a data directory (a restart); otherwise a fresh one is made. */
  dir?: string
  port?: number
}

/**
 * Our real server in this process, on loopback, logging nothing, its SQLite database in a temporary directory
 * (development starts seed `testplayer`). `close` is safe to call twice; the caller removes a directory it made.
 */
export async function startRealServer(options: RealServerOptions): Promise<RealServer> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'awh-cli-')))
  const flags = ['--port', String(options.port ?? 0), '--host', '127.0.0.1', '--log-level', 'silent']
  const server = await startServer(
    loadConfig([...flags, '--data-dir', dir, ...(options.flags ?? [])], options.env, dir),
  )
  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= server.close()
    return closing
  }
  return { ...server, close, webhook: `${server.url}/webhook`, dir }
}

/**
 * One real server for the file's tests: started before them, closed and its directory removed after. The
 * returned object is filled in once it runs, so read its fields inside tests and hooks.
 *
 * @example const real = useRealServer(() => ({ env: { AGHANIM_WEBHOOK_SECRET: 'whsec_x' } }))
 */
export function useRealServer(options: () => RealServerOptions): RealServer {
  const running = {} as RealServer
  beforeAll(async () => {
    Object.assign(running, await startRealServer(options()))
  })
  afterAll(async () => {
    await running.close?.()
    if (running.dir) await rm(running.dir, { recursive: true, force: true })
  })
  return running
}
