import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { outputOf, RUN_TYPESCRIPT_SOURCES } from '../../../../test-support/child-process.js'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const running = new Set<ChildProcess>()

/** SIGKILLs every child still running (for afterAll: a failed test must not leave servers behind). */
export function killAllServe(): void {
  for (const child of running) child.kill('SIGKILL')
}

export interface ServeProcess {
  child: ChildProcess
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the base URL once the banner is printed. */
  ready: Promise<string>
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>
}

/**
 * `aghanim-webhooks serve` in a child process, running the TypeScript sources (no build needed), in `cwd`.
 * The environment is the given one only (plus PATH), so the developer's own variables cannot leak in.
 */
export function spawnServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): ServeProcess {
  const child = spawn(
    process.execPath,
    [...RUN_TYPESCRIPT_SOURCES, here('../../src/main.ts'), 'serve', ...args],
    {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  running.add(child)
  child.once('exit', () => running.delete(child))
  const output = outputOf(child)
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  const ready = new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output.out)
      if (match) resolve(match[1]!)
    }
    child.stdout!.on('data', check)
    exited.then((code) =>
      reject(new Error(`serve exited (${code}) before it was ready:\n${output.err}\n${output.out}`)),
    )
  })
  ready.catch(() => {})
  return { child, stdout: () => output.out, stderr: () => output.err, ready, exited }
}
