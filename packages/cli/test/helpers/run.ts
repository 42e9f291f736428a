import { type CliIo, runCli } from '@aghanim-webhooks/cli'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process with captured output; `env` replaces the environment entirely. */
export async function cli(
  argv: string[],
  options: Partial<Omit<CliIo, 'stdout' | 'stderr'>> & { tty?: boolean; stdinText?: string } = {},
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const { tty = false, stdinText, ...io } = options
  const code = await runCli(argv, {
    env: {},
    cwd: process.cwd(),
    ...io,
    stdin: stdinText === undefined ? io.stdin : textStream(stdinText),
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: tty },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: tty },
  })
  return { code, stdout, stderr }
}

function textStream(text: string): AsyncIterable<Uint8Array> & { isTTY: boolean } {
  return {
    isTTY: false,
    async *[Symbol.asyncIterator]() {
      yield new TextEncoder().encode(text)
    },
  }
}
