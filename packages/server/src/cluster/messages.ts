import type { DeliverySummaryJson } from '../deliveries/delivery-json.js'
import type { ListenerInfo, ReportedAnswer } from '../listen/listen-hub.js'
import type { MetricsSnapshot } from '../metrics/metrics.js'

/** What the primary and its workers tell each other over the cluster IPC channel. Internal. */
export type ClusterMessage =
  | { type: 'aghanim:listening'; url: string; port: number; readyMs: number }
  | { type: 'aghanim:deliveries'; summaries: DeliverySummaryJson[] }
  /** A worker's count of live-stream clients, whenever it changes; answered with `watched` and its `ack`. */
  | { type: 'aghanim:live-clients'; count: number; id: number }
  /**
   * Whether any worker has a live-stream client: only then are deliveries relayed at all. Sent to every worker
   * when it changes, and to a reporting worker as the `ack` of its report (once every worker was told).
   */
  | { type: 'aghanim:watched'; watched: boolean; ack?: number }
  /** A worker's `listen` listeners, whenever they change; the primary sends the directory, then the `listen-ack`. */
  | { type: 'aghanim:listeners'; listeners: ListenerInfo[]; id: number }
  | { type: 'aghanim:listen-ack'; id: number }
  /** Every worker's listeners, sent to all workers when it changes. */
  | { type: 'aghanim:listen-directory'; listeners: ListenerInfo[] }
  /** A delivery event for a listener: to the primary, which sends it to the worker holding that listener. */
  | { type: 'aghanim:listen-deliver'; listener: string; frame: string }
  /** A listener's answer that reached another worker than the one waiting for it: sent on to all. */
  | { type: 'aghanim:listen-answer'; answer: ReportedAnswer }
  | { type: 'aghanim:metrics-request'; id: number }
  | { type: 'aghanim:metrics-collect'; id: string }
  | { type: 'aghanim:metrics-snapshot'; id: string; snapshot: MetricsSnapshot }
  | { type: 'aghanim:metrics-result'; id: number; snapshot: MetricsSnapshot }

export function isClusterMessage(value: unknown): value is ClusterMessage {
  const type = (value as { type?: unknown } | null)?.type
  return typeof type === 'string' && type.startsWith('aghanim:')
}

/** How long a metrics scrape waits for the other processes before answering with what it has. */
export const COLLECT_TIMEOUT_MS = 1000
