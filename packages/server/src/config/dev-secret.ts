import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A development start without a secret uses `<data dir>/webhook-secret`, creating it (mode 0600) on first use, so
 * the secret printed once keeps working across restarts. Two processes starting together agree: the file is
 * created exclusively and the loser reads the winner's. Internal.
 */
export function ensureDevSecret(dataDir: string): { secret: string; path: string; created: boolean } {
  const path = join(dataDir, 'webhook-secret')
  const existing = read(path)
  if (existing) return { secret: existing, path, created: false }
  mkdirSync(dataDir, { recursive: true })
  const secret = `whsec_dev_${randomBytes(24).toString('base64url')}`
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' })
    return { secret, path, created: true }
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' ? read(path) : undefined
    if (raced) return { secret: raced, path, created: false }
    throw error
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}
