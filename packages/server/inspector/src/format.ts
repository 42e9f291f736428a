/** Milliseconds since the epoch from the API's timestamps (ISO text, epoch milliseconds or seconds). */
export function toMillis(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  if (typeof value === 'number') return value < 1e11 ? value * 1000 : value
  if (/^\d+$/.test(value)) return toMillis(Number(value))
  const millis = Date.parse(value)
  return Number.isNaN(millis) ? undefined : millis
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
const minuteFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

/** Time of day for today's entries, date and time otherwise. */
export function formatTime(value: string | number | null | undefined, now = Date.now()): string {
  const millis = toMillis(value)
  if (millis === undefined) return '—'
  const sameDay = new Date(millis).toDateString() === new Date(now).toDateString()
  return sameDay ? timeFormat.format(millis) : dateTimeFormat.format(millis)
}

export function formatDateTime(value: string | number | null | undefined): string {
  const millis = toMillis(value)
  return millis === undefined ? '—' : dateTimeFormat.format(millis)
}

export function formatMinute(millis: number): string {
  return minuteFormat.format(millis)
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1) return '<1 ms'
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

/** Pretty-prints JSON text with two-space indentation; anything else is shown exactly as received. */
export function prettyBody(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return ''
  try {
    return JSON.stringify(JSON.parse(text), null, 2)
  } catch {
    return text
  }
}

/** The ISO form of a `<input type="datetime-local">` value (local time), for the API's since/until. */
export function localInputToIso(value: string): string {
  const millis = Date.parse(value)
  return Number.isNaN(millis) ? '' : new Date(millis).toISOString()
}

/** The `<input type="datetime-local">` form of an ISO time. */
export function isoToLocalInput(value: string): string {
  const millis = toMillis(value)
  if (millis === undefined) return ''
  const date = new Date(millis)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** Attempt 0 means the handler was not run for a key (a read-only event, a duplicate, a refusal). */
export function attemptText(attempt: number): string {
  return attempt > 0 ? String(attempt) : '—'
}
