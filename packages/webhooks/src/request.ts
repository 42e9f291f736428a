/**
 * What the core reads of a request. A web `Request` is one; the Node adapters pass a lighter one built from
 * node's request, because building a `Request` is a measurable part of a delivery's CPU
 * (docs/benchmarks.md, "Why the code is shaped this way"). Internal.
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
