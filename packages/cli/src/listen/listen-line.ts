import { formatMs, formatStatus } from '../format.js'
import type { Style } from '../style.js'
import type { DeliveryFrame } from './delivery-frame.js'
import type { LocalAnswer } from './forward-local.js'

/** What the server answered Aghanim with a tunnelled delivery's local answer, as it reported back. */
export interface Verdict {
  status: number
  error: string | null
}

/**
 * The line `listen` prints per delivery: time, event type, player, the local status and how long it took, then
 * notes (tunnel, the server's own status in mirror mode, duplicate, replay). `--json` prints the same as one
 * NDJSON object. Internal.
 */
export function listenLine(
  frame: DeliveryFrame,
  answer: LocalAnswer,
  verdict: Verdict | undefined,
  at: number,
  style: Style,
  json: boolean,
): string {
  const late = frame.mode === 'tunnel' && frame.timeout_ms !== null && answer.ms > frame.timeout_ms
  if (json)
    return `${JSON.stringify({
      time: new Date(at).toISOString(),
      delivery_id: frame.delivery_id,
      event_type: frame.event_type,
      event_id: frame.event_id,
      player_id: frame.player_id,
      mode: frame.mode,
      status: answer.status,
      ms: Math.round(answer.ms * 100) / 100,
      error: answer.error,
      late,
      server_status: frame.server_status,
      aghanim_status: verdict?.status ?? (late ? 504 : null),
      aghanim_error: verdict?.error ?? null,
      attempt: frame.attempt,
      duplicate: frame.duplicate,
      replay_of: frame.replay_of,
    })}\n`
  const time = new Date(at).toISOString().slice(11, 19)
  const result =
    answer.status === null
      ? style.red(`✗ ${answer.error ?? 'no answer'}`)
      : formatStatus(answer.status, style)
  const notes: string[] = []
  if (frame.mode === 'tunnel') notes.push(tunnelNote(verdict, late, style))
  else if (frame.server_status !== null) notes.push(`server ${frame.server_status}`)
  if (frame.duplicate) notes.push('duplicate')
  if (frame.replay_of) notes.push(`replay of ${frame.replay_of}`)
  const player = frame.player_id ?? '—'
  return `${style.dim(time)}  ${frame.event_type.padEnd(22)} ${player.padEnd(16)} ${result}  ${style.dim(formatMs(answer.ms))}${notes.length ? `  ${style.dim(notes.join(', '))}` : ''}\n`
}

function tunnelNote(verdict: Verdict | undefined, late: boolean, style: Style): string {
  if (late) return style.red('too late: Aghanim got a 504')
  if (!verdict) return 'tunnel'
  if (verdict.error) return style.red(`Aghanim got ${verdict.status}: ${verdict.error}`)
  return `Aghanim got ${verdict.status}`
}
