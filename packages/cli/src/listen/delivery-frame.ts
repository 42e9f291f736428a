/** One delivery the server sent this listener (the `data` of a `delivery` event of `GET /api/listen`). */
export interface DeliveryFrame {
  ticket: string
  /** `tunnel`: the local answer is the one Aghanim gets; `mirror`: a copy, the server answered already. */
  mode: 'mirror' | 'tunnel'
  delivery_id: string
  event_type: string
  event_id: string | null
  player_id: string | null
  attempt: number
  duplicate: boolean
  replay_of: string | null
  /** Mirror: what the server answered Aghanim. */
  server_status: number | null
  /** Tunnel: how long the server waits for this answer. */
  timeout_ms: number | null
  /** Forward mode's delivery headers (delivery id, attempt, idempotency key); the signature is added here. */
  headers: Record<string, string>
  /** The original body, exactly. */
  body: string
}

/** The frame, or undefined when the data is not one (a newer server's event this CLI does not know). Internal. */
export function parseDeliveryFrame(data: string): DeliveryFrame | undefined {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return undefined
  }
  const frame = value as Partial<DeliveryFrame> | null
  if (
    typeof frame?.ticket !== 'string' ||
    typeof frame.body !== 'string' ||
    typeof frame.event_type !== 'string' ||
    typeof frame.delivery_id !== 'string'
  )
    return undefined
  const headers: Record<string, string> = {}
  for (const [name, header] of Object.entries(frame.headers ?? {}))
    if (typeof header === 'string') headers[name] = header
  return {
    ticket: frame.ticket,
    mode: frame.mode === 'tunnel' ? 'tunnel' : 'mirror',
    delivery_id: frame.delivery_id,
    event_type: frame.event_type,
    event_id: typeof frame.event_id === 'string' ? frame.event_id : null,
    player_id: typeof frame.player_id === 'string' ? frame.player_id : null,
    attempt: typeof frame.attempt === 'number' ? frame.attempt : 1,
    duplicate: frame.duplicate === true,
    replay_of: typeof frame.replay_of === 'string' ? frame.replay_of : null,
    server_status: typeof frame.server_status === 'number' ? frame.server_status : null,
    timeout_ms: typeof frame.timeout_ms === 'number' ? frame.timeout_ms : null,
    headers,
    body: frame.body,
  }
}
