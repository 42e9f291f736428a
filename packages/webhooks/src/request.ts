/**
 * What the core reads of a request. A web `Request` is one; the Node adapters pass a lighter one built from
 * node's request (a `Request` costs ≈10 µs to build, a tenth of the library's CPU per delivery). Internal.
 */
export interface IncomingRequest {
  readonly method: string
  readonly url: string
  readonly headers: Headers
  /** Reads one header exactly as `headers.get` does, without building `headers` (the Node adapters). */
  readonly header?: (name: string) => string | null
  /** The header lines as received, `[name, value, …]` (the Node adapters). */
  readonly rawHeaders?: readonly string[]
}

/** Reads the body of one request, refusing (413) past `maxBytes`: how a Node adapter hands the core the
 * body it reads from the socket itself, beside a body-less request. */
export type DirectBody = (maxBytes: number) => Promise<Uint8Array>
