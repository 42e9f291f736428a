import { errorCatalogue } from 'aghanim-webhooks'

/**
 * Every error code the server answers with, beside the library's own: its HTTP status and what it means. Where the
 * server answers a library code with the library's meaning (`method_not_allowed`, `body_too_large`, …) the entry is
 * the library's, so the two catalogues never disagree about it. docs/errors.md lists both
 * (packages/server/test/server-docs.test.ts fails when it is stale).
 */
// biome-ignore format: a table, one error code a line
export const serverErrorCatalogue = {
  not_found: { status: 404, summary: 'No such route, player, delivery or inspector file.' },
  invalid_path: { status: 400, summary: 'The request target is not a valid URL path or percent-encoding.' },
  invalid_query: { status: 400, summary: 'A query parameter is out of range or malformed (`limit`, `sandbox`, …).' },
  unsupported_media_type: { status: 415, summary: 'An admin API body must be sent as application/json.' },
  unauthorized: { status: 401, summary: 'The admin API needs `Authorization: Bearer <ADMIN_TOKEN>`.' },
  forbidden: { status: 403, summary: 'Without ADMIN_TOKEN the admin API answers only loopback clients not behind a proxy.' },
  admin_disabled: { status: 403, summary: 'With NODE_ENV=production and no ADMIN_TOKEN the admin API is off.' },
  unknown_game: { status: 400, summary: "`?game=` (or the body's `game`) names a game this server does not serve." },
  game_required: { status: 400, summary: 'Several games are configured: name one with `?game=`.' },
  invalid_player: { status: 400, summary: 'The `PUT /api/players/:playerId` body is not a valid player.' },
  not_replayable: { status: 409, summary: 'Only verified deliveries POSTed with a body can be replayed.' },
  invalid_redrive: { status: 400, summary: 'The `POST /api/outbox/redrive` body names nothing valid to redrive.' },
  listen_off: { status: 404, summary: 'The listen mode is off (`--listen-mode off`): no listeners are taken.' },
  invalid_answer: { status: 400, summary: "A listener's report of its local answer is malformed (the library's `invalid_answer` is a handler's answer, 500)." },
  unknown_ticket: { status: 404, summary: "No delivery waits for this listener's answer (expired, or the server restarted)." },
  invalid_reconcile: { status: 400, summary: 'The `POST /api/reconcile` body is not valid.' },
  reconcile_not_configured: { status: 409, summary: "Reconciliation needs the game's S2S API key (AGHANIM_API_KEY)." },
  s2s_unauthorized: { status: 502, summary: 'The S2S API refused the API key.' },
  s2s_rejected: { status: 502, summary: 'The S2S API refused a request for good.' },
  s2s_unavailable: { status: 502, summary: 'The S2S API kept failing after the retries.' },
  database_unavailable: { status: 503, summary: 'The database does not answer; retry later (`retry-after: 5`).' },
  internal_error: { status: 500, summary: 'The server failed unexpectedly; the details are in its log.' },
  bad_request: { status: 400, summary: 'The request is not valid HTTP/1.1.' },
  request_timeout: { status: 408, summary: 'The request did not arrive in time.' },
  headers_too_large: { status: 431, summary: 'The request headers are larger than 16 KiB.' },
  banned: { status: 403, summary: 'player.verify: the player is banned.' },
  batch_host_not_allowed: { status: 400, summary: 'batch.ready: the download host is not in BATCH_ALLOWED_HOSTS.' },
  batch_download_failed: { status: 502, summary: 'batch.ready: downloading the file failed; Aghanim retries.' },
  batch_download_timeout: { status: 504, summary: 'batch.ready: downloading the file took too long; Aghanim retries.' },
  batch_too_large: { status: 400, summary: 'batch.ready: the file is larger than BATCH_MAX_BYTES.' },
  nested_batch: { status: 400, summary: 'batch.ready: a line of the file is itself a batch.ready (that line only).' },
  batch_incomplete: { status: 503, summary: 'batch.ready: some lines were not accepted (400 when none failed for a reason a retry can fix).' },
  // The library's codes the server answers with the library's meaning.
  method_not_allowed: errorCatalogue.method_not_allowed,
  body_too_large: errorCatalogue.body_too_large,
  invalid_json: errorCatalogue.invalid_json,
  store_unavailable: errorCatalogue.store_unavailable,
  invalid_event_data: errorCatalogue.invalid_event_data,
} as const satisfies Record<string, { status: number; summary: string }>

export type ServerErrorCode = keyof typeof serverErrorCatalogue

/**
 * Every error code a receiver built on this project answers, as the Markdown table docs/errors.md shows between
 * its `error-codes` markers: the library's (any receiver) and then the server's own. A code the server reuses
 * with the library's meaning appears once; `invalid_answer` means two things and appears twice.
 */
export function errorCodesMarkdown(): string {
  const row = (code: string, { status, summary }: { status: number; summary: string }, where: string) =>
    `| \`${code}\` | ${status} | ${summary.replaceAll('|', '\\|')} | ${where} |`
  const library = Object.entries(errorCatalogue).map(([code, entry]) => row(code, entry, 'library'))
  const server = Object.entries(serverErrorCatalogue)
    .filter(([code, entry]) => (errorCatalogue as Record<string, unknown>)[code] !== entry)
    .map(([code, entry]) => row(code, entry, 'server'))
  return ['| Code | Status | Meaning | Answered by |', '|---|---|---|---|', ...library, ...server].join('\n')
}

/**
 * An error answer thrown from deep inside a route and turned into `{ status: "error", code, message }` at the top.
 * Its status is the catalogue's unless a site has a reason to answer another (`batch_incomplete`'s 400).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  readonly status: number
  readonly headers: Record<string, string>

  constructor(
    readonly code: ServerErrorCode,
    message: string,
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.status = options.status ?? serverErrorCatalogue[code].status
    this.headers = options.headers ?? {}
  }
}
