import type { DeliverySummaryJson } from '../deliveries/delivery-json.js'
import type { ListenCluster } from '../listen/listen-hub.js'
import type { MetricsSnapshot } from '../metrics/metrics.js'
import type { ClusterHooks } from '../startup/start-server.js'
import { type ClusterMessage, COLLECT_TIMEOUT_MS, isClusterMessage } from './messages.js'

/** How long a delivery waits to be relayed with others: invisible in a live view, one message per batch. */
const RELAY_DELAY_MS = 50

/**
 * A worker's side of `--workers`: while any worker has a live-stream client, its deliveries go to the
 * primary, which sends them to every worker's live stream; a `/metrics` scrape asks the primary to sum all
 * workers' snapshots. Deliveries travel in batches, every `RELAY_DELAY_MS`: one IPC message each way per
 * delivery cost more CPU than the rest of a player.verify. Internal.
 */
export function workerHooks(): ClusterHooks {
  let local: Parameters<ClusterHooks['attach']>[0] | undefined
  const waiting = new Map<number, (snapshot: MetricsSnapshot) => void>()
  let sequence = 0
  let batch: DeliverySummaryJson[] = []
  let watched = false
  const acks = new Map<number, () => void>()
  let listenLocal: Parameters<ListenCluster['attach']>[0] | undefined
  const listenAcks = new Map<number, () => void>()
  const relay = () => {
    send({ type: 'aghanim:deliveries', summaries: batch })
    batch = []
  }
  const send = (message: ClusterMessage) => {
    if (process.connected) process.send?.(message)
  }
  /** Sends a message the primary acknowledges; resolves on its ack, or after COLLECT_TIMEOUT_MS without one. */
  const sendAcknowledged = (pending: Map<number, () => void>, message: (id: number) => ClusterMessage) => {
    if (!process.connected) return Promise.resolve()
    const id = ++sequence
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        pending.delete(id)
        resolve()
      }
      const timer = setTimeout(done, COLLECT_TIMEOUT_MS)
      pending.set(id, done)
      send(message(id))
    })
  }

  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return
    if (message.type === 'aghanim:deliveries')
      for (const summary of message.summaries) local?.publish(summary)
    else if (message.type === 'aghanim:metrics-collect' && local) {
      send({ type: 'aghanim:metrics-snapshot', id: message.id, snapshot: local.snapshot() })
    } else if (message.type === 'aghanim:metrics-result') waiting.get(message.id)?.(message.snapshot)
    else if (message.type === 'aghanim:listen-directory') listenLocal?.directory(message.listeners)
    else if (message.type === 'aghanim:listen-deliver') listenLocal?.deliver(message.listener, message.frame)
    else if (message.type === 'aghanim:listen-answer') listenLocal?.answer(message.answer)
    else if (message.type === 'aghanim:listen-ack') listenAcks.get(message.id)?.()
    else if (message.type === 'aghanim:watched') {
      watched = message.watched
      if (message.ack !== undefined) acks.get(message.ack)?.()
    }
  })

  const listen: ListenCluster = {
    attach(hooks) {
      listenLocal = hooks
    },
    announce: (listeners) =>
      sendAcknowledged(listenAcks, (id) => ({ type: 'aghanim:listeners', listeners, id })),
    deliver: (listener, frame) => send({ type: 'aghanim:listen-deliver', listener, frame }),
    answer: (answer) => send({ type: 'aghanim:listen-answer', answer }),
  }

  return {
    listen,
    attach(hooks) {
      local = hooks
    },
    watched: () => watched || !process.connected,
    liveClients: (count) => sendAcknowledged(acks, (id) => ({ type: 'aghanim:live-clients', count, id })),
    publish(summary) {
      if (!process.connected) return local?.publish(summary)
      if (batch.push(summary) === 1) setTimeout(relay, RELAY_DELAY_MS).unref()
    },
    collect() {
      const own = local?.snapshot()
      if (!process.connected || !own) return Promise.resolve(own ?? emptySnapshot())
      const id = ++sequence
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(own), COLLECT_TIMEOUT_MS * 2)
        function finish(snapshot: MetricsSnapshot) {
          clearTimeout(timer)
          waiting.delete(id)
          resolve(snapshot)
        }
        waiting.set(id, finish)
        send({ type: 'aghanim:metrics-request', id })
      })
    },
  }
}

function emptySnapshot(): MetricsSnapshot {
  return { deliveries: {}, duplicates: {}, rejections: {}, forwards: {}, latency: {}, sseClients: 0 }
}
