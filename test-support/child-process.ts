import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/**
 * Node's arguments for running the workspace's TypeScript sources in a child process: types stripped, the
 * `source` export condition, and `./x.js` imports retried as `./x.ts`.
 */
export const RUN_TYPESCRIPT_SOURCES = [
  '--experimental-transform-types',
  '--disable-warning=ExperimentalWarning',
  '--conditions=source',
  '--import',
  fileURLToPath(new URL('./source-hooks.mjs', import.meta.url)),
]

/** Starts the TypeScript file `script` (a URL, e.g. `new URL('./fixtures/x.ts', import.meta.url)`) in a child Node process. */
export function spawnFixture(script: URL, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [...RUN_TYPESCRIPT_SOURCES, fileURLToPath(script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Calls `onLine` for each stdout line; resolves when the child has exited, with its exit code, signal and stderr. */
export async function collect(child: ChildProcess, onLine: (line: string) => void = () => {}) {
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  createInterface({ input: child.stdout! }).on('line', onLine)
  // 'close' (not 'exit') comes after the child's stdio ended, so no line is still in flight.
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  return { code, signal, stderr }
}

/** What a child has printed so far on stdout (`out`) and stderr (`err`), kept as it arrives. */
export function outputOf(child: ChildProcess): { readonly out: string; readonly err: string } {
  const output = { out: '', err: '' }
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.out += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.err += chunk
  })
  return output
}
