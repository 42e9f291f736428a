import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { itemAddBody, playerVerifyBody, signBody } from './events.mjs'

/**
 * Writes a pool of pre-signed requests for `wrk.lua`, one per line: `signature timestamp body`. wrk cannot
 * compute an HMAC per request fast enough itself, so the signatures are made here and the script rotates
 * through them. Returns the number of lines.
 *
 * kinds: `verify` (player.verify; any pool size will do, it is never deduplicated), `unique` (item.add, each
 * line its own idempotency key: size the pool above the requests the run can send), `duplicate` (item.add
 * over `keys` keys only, so after the first pass every request is a duplicate).
 *
 * @example await writePool('/tmp/pool.txt', { kind: 'unique', size: 50_000, bodyBytes: 1024, secret })
 */
export async function writePool(file, { kind, size, bodyBytes, secret, keys = 100, now = Date.now }) {
  const timestamp = String(Math.floor(now() / 1000))
  // A fresh prefix per pool: two runs against the same database never share a key by accident.
  const prefix = randomBytes(6).toString('hex')
  const out = createWriteStream(file)
  for (let i = 0; i < size; i++) {
    const body = bodyFor(kind, i, prefix, keys, bodyBytes)
    if (!out.write(`${signBody(secret, timestamp, body)} ${timestamp} ${body}\n`)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return size
}

function bodyFor(kind, i, prefix, keys, bodyBytes) {
  if (kind === 'verify') return playerVerifyBody(i, bodyBytes)
  if (kind === 'unique') return itemAddBody(i, `${prefix}_${i}`, bodyBytes)
  if (kind === 'duplicate') return itemAddBody(i, `dup_${prefix}_${i % keys}`, bodyBytes)
  throw new Error(`Unknown pool kind ${kind}`)
}
