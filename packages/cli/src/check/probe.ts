import { type EventType, fixtureEvent, SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from 'aghanim-webhooks'
import { USER_AGENT } from '../http/deliver.js'
import { mergeInto } from '../payload/merge.js'
import { type RawOutcome, rawRequest } from './raw-request.js'

/** What `check` was told: where, with which secret, for which player and SKU, within which budget. */
export interface CheckSettings {
  url: URL
  secret: string
  player: string
  sku: string
  /** The game id every delivery names (`--game`): a receiver of several games checks it against the secret's. */
  game?: string
  timeoutMs: number
  now: () => number
}

/** The state of one check run: settings, every answer so far (for the summary checks), observations. */
export interface Probe {
  settings: CheckSettings
  /** The check under way, so every answer is attributed. */
  current: string
  answers: { check: string; outcome: RawOutcome }[]
  /** Item grants sent vs what player.verify's balances showed, for grants-once. */
  grants: { check: string; sent: number; observed: number | undefined }[]
}

export function createProbe(settings: CheckSettings): Probe {
  return { settings, current: '', answers: [], grants: [] }
}

/** How a request departs from a correct delivery. `null` omits a header. */
export interface Tamper {
  /** Default: now. */
  timestamp?: string
  /** The timestamp header as sent, when it must differ from the signed one; null omits it. */
  timestampHeader?: string | null
  /** The signature header as sent (an array repeats the header); null omits it. Default: correct. */
  signature?: string | readonly string[] | null
  method?: string
}

/** A valid delivery of `type` for the configured player, with fresh ids and `data` merged in. */
export function event(
  probe: Probe,
  type: EventType,
  data: Record<string, unknown> = {},
): Record<string, unknown> {
  const value = fixtureEvent(type, {}, { now: probe.settings.now }) as Record<string, unknown>
  const eventData = value.event_data as Record<string, unknown>
  if ('player_id' in eventData) eventData.player_id = probe.settings.player
  if (probe.settings.game !== undefined) value.game_id = probe.settings.game
  mergeInto(value, { event_data: data })
  return value
}

export function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))
}

export function nowSeconds(probe: Probe): string {
  return String(Math.floor(probe.settings.now() / 1000))
}

export function signBody(
  probe: Probe,
  body: Uint8Array | string,
  timestamp: string,
  secret = probe.settings.secret,
): Promise<string> {
  return sign({ secret, timestamp, body })
}

/** Sends `body` signed as Aghanim would, except for what `tamper` changes; records the answer. */
export async function send(probe: Probe, body: Uint8Array, tamper: Tamper = {}): Promise<RawOutcome> {
  const timestamp = tamper.timestamp ?? nowSeconds(probe)
  const signature = tamper.signature === undefined ? await signBody(probe, body, timestamp) : tamper.signature
  const timestampHeader = tamper.timestampHeader === undefined ? timestamp : tamper.timestampHeader
  const headers: [string, string | readonly string[]][] = [
    ['content-type', 'application/json'],
    ['user-agent', USER_AGENT],
  ]
  if (signature !== null) headers.push([SIGNATURE_HEADER, signature])
  if (timestampHeader !== null) headers.push([TIMESTAMP_HEADER, timestampHeader])
  const outcome = await rawRequest(
    probe.settings.url,
    { method: tamper.method, headers, body },
    probe.settings.timeoutMs,
  )
  probe.answers.push({ check: probe.current, outcome })
  return outcome
}
