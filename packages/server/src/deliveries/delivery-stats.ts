import type { DeliveryStatsJson } from '../api/admin-api-types.js'
import type { MinuteCount, ServerDatabase } from '../database/server-database.js'
import { HttpError } from '../errors/server-errors.js'

export type { DeliveryStatsJson }

const MINUTE = 60_000

/** The start (Unix ms) of the minute holding `time`: the bucket the recorder counts into and the chart reads. */
export const minuteOf = (time: number) => Math.floor(time / MINUTE) * MINUTE

/** A batch's deliveries counted by minute and outcome. */
export function minuteCounts(records: readonly { receivedAt: number; outcome: string }[]): MinuteCount[] {
  const counts = new Map<string, MinuteCount>()
  for (const { receivedAt, outcome } of records) {
    const minute = minuteOf(receivedAt)
    const key = `${minute} ${outcome}`
    const entry = counts.get(key)
    if (entry) entry.count += 1
    else counts.set(key, { minute, outcome, count: 1 })
  }
  return [...counts.values()]
}

/**
 * Per-minute delivery counts by outcome over the last `minutes` (default 60, at most 1440), for the inspector's
 * chart. Counted by the database, so every worker and instance sharing it is included. Internal.
 *
 * @example await deliveryStatsJson(database, new URLSearchParams('minutes=15'), Date.now())
 */
export async function deliveryStatsJson(
  database: ServerDatabase,
  params: URLSearchParams,
  now: number,
): Promise<DeliveryStatsJson> {
  const raw = params.get('minutes') ?? '60'
  const minutes = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!(minutes >= 1 && minutes <= 1440))
    throw new HttpError('invalid_query', `minutes must be 1 to 1440, got ${JSON.stringify(raw)}.`)
  const until = minuteOf(now) + MINUTE
  const since = until - minutes * MINUTE
  const buckets = new Map<number, Record<string, number>>()
  for (let minute = since; minute < until; minute += MINUTE) buckets.set(minute, {})
  for (const row of await database.deliveryStats(since, until)) {
    const counts = buckets.get(row.minute)
    if (counts) counts[row.outcome] = (counts[row.outcome] ?? 0) + row.count
  }
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    minutes: [...buckets].map(([minute, counts]) => ({ minute: new Date(minute).toISOString(), counts })),
  }
}
