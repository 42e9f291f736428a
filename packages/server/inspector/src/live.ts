import { api, authHeaders, isUnauthorized } from './api.js'
import { createSseParser } from './sse.js'
import type { DeliverySummary } from './types.js'

export type LiveMode = 'connecting' | 'live' | 'polling' | 'offline'

export interface LiveOptions {
  onDelivery: (delivery: DeliverySummary) => void
  onMode: (mode: LiveMode) => void
  onUnauthorized: () => void
  /** How often to poll while the stream is unavailable. */
  pollMs?: number
}

/**
 * Follows new deliveries: the SSE stream when the server offers it, polling `GET /api/deliveries` while it
 * does not (a proxy that buffers responses, an older server), and back to the stream when it returns.
 * Returns a function that stops everything.
 */
export function followDeliveries(options: LiveOptions): () => void {
  const pollMs = options.pollMs ?? 5000
  const controller = new AbortController()
  const seen = new Set<string>()
  let stopped = false
  let newest: string | number | undefined

  const deliver = (delivery: DeliverySummary) => {
    if (seen.has(delivery.id)) return
    seen.add(delivery.id)
    // A tab left open for days must not grow without bound; old ids never come back anyway.
    if (seen.size > 5000) seen.delete(seen.values().next().value as string)
    newest = delivery.received_at
    options.onDelivery(delivery)
  }

  const stream = async (): Promise<boolean> => {
    const response = await fetch('/api/deliveries/stream', {
      headers: { accept: 'text/event-stream', ...authHeaders() },
      signal: controller.signal,
    })
    if (response.status === 401) {
      options.onUnauthorized()
      return false
    }
    const type = response.headers.get('content-type') ?? ''
    if (!response.ok || !response.body || !type.includes('text/event-stream')) return false
    options.onMode('live')
    const parse = createSseParser()
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return true
      for (const message of parse(value)) {
        if (message.event !== 'delivery') continue
        try {
          deliver(JSON.parse(message.data) as DeliverySummary)
        } catch {
          // A malformed event is skipped; the next poll or reload shows the delivery anyway.
        }
      }
    }
  }

  const poll = async () => {
    try {
      const page = await api.deliveries({
        limit: 50,
        since: newest === undefined ? undefined : String(newest),
      })
      for (const delivery of [...page.deliveries].reverse()) deliver(delivery)
      options.onMode('polling')
    } catch (error) {
      if (isUnauthorized(error)) options.onUnauthorized()
      else options.onMode('offline')
    }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      controller.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve()
      })
    })

  const run = async () => {
    // The list on screen was loaded just before: only what arrives from now on is new.
    try {
      const page = await api.deliveries({ limit: 50 })
      for (const delivery of page.deliveries) seen.add(delivery.id)
      newest = page.deliveries[0]?.received_at
    } catch {
      // The poll below reports the state.
    }
    let failures = 0
    options.onMode('connecting')
    while (!stopped) {
      const streamed = await stream().catch(() => false)
      if (stopped) return
      failures = streamed ? 0 : failures + 1
      // While the stream is down, poll a few times before trying it again.
      const polls = Math.min(failures, 6)
      for (let i = 0; i < Math.max(polls, 1) && !stopped; i++) {
        await poll()
        await sleep(pollMs)
      }
    }
  }

  void run()
  return () => {
    stopped = true
    controller.abort()
  }
}
