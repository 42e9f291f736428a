import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { outputOf } from '../../../../../test-support/child-process.js'

export const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url))
const BIN = join(ROOT, 'packages/cli/dist/bin.js')

/**
 * Builds the workspace (as `npm run build` does) before a test file spawns servers: the reliability tests run
 * the real `serve` binary, as operators do, so a stale `dist` would test yesterday's code. `tsc -b` is
 * incremental (a no-op when `npm test` built already); a lock directory keeps test files from building at once.
 */
let built = false

export function ensureBuilt(): void {
  if (built) return
  const lock = join(tmpdir(), 'awh-reliability-build.lock')
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // A lock older than two minutes belongs to a build that died with its test run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) rmdirSync(lock)
      if (Date.now() > deadline) throw new Error(`Could not take the build lock ${lock}.`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
    }
  }
  try {
    // What `npm run build` does: compile everything, then put the inspector's static files beside it.
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    execFileSync(process.execPath, [tsc, '-b'], { cwd: ROOT, stdio: 'pipe' })
    execFileSync(process.execPath, [join(ROOT, 'packages/server/inspector/copy-static.mjs')], {
      cwd: ROOT,
      stdio: 'pipe',
    })
    built = true
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error)
    throw new Error(`npm run build failed, so the server binary cannot be tested:\n${output}`)
  } finally {
    rmdirSync(lock)
  }
}

export interface ServerProcess {
  child: ChildProcess
  pid: number
  url: string
  /** Everything written so far (the banner and JSON log lines; stderr separately). */
  stdout(): string
  stderr(): string
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resident set size from /proc (Linux), else from the server's /metrics. */
  rss(): Promise<number>
  /** V8 heap in use after a full garbage collection (needs `inspect: true`). */
  heapUsedAfterGc(): Promise<number>
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface SpawnOptions {
  env: Record<string, string>
  args?: string[]
  /** Working directory (a `.env` there would be read); a fresh temp directory by default. */
  cwd?: string
  /** How long to wait for the banner. */
  timeoutMs?: number
  /** Opens the V8 inspector on a loopback port, so the test can force a GC and read the heap. */
  inspect?: boolean
}

/**
 * Starts `node packages/cli/dist/bin.js serve --port 0 --host 127.0.0.1 …` and resolves once the banner
 * names its URL. stdout/stderr are kept in memory for the secret greps.
 */
export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const inspect = options.inspect ? ['--inspect=127.0.0.1:0'] : []
  const ownCwd = options.cwd === undefined ? mkdtempSync(join(tmpdir(), 'awh-rel-cwd-')) : undefined
  const child = spawn(
    process.execPath,
    [...inspect, BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...(options.args ?? [])],
    {
      cwd: options.cwd ?? ownCwd,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const output = outputOf(child)
  const exited = once(child, 'exit').then(([code, signal]) => {
    if (ownCwd) rmSync(ownCwd, { recursive: true, force: true })
    return { code: code as number | null, signal: signal as NodeJS.Signals | null }
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no banner')), options.timeoutMs ?? 20_000)
    const onData = () => {
      const match = /listening on (http:\/\/[^\s]+) \(ready/.exec(output.out)
      if (!match) return
      cleanup()
      resolve(match[1]!)
    }
    const fail = (error: Error) => {
      cleanup()
      child.kill('SIGKILL')
      reject(
        new Error(
          `The server did not start (${error.message}).\nstdout: ${output.out}\nstderr: ${output.err}`,
        ),
      )
    }
    const onExit = () => fail(new Error(`exited with ${child.exitCode ?? child.signalCode}`))
    const cleanup = () => {
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      child.off('exit', onExit)
    }
    child.stdout!.on('data', onData)
    child.once('exit', onExit)
  })
  return {
    child,
    pid: child.pid!,
    url,
    stdout: () => output.out,
    // The inspector announces itself on stderr; anything else there is a finding.
    stderr: () => output.err.replace(/^(Debugger |For help, see: |Waiting for the debugger).*\n/gm, ''),
    exited,
    async rss() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
      } catch {
        const text = await (await fetch(`${url}/metrics`)).text()
        return Number(/^process_resident_memory_bytes (\d+)/m.exec(text)![1])
      }
    },
    async heapUsedAfterGc() {
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(output.err)
      if (!match) throw new Error('Start the server with inspect: true to read its heap.')
      return heapUsedAfterGc(match[1]!)
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** Asks V8, over the inspector protocol, for a full GC and then the heap in use. */
async function heapUsedAfterGc(url: string): Promise<number> {
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  let id = 0
  const call = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      id += 1
      const mine = id
      const onMessage = (event: MessageEvent) => {
        const message = JSON.parse(String(event.data)) as {
          id?: number
          result?: Record<string, unknown>
          error?: unknown
        }
        if (message.id !== mine) return
        socket.removeEventListener('message', onMessage)
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`))
        else resolve(message.result ?? {})
      }
      socket.addEventListener('message', onMessage)
      socket.send(JSON.stringify({ id: mine, method }))
    })
  try {
    await call('HeapProfiler.collectGarbage')
    return Number((await call('Runtime.getHeapUsage')).usedSize)
  } finally {
    socket.close()
  }
}

/**
 * For one describe block: the real `serve` binary (built first) on an SQLite file `<label>.db` in a fresh
 * directory, which is its working directory too; SIGTERMed and removed after the block. Read `server` from the
 * returned object inside tests and hooks that run after it started.
 */
export function useServedSqlite(
  label: string,
  env: Record<string, string>,
  options: Pick<SpawnOptions, 'inspect'> = {},
): { readonly server: ServerProcess } {
  const running = {} as { server: ServerProcess; dir: string }
  beforeAll(async () => {
    ensureBuilt()
    running.dir = mkdtempSync(join(tmpdir(), `awh-${label}-`))
    running.server = await spawnServer({
      env: { ...env, DATABASE_URL: `sqlite:${join(running.dir, `${label}.db`)}` },
      cwd: running.dir,
      ...options,
    })
  })
  afterAll(async () => {
    await running.server?.kill('SIGTERM')
    if (running.dir) rmSync(running.dir, { recursive: true, force: true })
  })
  return running
}

/** Starts `serve` expecting it to give up: resolves with what it said (or `started`) and how long it took. */
export async function failedStart(
  env: Record<string, string>,
): Promise<{ failure: string; gaveUpMs: number }> {
  const started = performance.now()
  const failure = await spawnServer({ env }).then(
    async (server) => {
      await server.kill('SIGTERM')
      return 'started'
    },
    (error: Error) => error.message,
  )
  return { failure, gaveUpMs: Math.round(performance.now() - started) }
}
