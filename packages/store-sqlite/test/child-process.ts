import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** Starts `fixtures/<script>` in a child Node process that runs the TypeScript sources of the workspace. */
export function spawnFixture(script: string, args: readonly string[]): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--experimental-transform-types',
      '--disable-warning=ExperimentalWarning',
      '--conditions=source',
      '--import',
      here('./fixtures/source-hooks.mjs'),
      here(`./fixtures/${script}`),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
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
