/** Where the CLI writes: `process.stdout`/`process.stderr`, or a test's capture. */
export interface CliStream {
  write(chunk: string): unknown
  /** True on a terminal: enables colours and progress display. */
  isTTY?: boolean
}

/**
 * Everything the CLI reads from and writes to the outside world, injected so tests run it in-process.
 *
 * @example
 * const io: CliIo = { env: process.env, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() }
 */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>
  stdout: CliStream
  stderr: CliStream
  /** Read by `sign -` and `--data -`; absent means "no standard input". */
  stdin?: AsyncIterable<Uint8Array | string> & { isTTY?: boolean }
  cwd: string
  /** Used for send, trigger and replay; defaults to the global `fetch`. */
  fetch?: typeof fetch
  /** The clock in milliseconds (timestamps, timings' labels); defaults to `Date.now`. */
  now?: () => number
}

/**
 * Documented exit codes: 0 everything passed, 1 a check or request failed, 2 usage or configuration error.
 *
 * @example if ((await runCli(['check', url], io)) === exitCodes.failed) console.error('the endpoint has defects')
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const

/**
 * A mistake in the command line or configuration: printed with a pointer to `--help`, exit code 2.
 *
 * @example throw new UsageError('--url is required, e.g. --url http://localhost:8000/webhook')
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
