import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type CliIo, UsageError } from './io.js'

/** Reads a file's exact bytes, or standard input for `-`. */
export async function readInput(source: string, io: CliIo): Promise<Uint8Array> {
  if (source === '-') return readStdin(io)
  const path = resolve(io.cwd, source)
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? String(error))
    throw new UsageError(`Cannot read ${source}: ${reason}.`)
  }
}

async function readStdin(io: CliIo): Promise<Uint8Array> {
  if (!io.stdin) throw new UsageError('No standard input to read from (`-`).')
  if (io.stdin.isTTY)
    throw new UsageError('`-` reads the body from standard input: pipe it in, e.g. `cat body.json | …`.')
  const chunks: Uint8Array[] = []
  for await (const chunk of io.stdin)
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk)
  return Buffer.concat(chunks)
}
