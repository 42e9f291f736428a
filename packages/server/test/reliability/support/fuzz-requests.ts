import { createHmac } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { type EventType, eventTypes, fixtureEvent } from 'aghanim-webhooks'
import type { Random } from './prng.js'
import type { RawConnection } from './raw-http.js'

export interface FuzzTarget {
  secret: string
  adminToken: string
  /** Players that exist, so some grants really write the ledger. */
  players: readonly string[]
  maxBodyBytes: number
}

/** One request as bytes: `complete` when the server can answer it and then read the next one. */
interface Built {
  kind: string
  method: string
  bytes: Buffer
  /** False for requests after which the connection cannot carry another (truncated, oversized, HTTP/1.0, …). */
  reusable: boolean
  /** False when the server may wait for more bytes (truncated, short body): the client cuts the connection. */
  answerable: boolean
}

export interface FuzzConnection extends RawConnection {
  /** What each request was, for the report and to reproduce a failure. */
  kinds: string[]
  /** The raw requests (kept only to print a failing one). */
  requests: Buffer[]
}

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'TRACE',
  'PROPFIND',
  'SEARCH',
  'PURGE',
  'QUERY',
  'LOCK',
  'MKCOL',
  'REPORT',
  'NOTIFY',
  'SUBSCRIBE',
  'LINK',
  'SOURCE',
  'M-SEARCH',
  'CONNECT',
  'PRI',
]
const PATHS = [
  '/webhook',
  '/webhook/',
  '/webhook?x=1',
  '/WEBHOOK',
  '/webhook#frag',
  '//webhook',
  '/webhook/..',
  '/./webhook',
  '/%77ebhook',
  '/',
  '/healthz',
  '/readyz',
  '/metrics',
  '/inspector',
  '/inspector/',
  '/inspector/index.html',
  '/inspector/../../../etc/passwd',
  '/inspector/%2e%2e/%2e%2e/package.json',
  '/inspector/%00',
  '/inspector/%',
  '/inspector/app.js?v=1',
  '/api',
  '/api/',
  '/api/deliveries',
  '/api/deliveries/stream',
  '/api/players/testplayer',
  '/api/stats/deliveries',
  '/api/deliveries/x/replay',
  '*',
  'http://evil.example/webhook',
  '/%ff%fe',
  '/ä/ö',
  `/${'a'.repeat(3000)}`,
  '/?%',
  '/webhook?%zz',
]
const HEADER_NAMES = [
  'x-aghanim-signature',
  'x-aghanim-signature-timestamp',
  'content-type',
  'content-length',
  'transfer-encoding',
  'content-encoding',
  'authorization',
  'cookie',
  'expect',
  'connection',
  'upgrade',
  'host',
  'accept',
  'accept-encoding',
  'range',
  'if-none-match',
  'if-modified-since',
  'x-forwarded-for',
  'forwarded',
  'origin',
  'last-event-id',
  'x-request-id',
  'te',
  'trailer',
  'keep-alive',
  'proxy-connection',
]
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  '',
  '*/*',
]
// Values that sit on parser edges: empty, whitespace, huge numbers, unicode, control and high bytes.
const ODD_VALUES = [
  '',
  ' ',
  '\t',
  '0',
  '-1',
  '1e3',
  '0x10',
  '99999999999999999999999',
  'NaN',
  'null',
  'ä',
  '💥',
  '\u0000',
  'a'.repeat(200),
  '%00',
  '\\',
  '"',
  "'",
  '../',
  'chunked',
  'gzip',
  'close',
  'keep-alive',
  '100-continue',
]

export class FuzzGenerator {
  readonly #random: Random
  readonly #target: FuzzTarget
  /** Earlier signed requests, re-sent as duplicates. */
  readonly #sent: Buffer[] = []
  #serial = 0

  constructor(random: Random, target: FuzzTarget) {
    this.#random = random
    this.#target = target
  }

  /** The next connection: 1 to 40 pipelined requests, the last possibly one that ends the connection. */
  connection(): FuzzConnection {
    const r = this.#random
    const count = r.chance(0.35) ? 1 : r.chance(0.7) ? r.between(2, 10) : r.between(11, 40)
    const built: Built[] = []
    for (let i = 0; i < count; i += 1) {
      const request = this.#request()
      built.push(request)
      if (!request.reusable) break
    }
    const requests = built.map((request) => request.bytes)
    const stream = Buffer.concat(requests)
    const answerable = built.filter((request) => request.answerable)
    return {
      pieces: this.#split(stream),
      methods: answerable.map((request) => request.method),
      finish: answerable.length === built.length ? 'wait' : 'destroy',
      kinds: built.map((request) => request.kind),
      requests,
    }
  }

  #split(stream: Buffer): Buffer[] {
    const r = this.#random
    if (stream.length < 2 || r.chance(0.7)) return [stream]
    // A few cuts anywhere: mid request line, mid header, mid chunk, between pipelined requests.
    const cuts = Array.from({ length: r.between(1, 6) }, () => r.between(1, stream.length - 1)).sort(
      (a, b) => a - b,
    )
    const pieces: Buffer[] = []
    let at = 0
    for (const cut of cuts) {
      if (cut > at) pieces.push(stream.subarray(at, cut))
      at = cut
    }
    pieces.push(stream.subarray(at))
    return pieces
  }

  #request(): Built {
    const r = this.#random
    const roll = r.next()
    if (roll < 0.2) return this.#signed('signed', this.#eventBody())
    if (roll < 0.27 && this.#sent.length > 0) return this.#duplicate()
    if (roll < 0.42) return this.#signed('signed-mutated-body', this.#mutate(this.#eventBody()))
    if (roll < 0.52) return this.#badSignature()
    if (roll < 0.64) return this.#random_()
    if (roll < 0.72) return this.#framing()
    if (roll < 0.8) return this.#admin()
    if (roll < 0.86) return this.#plain()
    if (roll < 0.89) return this.#oversized()
    if (roll < 0.93) return this.#encoded()
    return this.#truncate(this.#signed('truncated', this.#eventBody()))
  }

  #eventBody(): Buffer {
    const r = this.#random
    const type: EventType = r.chance(0.3) ? 'item.add' : r.pick(eventTypes)
    const id = (prefix: string) => {
      this.#serial += 1
      return `${prefix}fz${this.#serial.toString(36)}${r.text(6)}`
    }
    const overrides: Record<string, unknown> = {}
    if (type === 'item.add' || type === 'item.remove') {
      const sku = r.pick(['gems', 'coins', 'sword', 'ä-skin', '💎'])
      overrides.event_data = {
        player_id: r.chance(0.8) ? r.pick(this.#target.players) : r.text(8),
        items: [{ id: `itm_${sku}`, sku, name: sku, quantity: r.pick([1, 5, 100, 0, -1, 1.5, 2 ** 53]) }],
      }
    } else if (r.chance(0.5)) {
      overrides.event_data = { player_id: r.pick([...this.#target.players, 'nobody', '', 'ä💥']) }
    }
    if (r.chance(0.2)) overrides.idempotency_key = r.pick([null, '', 'k', id('idmpt_'), 'x'.repeat(300)])
    return Buffer.from(JSON.stringify(fixtureEvent(type, overrides, { id })))
  }

  /** A JSON body changed the ways a hostile or buggy sender would change it. */
  #mutate(body: Buffer): Buffer {
    const r = this.#random
    const text = body.toString('utf8')
    switch (r.int(12)) {
      case 0: {
        const copy = Buffer.from(body)
        for (let i = r.between(1, 4); i > 0; i -= 1) copy[r.int(copy.length)] = r.int(256)
        return copy
      }
      case 1:
        return body.subarray(0, r.int(body.length))
      case 2:
        return Buffer.concat([body, r.bytes(r.between(1, 20))])
      case 3: // a value replaced by something of another type
        return Buffer.from(
          text.replace(/"[^"]*"(?=[,}])/, () =>
            r.pick(['null', '1e309', '[]', '{}', 'true', '-0', '"\\ud800"', '"\\u0000"']),
          ),
        )
      case 4: // deep nesting
        return Buffer.from(`${'['.repeat(r.between(100, 5000))}1${']'.repeat(r.between(0, 5000))}`)
      case 5:
        return Buffer.from(
          text.replace(
            '"event_data":',
            '"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"event_data":',
          ),
        )
      case 6: // duplicate keys: the last one wins in JSON.parse
        return Buffer.from(text.replace('{', `{"event_type":"${r.pick(eventTypes)}",`))
      case 7:
        return Buffer.from(
          text.replace(/"event_data":\{/, `"event_data":{"x":"${'é'.repeat(r.between(1, 2000))}",`),
        )
      case 8:
        return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) // UTF-8 BOM
      case 9:
        return Buffer.from(text, 'utf16le')
      case 10:
        return Buffer.from(
          r.pick(['', ' ', 'null', '0', '[]', '""', '{}', '{"event_type":null}', 'true', '1'.repeat(400)]),
        )
      default:
        return Buffer.from(
          text.replace(
            /"event_type":"[^"]*"/,
            `"event_type":"${r.pick(['', 'ITEM.ADD', 'item.add ', 'x'.repeat(1000), 'toString', '__proto__'])}"`,
          ),
        )
    }
  }

  #signature(body: Buffer, timestamp: string): string {
    return createHmac('sha256', this.#target.secret).update(`${timestamp}.`).update(body).digest('hex')
  }

  #signed(kind: string, body: Buffer, extra: string[] = []): Built {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const signature = this.#signature(body, timestamp)
    const bytes = httpRequest(
      'POST',
      '/webhook',
      [
        'content-type: application/json',
        `x-aghanim-signature: ${signature}`,
        `x-aghanim-signature-timestamp: ${timestamp}`,
        ...extra,
      ],
      body,
    )
    if (kind === 'signed' && this.#sent.length < 500) this.#sent.push(bytes)
    return { kind, method: 'POST', bytes, reusable: true, answerable: true }
  }

  #duplicate(): Built {
    return {
      kind: 'duplicate',
      method: 'POST',
      bytes: this.#random.pick(this.#sent),
      reusable: true,
      answerable: true,
    }
  }

  #badSignature(): Built {
    const r = this.#random
    const body = this.#eventBody()
    const timestamp = String(Math.floor(Date.now() / 1000))
    const good = this.#signature(body, timestamp)
    const signature = r.pick([
      good.slice(0, -1),
      `${good}0`,
      good.toUpperCase(),
      ` ${good} `,
      `${good.slice(0, -1)}g`,
      `sha256=${good}`,
      `${good},${good}`,
      '',
      'é'.repeat(64),
      r.bytes(32).toString('hex'),
      good.replace(/./, 'ß'),
    ])
    const stamp = r.pick([
      timestamp,
      '',
      '-1',
      '0',
      `${timestamp}.5`,
      '1e10',
      `${timestamp}${timestamp}`,
      ' 1 ',
      '١٢٣',
      '99999999999999999999',
      String(Number(timestamp) - 10 ** 6),
      String(Number(timestamp) + 10 ** 6),
    ])
    const headers = ['content-type: application/json']
    if (r.chance(0.9)) headers.push(`x-aghanim-signature: ${signature}`)
    if (r.chance(0.2)) headers.push(`x-aghanim-signature: ${good}`)
    if (r.chance(0.9)) headers.push(`x-aghanim-signature-timestamp: ${stamp}`)
    if (r.chance(0.2)) headers.push(`x-aghanim-signature-timestamp: ${timestamp}`)
    return {
      kind: 'bad-signature',
      method: 'POST',
      bytes: httpRequest('POST', '/webhook', headers, body, true),
      reusable: true,
      answerable: true,
    }
  }

  #random_(): Built {
    const r = this.#random
    const method = r.chance(0.9)
      ? r.pick(METHODS)
      : r.text(r.between(1, 12), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ-_!#$%&*+.^`|~')
    const path = r.chance(0.85) ? r.pick(PATHS) : `/${r.bytes(r.between(0, 40)).toString('latin1')}`
    const headers: string[] = []
    for (let i = r.int(12); i > 0; i -= 1) {
      const name = r.chance(0.7)
        ? r.pick(HEADER_NAMES)
        : r.text(r.between(1, 30), 'abcdefghijklmnopqrstuvwxyz-_0123456789!#$%&*+.^`|~')
      if (
        name === 'content-length' ||
        name === 'transfer-encoding' ||
        name === 'connection' ||
        name === 'expect'
      )
        continue
      const value = r.chance(0.6) ? r.pick(ODD_VALUES) : headerText(r.bytes(r.between(0, 80)))
      headers.push(`${name}: ${value}`)
    }
    if (r.chance(0.2)) headers.push(`x-pad-${r.text(6)}: ${'v'.repeat(r.between(1000, 6000))}`)
    const body = r.chance(0.5) ? r.bytes(r.between(0, 2000)) : Buffer.alloc(0)
    const bytes = httpRequest(method, path, headers, body, r.chance(0.5))
    // Garbage in the request line or a header makes the parser answer 400 and close, which is fine.
    return { kind: 'random', method, bytes, reusable: true, answerable: true }
  }

  #framing(): Built {
    const r = this.#random
    const body = this.#eventBody()
    const timestamp = String(Math.floor(Date.now() / 1000))
    const sig = [
      `x-aghanim-signature: ${this.#signature(body, timestamp)}`,
      `x-aghanim-signature-timestamp: ${timestamp}`,
    ]
    const head = (lines: string[], method = 'POST', version = '1.1') =>
      Buffer.from(
        `${method} /webhook HTTP/${version}\r\nhost: fuzz\r\n${[...sig, ...lines].map((line) => `${line}\r\n`).join('')}\r\n`,
      )
    const built = (kind: string, bytes: Buffer, reusable = true, answerable = true): Built => ({
      kind,
      method: 'POST',
      bytes,
      reusable,
      answerable,
    })
    switch (r.int(14)) {
      case 12: // a WebSocket / h2c upgrade the server does not offer
        return built(
          'upgrade',
          Buffer.concat([
            head([
              `content-length: ${body.length}`,
              'connection: upgrade',
              `upgrade: ${r.pick(['websocket', 'h2c', 'x'])}`,
            ]),
            body,
          ]),
          false,
        )
      case 13: // an HTTP/2 client speaking first on a cleartext HTTP/1.1 port
        return built(
          'h2-preface',
          Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00', 'latin1'),
          false,
        )
      case 0:
        return built('chunked', Buffer.concat([head(['transfer-encoding: chunked']), chunked(body, r)]))
      case 1: // chunk extensions and trailers
        return built(
          'chunked-ext',
          Buffer.concat([
            head(['transfer-encoding: chunked', 'trailer: x-t']),
            Buffer.from(`${body.length.toString(16)};ext=1;y="z"\r\n`),
            body,
            Buffer.from('\r\n0\r\nx-t: 1\r\n\r\n'),
          ]),
        )
      case 2: // smuggling attempt: both framings (the parser must refuse, not guess)
        return built(
          'cl-and-te',
          Buffer.concat([
            head([`content-length: ${body.length}`, 'transfer-encoding: chunked']),
            chunked(body, r),
          ]),
          false,
        )
      case 3:
        return built(
          'two-content-lengths',
          Buffer.concat([
            head([`content-length: ${body.length}`, `content-length: ${body.length + 1}`]),
            body,
          ]),
          false,
        )
      case 4:
        return built(
          'bad-chunk-size',
          Buffer.concat([
            head(['transfer-encoding: chunked']),
            Buffer.from(`${r.pick(['zz', '-1', 'ffffffffffffffffff', ' 5', '5 '])}\r\n`),
            body,
            Buffer.from('\r\n0\r\n\r\n'),
          ]),
          false,
        )
      case 5:
        return built(
          'te-gzip',
          Buffer.concat([head(['transfer-encoding: gzip, chunked']), chunked(gzipSync(body), r)]),
          false,
        )
      case 6:
        return built(
          'bad-content-length',
          Buffer.concat([head([`content-length: ${r.pick(['-1', 'abc', '1 2', '0x10', ' ', '+5'])}`]), body]),
          false,
        )
      case 7: // Expect: 100-continue, answered with an interim 100 before the final answer
        return built(
          'expect-continue',
          Buffer.concat([head([`content-length: ${body.length}`, 'expect: 100-continue']), body]),
        )
      case 8:
        return built(
          'expect-other',
          Buffer.concat([head([`content-length: ${body.length}`, 'expect: teapot']), body]),
        )
      case 9: // HTTP/1.0 closes after the answer
        return built(
          'http-1.0',
          Buffer.concat([head([`content-length: ${body.length}`], 'POST', '1.0'), body]),
          false,
        )
      case 10:
        return built(
          'obs-fold',
          Buffer.concat([head([`content-length: ${body.length}`, 'x-folded: a', ' b']), body]),
          false,
        )
      default:
        return built(
          'body-shorter-than-length',
          Buffer.concat([head([`content-length: ${body.length + r.between(1, 100)}`]), body]),
          false,
          false,
        )
    }
  }

  #admin(): Built {
    const r = this.#random
    const player = r.pick([...this.#target.players, 'nobody', '%E0%A4%A', 'ä', '..', 'a'.repeat(500)])
    const paths = [
      `/api/deliveries?${r.pick(['', 'limit=5', 'limit=0', 'limit=99999', 'status=500', 'status=abc', 'type=item.add', 'cursor=garbage', `cursor=${r.text(20)}`, 'since=yesterday', 'until=1', 'key=%FF', 'outcome=ok&player=p0'])}`,
      `/api/deliveries/${r.pick(['nope', r.text(26), '%', '..%2f..'])}`,
      `/api/deliveries/${r.text(26)}/replay`,
      `/api/players/${player}`,
      `/api/players/${player}/history?limit=${r.pick(['1', '0', '1000', '1001', 'x', '-1', '1.5'])}`,
      `/api/stats/deliveries?minutes=${r.pick(['1', '5', '0', '99999', 'x', '60'])}`,
      `/api/${r.text(r.between(0, 10))}`,
    ]
    const method = r.pick(['GET', 'GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH'])
    const path = r.pick(paths)
    const body =
      method === 'PUT' || method === 'POST'
        ? Buffer.from(
            r.pick([
              '{"name":"Fuzz"}',
              '{"name":5}',
              '{',
              '[]',
              'null',
              '{"banned":"yes"}',
              '{"attributes":{"level":1e309}}',
              '{"segments":[1,2]}',
              '{"__proto__":{"x":1}}',
              // Rarely: a body over the admin API's 64 KiB limit.
              r.chance(0.05)
                ? `{"name":"${'n'.repeat(70_000)}"}`
                : `{"name":"${'n'.repeat(r.between(1, 500))}"}`,
            ]),
          )
        : Buffer.alloc(0)
    const auth = r.chance(0.85)
      ? `authorization: Bearer ${this.#target.adminToken}`
      : `authorization: ${r.pick(['Bearer', 'Bearer x', 'Basic eA==', `Bearer ${this.#target.adminToken}x`, ''])}`
    const headers = [
      auth,
      ...(body.length > 0
        ? [`content-type: ${r.pick(['application/json', 'text/plain', 'application/json; charset=utf-8'])}`]
        : []),
    ]
    return {
      kind: 'admin',
      method,
      bytes: httpRequest(method, path, headers, body),
      reusable: body.length <= 64 * 1024,
      answerable: true,
    }
  }

  #plain(): Built {
    const r = this.#random
    const method = r.pick(['GET', 'HEAD', 'GET', 'POST', 'OPTIONS'])
    const path = r.pick([
      '/',
      '/healthz',
      '/readyz',
      '/metrics',
      '/inspector/',
      '/inspector/index.html',
      '/inspector/nope.js',
      '/inspector',
    ])
    const headers = r.chance(0.3)
      ? [`if-none-match: ${r.pick(['*', '"x"', 'W/"1"'])}`, 'accept-encoding: gzip, br']
      : []
    return {
      kind: 'plain',
      method,
      bytes: httpRequest(method, path, headers, Buffer.alloc(0)),
      reusable: true,
      answerable: true,
    }
  }

  #oversized(): Built {
    const r = this.#random
    const size = this.#target.maxBodyBytes + r.between(1, 4096)
    const body = Buffer.alloc(size, 0x20)
    const bytes = r.chance(0.5)
      ? httpRequest('POST', '/webhook', ['x-aghanim-signature: 00', 'x-aghanim-signature-timestamp: 1'], body)
      : Buffer.concat([
          Buffer.from('POST /webhook HTTP/1.1\r\nhost: fuzz\r\ntransfer-encoding: chunked\r\n\r\n'),
          chunked(body, r),
        ])
    // The server answers 413 early and closes instead of reading the rest.
    return { kind: 'oversized', method: 'POST', bytes, reusable: false, answerable: true }
  }

  #encoded(): Built {
    const r = this.#random
    const body = this.#eventBody()
    const [encoding, bytes] = r.pick([
      ['gzip', gzipSync(body)],
      ['br', r.bytes(64)],
      ['identity', body],
      ['gzip', body],
    ] as const)
    const type = r.pick(CONTENT_TYPES)
    return this.#signed('encoded', bytes, [
      `content-encoding: ${encoding}`,
      ...(type ? [`content-type: ${type}`] : []),
    ])
  }

  #truncate(request: Built): Built {
    const cut = 1 + this.#random.int(request.bytes.length - 1)
    return {
      kind: 'truncated',
      method: request.method,
      bytes: request.bytes.subarray(0, cut),
      reusable: false,
      answerable: false,
    }
  }
}

/** Serialises one request; `content-length` is added for a body unless `omitLength`. */
function httpRequest(
  method: string,
  path: string,
  headers: string[],
  body: Buffer,
  lengthAlways = false,
): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: fuzz', ...headers]
  if (body.length > 0 || lengthAlways) lines.push(`content-length: ${body.length}`)
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body])
}

function chunked(body: Buffer, r: Random): Buffer {
  const parts: Buffer[] = []
  let at = 0
  while (at < body.length) {
    const size = Math.min(body.length - at, r.between(1, 1024))
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'))
    at += size
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}

/** Random bytes as a header value: no CR/LF (that would start another header), high bytes kept. */
function headerText(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\r\n]/g, '')
}
