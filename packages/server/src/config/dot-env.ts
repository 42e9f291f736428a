import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { ConfigError } from './config-error.js'

/**
 * Reads `<cwd>/.env` (or `--env-file`) with Node's own parser; a missing default file is fine, a missing
 * explicit one is a configuration error. Values never override the real environment (the caller merges). Internal.
 */
export function readDotEnv(cwd: string, explicit: string | undefined): Record<string, string> {
  const path = resolve(cwd, explicit ?? '.env')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (explicit === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new ConfigError(
      `Cannot read the env file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
    )
  }
  return parseEnv(text) as Record<string, string>
}
