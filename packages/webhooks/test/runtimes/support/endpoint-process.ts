import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

export interface EndpointProcess {
  readonly url: string
  readonly output: () => string
  stop(): Promise<void>
}

/** A free loopback port: the runtimes are told which port to listen on through `PORT`. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/**
 * Starts `command` (a runtime serving the webhook on `PORT`) and resolves once `path` answers HTTP at all.
 * A process that exits first, or never answers within `startMs`, fails with everything it printed.
 */
export async function startEndpoint(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; path?: string; startMs?: number },
): Promise<EndpointProcess> {
  const port = await freePort()
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${port}${options.path ?? '/webhook'}`
  const endpoint: EndpointProcess = { url, output: () => output, stop: () => stop(child) }
  const deadline = Date.now() + (options.startMs ?? 60_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${command} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}):\n${output}`,
      )
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) })
      return endpoint
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  await endpoint.stop()
  throw new Error(`${command} ${args.join(' ')} did not answer on ${url} in time:\n${output}`)
}

// The whole process group: `next start`, miniflare and npm-installed launchers run their server as a child.
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {
    return
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }, 5000)
  await exited
  clearTimeout(timer)
}
