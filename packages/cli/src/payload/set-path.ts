import { UsageError } from '../io.js'

// Top-level fields of the event envelope; any other path is taken to be inside event_data.
const ENVELOPE_KEYS = new Set([
  'event_type',
  'event_data',
  'event_time',
  'event_id',
  'idempotency_key',
  'sandbox',
  'trigger',
  'request_id',
  'transaction_id',
  'context',
  'game_id',
])

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor'])

/** One `--set` assignment: where, and the value to put there. */
export interface Assignment {
  path: (string | number)[]
  value: unknown
}

/**
 * Parses `path=text` (the value is a string) or `path:=json` (the value is JSON: numbers, booleans, null,
 * arrays, objects), as httpie does, so `player_id=123` stays the string "123". Paths use dots and
 * `[index]`: `items[0].quantity:=5`. A path that does not start with an envelope field is inside event_data.
 *
 * @example parseAssignment('items[0].quantity:=5') // { path: ['event_data', 'items', 0, 'quantity'], value: 5 }
 */
export function parseAssignment(text: string): Assignment {
  const match = /^([^=:]+?)(:?)=(.*)$/s.exec(text)
  if (!match) throw new UsageError(`--set expects path=value or path:=json, got ${JSON.stringify(text)}.`)
  const [, rawPath = '', json, rawValue = ''] = match
  const path = parsePath(rawPath.trim())
  if (!ENVELOPE_KEYS.has(String(path[0]))) path.unshift('event_data')
  if (!json) return { path, value: rawValue }
  try {
    return { path, value: JSON.parse(rawValue) }
  } catch {
    throw new UsageError(
      `--set ${rawPath}:= needs a JSON value, got ${JSON.stringify(rawValue)} (use ${rawPath}=… for a string).`,
    )
  }
}

function parsePath(text: string): (string | number)[] {
  const path: (string | number)[] = []
  const pattern = /([^.[\]]+)|\[(\d+)\]/g
  let consumed = 0
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const between = text.slice(consumed, match.index)
    if (between !== '' && between !== '.') break
    path.push(match[2] !== undefined ? Number(match[2]) : match[1]!)
    consumed = match.index + match[0].length
  }
  if (path.length === 0 || consumed !== text.length) {
    throw new UsageError(`--set: ${JSON.stringify(text)} is not a path like event_data.items[0].sku.`)
  }
  for (const key of path)
    if (FORBIDDEN.has(String(key))) throw new UsageError(`--set: the key ${key} is not allowed.`)
  return path
}

/** Writes `value` at `path`, creating objects and arrays on the way. Mutates `target`. */
export function applyAssignment(target: Record<string, unknown>, { path, value }: Assignment): void {
  let node: Record<string | number, unknown> = target
  for (let index = 0; index < path.length - 1; index++) {
    const key = path[index]!
    const next = node[key]
    if (typeof next !== 'object' || next === null) {
      node[key] = typeof path[index + 1] === 'number' ? [] : {}
    }
    node = node[key] as Record<string | number, unknown>
  }
  node[path[path.length - 1]!] = value
}
