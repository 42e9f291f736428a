import { signedHeaders } from 'aghanim-webhooks'
import type { DeliveryLog } from 'aghanim-webhooks/store'
import { HttpError } from '../errors/server-errors.js'
import { type DeliveryDetailJson, detailJson, verificationOf } from './delivery-json.js'
import type { DeliveryRecorder } from './delivery-recorder.js'
import type { OwnWebhook } from './own-webhook.js'

export interface ReplayDeps extends OwnWebhook {
  deliveries: DeliveryLog
  recorder: DeliveryRecorder
  /** The configured games (none: one unnamed game). */
  games: readonly string[]
  now: () => number
}

/**
 * Re-runs a stored delivery's exact body through the server's own handler, freshly signed with the current
 * secret, and returns the new delivery (linked by `replay_of`). It goes through idempotency like any retry:
 * an event that already completed answers its stored answer (`duplicate: true`) and grants nothing twice;
 * one that failed runs again.
 *
 * @example const delivery = await replayDelivery('lx2k9d0c0-4f1k2m9zq0ab', deps)
 */
export async function replayDelivery(
  id: string,
  deps: ReplayDeps,
  game: string | null = null,
): Promise<DeliveryDetailJson> {
  const original = await deps.deliveries.get(id)
  if (!original) throw new HttpError('not_found', `No delivery ${JSON.stringify(id)}.`)
  if (original.method !== 'POST' || !original.body || original.body.length === 0) {
    throw new HttpError('not_replayable', 'Only deliveries that were POSTed with a body can be replayed.')
  }
  // A replay is re-signed with the current secret: replaying a request that failed verification would turn a
  // forged body into a genuine one.
  if (verificationOf(original.outcome).verified !== true) {
    throw new HttpError(
      'not_replayable',
      `Only verified deliveries can be replayed; this one was refused (${original.outcome}).`,
    )
  }
  // Signed as the game named, else as the one its body names; with several games and neither, it is not guessed.
  const signer = game ?? envelopeGame(original.body)
  if (signer === null && deps.games.length > 1)
    throw new HttpError(
      'game_required',
      `This delivery's body names no game_id: replay it with ?game= (one of ${deps.games.join(', ')}).`,
    )
  const query = original.path.includes('?') ? original.path.slice(original.path.indexOf('?')) : ''
  const request = new Request(new URL(deps.webhookPath + query, 'http://replay.invalid'), {
    method: 'POST',
    body: new Uint8Array(original.body),
    headers: {
      'content-type': original.headers['content-type'] ?? 'application/json',
      'user-agent': 'aghanim-webhooks/replay',
      ...(await signedHeaders({
        secret: deps.secret(signer),
        timestamp: Math.floor(deps.now() / 1000),
        body: original.body,
      })),
    },
  })
  deps.recorder.markReplay(request, id)
  await (await deps.handle(request)).arrayBuffer()
  const newId = deps.recorder.idOf(request)
  if (newId === undefined) throw new Error('The replayed delivery was not recorded.')
  await deps.recorder.settled(newId)
  const stored = await deps.deliveries.get(newId)
  if (!stored)
    throw new HttpError('store_unavailable', 'The replay ran but its delivery record could not be stored.')
  return detailJson(stored)
}

/** The envelope's `game_id`: whose secret a replay is signed with when the request names no game. */
function envelopeGame(body: Uint8Array): string | null {
  try {
    const gameId = (JSON.parse(new TextDecoder().decode(body)) as { game_id?: unknown } | null)?.game_id
    return typeof gameId === 'string' ? gameId : null
  } catch {
    return null
  }
}
