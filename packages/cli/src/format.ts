import type { Style } from './style.js'

/** `12 ms`, `1.4 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** The status code coloured by class: 2xx green, 4xx yellow, 5xx red. */
export function formatStatus(status: number, style: Style, statusText = ''): string {
  const text = statusText ? `${status} ${statusText}` : String(status)
  if (status >= 200 && status < 300) return style.green(text)
  if (status >= 500) return style.red(text)
  return style.yellow(text)
}

/** A body on one line, cut to `max` characters, for per-request listings. */
export function oneLine(body: string, max = 120): string {
  const flat = body.replace(/\s*\n\s*/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** JSON bodies pretty-printed, anything else as it came. */
export function prettyBody(body: string, json: unknown): string {
  return json === undefined ? body : JSON.stringify(json, null, 2)
}

/** `{ code, message }` of an error body `{ status: "error", code, message }`, when the body is one. */
export function errorOf(json: unknown): { code?: string; message?: string } | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const { code, message } = json as { code?: unknown; message?: unknown }
  if (typeof code !== 'string' && typeof message !== 'string') return undefined
  return {
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : undefined,
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
