import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { RUN_TYPESCRIPT_SOURCES } from '../../../../test-support/child-process.js'

const running = new Set<ChildProcess>()

/** SIGKILLs every `listen` still running (afterAll: a failed test must not leave one behind). */
export function killAllListen(): void {
  for (const child of running) child.kill('SIGKILL')
}

export interface ListenProcess {
  child: ChildProcess
  /** stdout's lines so far; with `--json`, one delivery each. */
  lines(): string[]
  stderr(): string
  /** Resolves once stderr (status messages) matches, the n-th time. */
  said(pattern: RegExp, times?: number): Promise<void>
  /** Resolves once stdout has at least `count` lines. */
  printed(count: number): Promise<string[]>
  exited: Promise<number | string>
}

/**
 * `aghanim-webhooks listen` as a real child process running the CLI's TypeScript sources, with only the given
 * environment (plus PATH and NO_COLOR).
 */
export function spawnListen(args: string[], env: Record<string, string> = {}): ListenProcess {
  const child = spawn(
    process.execPath,
    [
      ...RUN_TYPESCRIPT_SOURCES,
      fileURLToPath(new URL('../../src/bin.ts', import.meta.url)),
      'listen',
      ...args,
    ],
    { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  running.add(child)
  child.once('exit', () => running.delete(child))
  let out = ''
  let err = ''
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const waiter of [...waiters]) waiter()
  }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    wake()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk
    wake()
  })
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
  const until = (done: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return
        waiters.delete(check)
        resolve()
      }
      waiters.add(check)
      check()
      void exited.then((code) => {
        if (waiters.delete(check))
          reject(new Error(`listen exited (${code}) before ${what}:\n${err}\n${out}`))
      })
    })
  const lines = () => out.split('\n').filter((line) => line !== '')
  return {
    child,
    lines,
    stderr: () => err,
    said: (pattern, times = 1) =>
      until(
        () =>
          (err.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))?.length ?? 0) >= times,
        `saying ${pattern}`,
      ),
    printed: async (count) => {
      await until(() => lines().length >= count, `printing ${count} lines`)
      return lines()
    },
    exited,
  }
}
