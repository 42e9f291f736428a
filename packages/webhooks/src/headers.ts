import type { IncomingRequest } from './request.js'

/** The two headers Aghanim signs with (lower-case: HTTP header names are case-insensitive). */
export const SIGNATURE_HEADER = 'x-aghanim-signature'
export const TIMESTAMP_HEADER = 'x-aghanim-signature-timestamp'

/** Web `Headers`, or a Node-style record (`IncomingHttpHeaders`) whose repeated headers arrive as arrays. */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>

/** Reads one header; `undefined` when absent, an array when it was sent more than once. Internal. */
export function readHeader(headers: HeadersLike, name: string): string | readonly string[] | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>
  if (name in record) return record[name]
  for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key]
  return undefined
}

/** One header of a request, through its `header` reader where it has one. Internal. */
export function headerOf(request: IncomingRequest, name: string): string | null {
  return request.header ? request.header(name) : request.headers.get(name)
}

/**
 * `webHeaders(raw).get(name)` for a lower-case header `name`, without building the `Headers`: the values of
 * every field of that name, trimmed of HTTP whitespace, joined with ", "; a value `Headers` would refuse
 * (NUL, CR or LF inside, a character above U+00FF) is skipped as `webHeaders` skips it.
 */
export function rawHeader(raw: readonly string[], name: string): string | null {
  let joined: string | null = null
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i]!
    if (field.length !== name.length || field.toLowerCase() !== name || !isAscii(field)) continue
    const value = fetchHeaderValue(raw[i + 1]!)
    if (value === undefined) continue
    joined = joined === null ? value : `${joined}, ${value}`
  }
  return joined
}

function fetchHeaderValue(value: string): string | undefined {
  let start = 0
  let end = value.length
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--
  while (end > start && isHttpWhitespace(value.charCodeAt(start))) start++
  for (let i = start; i < end; i++) {
    const code = value.charCodeAt(i)
    if (code === 0 || code === 10 || code === 13 || code > 255) return undefined
  }
  return start === 0 && end === value.length ? value : value.slice(start, end)
}

function isHttpWhitespace(code: number): boolean {
  return code === 9 || code === 10 || code === 13 || code === 32
}

// A name that lower-cases to an ASCII one without being ASCII (the Kelvin sign K) is no HTTP token.
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false
  return true
}

/** A field name `Headers` accepts (RFC 9110's token); HTTP/2's pseudo-headers (`:authority`) are not. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * A delivery's request headers as one plain object, as web `Headers` would list them (in the order received,
 * where `Headers` sorts): lower-case names, repeated fields joined with ", " (cookies with "; "), values `Headers` would refuse left out. Built straight from the
 * header lines when the delivery has them (the Node adapters), without building `headers`.
 *
 * @example headerRecord(delivery) // { 'content-type': 'application/json', 'x-aghanim-signature': '…', … }
 */
export function headerRecord(
  delivery: Pick<IncomingRequest, 'headers' | 'rawHeaders'>,
): Record<string, string> {
  const raw = delivery.rawHeaders
  // Entries, not assignments: a field named `__proto__` must stay a field.
  if (!raw) return Object.fromEntries(delivery.headers)
  // A plain object (V8 keeps a prototype-less one as a slower dictionary); the names seen so far tell the
  // repeats, since inherited names (`constructor`) read as defined on it.
  const joined: Record<string, string> = {}
  const names: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i]!
    if (!HTTP_TOKEN.test(field)) continue
    let value = fetchHeaderValue(raw[i + 1]!)
    if (value === undefined) continue
    const name = field.toLowerCase()
    // As undici's Headers: cookies joined with "; ", each set-cookie listed apart (so the last one stays).
    if (!names.includes(name)) names.push(name)
    else if (name !== 'set-cookie')
      value = `${ownField(joined, name)}${name === 'cookie' ? '; ' : ', '}${value}`
    setField(joined, name, value)
  }
  return joined
}

/** `record[name] = value`, also for `__proto__`, which an assignment would take for the prototype. */
function setField(record: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__')
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true })
  else record[name] = value
}

function ownField(record: Record<string, string>, name: string): string {
  return Object.getOwnPropertyDescriptor(record, name)?.value as string
}
