import { integerOption, requireUrl } from '../args.js'
import { errorOf } from '../format.js'
import type { CliIo } from '../io.js'
import type { Style } from '../style.js'
import { parseJson } from './deliver.js'

export interface AdminCall {
  server: URL
  token: string | undefined
  timeoutMs: number
  /** Relative to `<server>/api/`, e.g. `outbox/redrive`. */
  path: string
  body?: unknown
}

/** Where and how long to call, from `adminCallOptions`' values: a usage error for a bad URL or timeout. */
export function adminCallOf(values: {
  server: string
  token: string | undefined
  timeout: string
}): Pick<AdminCall, 'server' | 'token' | 'timeoutMs'> {
  return {
    server: requireUrl(values.server, '--server'),
    token: values.token,
    timeoutMs: integerOption(values.timeout, 'timeout', 1),
  }
}

/**
 * POSTs to the server's admin API and resolves with its JSON answer, or writes why not to stderr and resolves
 * `undefined` (unreachable, non-2xx with the server's error code, 401/403 with a hint about the token). Internal.
 */
export async function postAdmin(
  io: CliIo,
  style: Style,
  call: AdminCall,
): Promise<{ json: unknown; text: string } | undefined> {
  // Relative to the base, so a server mounted under a path prefix works too.
  const base = call.server.href.endsWith('/') ? call.server.href : `${call.server.href}/`
  const url = new URL(`api/${call.path}`, base)
  let response: Response
  let text: string
  try {
    response = await (io.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    })
    text = await response.text()
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
    io.stderr.write(`${style.red('error:')} could not reach ${call.server.origin} (${cause})\n`)
    return undefined
  }
  const json = parseJson(text)
  if (!response.ok) {
    const error = errorOf(json)
    const detail = error ? [error.code, error.message].filter(Boolean).join(': ') : text.slice(0, 200)
    const hint = response.status === 401 || response.status === 403 ? ' (check --token / ADMIN_TOKEN)' : ''
    io.stderr.write(
      `${style.red('error:')} the server answered HTTP ${response.status}${detail ? `, ${detail}` : ''}${hint}\n`,
    )
    return undefined
  }
  return { json, text }
}
