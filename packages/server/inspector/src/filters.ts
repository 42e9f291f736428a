import { toMillis } from './format.js'
import type { DeliverySummary } from './types.js'

/** The list's filters; the names are the admin API's query parameters. */
export interface Filters {
  type: string
  outcome: string
  status: string
  player: string
  key: string
  since: string
  until: string
  /** A game id, or '' for every game. */
  game: string
  /** 'true' (sandbox only), 'false' (live only) or '' (both). */
  sandbox: string
}

export const FILTER_NAMES = [
  'type',
  'outcome',
  'status',
  'player',
  'key',
  'since',
  'until',
  'game',
  'sandbox',
] as const

export function emptyFilters(): Filters {
  return {
    type: '',
    outcome: '',
    status: '',
    player: '',
    key: '',
    since: '',
    until: '',
    game: '',
    sandbox: '',
  }
}

export function filtersFromParams(params: URLSearchParams): Filters {
  const filters = emptyFilters()
  for (const name of FILTER_NAMES) filters[name] = params.get(name)?.trim() ?? ''
  return filters
}

export function filtersToParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams()
  for (const name of FILTER_NAMES) if (filters[name]) params.set(name, filters[name])
  return params
}

export function hasFilters(filters: Filters): boolean {
  return FILTER_NAMES.some((name) => filters[name] !== '')
}

/**
 * Whether a delivery that just arrived on the live stream belongs in the filtered list; the same rules the
 * server applies to the query, so live rows and a reload agree.
 */
export function matchesFilters(delivery: DeliverySummary, filters: Filters): boolean {
  if (filters.type && delivery.event_type !== filters.type) return false
  if (filters.outcome && delivery.outcome !== filters.outcome) return false
  if (filters.status && String(delivery.status) !== filters.status) return false
  if (filters.player && delivery.player_id !== filters.player) return false
  if (filters.key && delivery.key !== filters.key) return false
  if (filters.game && delivery.game !== filters.game) return false
  if (filters.sandbox && String(delivery.sandbox === true) !== filters.sandbox) return false
  const at = toMillis(delivery.received_at)
  const since = toMillis(filters.since)
  const until = toMillis(filters.until)
  // `since` is inclusive and `until` exclusive, as in the delivery log's query.
  if (since !== undefined && (at === undefined || at < since)) return false
  if (until !== undefined && (at === undefined || at >= until)) return false
  return true
}
