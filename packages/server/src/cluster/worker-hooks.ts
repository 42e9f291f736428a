import type { MetricsSnapshot } from '../metrics/metrics.js'
import type { ClusterHooks } from '../server/start-server.js'
import { type ClusterMessage, COLLECT_TIMEOUT_MS, isClusterMessage } from './messages.js'

/**
 * A worker's side of `--workers`: while any process has a live-stream client, its deliveries go to the
 * primary, which sends them to every worker's live stream (with nobody watching they are not sent: three IPC
 * messages per delivery cost more CPU than the rest of a player.verify); a `/metrics` scrape asks the primary
 * to sum all workers' snapshots. Internal.
 */
export function workerHooks(): ClusterHooks {
  let local: Parameters<ClusterHooks['attach']>[0] | undefined
  const waiting = new Map<number, (snapshot: MetricsSnapshot) => void>()
  let sequence = 0
  let live = false
  const send = (message: ClusterMessage) => {
    if (process.connected) process.send?.(message)
  }

  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return
    if (message.type === 'aghanim:delivery') local?.publish(message.summary)
    else if (message.type === 'aghanim:live') live = message.live
    else if (message.type === 'aghanim:metrics-collect' && local) {
      send({ type: 'aghanim:metrics-snapshot', id: message.id, snapshot: local.snapshot() })
    } else if (message.type === 'aghanim:metrics-result') waiting.get(message.id)?.(message.snapshot)
  })

  return {
    attach(hooks) {
      local = hooks
    },
    publish(summary) {
      if (!process.connected) local?.publish(summary)
      else if (live) send({ type: 'aghanim:delivery', summary })
    },
    listeners(count) {
      send({ type: 'aghanim:listeners', count })
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
  return { deliveries: {}, duplicates: {}, rejections: {}, latency: {}, sseClients: 0 }
}
