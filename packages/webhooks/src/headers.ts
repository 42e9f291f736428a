import type { IncomingRequest } from './handler.js'

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
