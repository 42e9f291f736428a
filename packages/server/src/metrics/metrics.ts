/**
 * The server's Prometheus metrics, written by hand: four families do not justify a client library, and keeping
 * them as plain numbers lets `--workers` processes send snapshots to the primary to be summed.
 */
export interface MetricsSnapshot {
  deliveries: Record<string, number>
  duplicates: Record<string, number>
  rejections: Record<string, number>
  /** Forward mode: calls to the backend by `via` (sync, outbox) and result (its status, or timeout, refused…). */
  forwards: Record<string, number>
  /** Per event type: cumulative bucket counts (same order as `LATENCY_BUCKETS`), sum (seconds) and count. */
  latency: Record<string, { buckets: number[]; sum: number; count: number }>
  sseClients: number
  /** Database outages this process saw begin (optional: snapshots of older workers lack it). */
  databaseOutages?: number
  /** 1 while this process sees the database as unavailable (summed: how many processes do). */
  databaseUnavailable?: number
  /** Reconciliation runs by game and result (`ok`, `failed`). */
  reconcileRuns?: Record<string, number>
  /** Orders reconciliation found, by game and kind (`missing`, `revoked_missing`), and those it fixed. */
  reconcileFindings?: Record<string, number>
}

/** Upper bounds (seconds) of the handler latency histogram: a grant commits in milliseconds, retries take longer. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface Metrics {
  /** Counts one answered delivery. `eventType` must be a catalogue type or `unknown` (bounded label values). */
  observe(delivery: { eventType: string; outcome: string; durationMs: number; duplicate: boolean }): void
  setSseClients(count: number): void
  /** Counts one call to the backend (forward mode); `result` is a status or a bounded failure kind. */
  forwarded(via: string, result: string): void
  /** The database became unavailable (`true`, counted as an outage) or available again (`false`). */
  setDatabaseUnavailable(unavailable: boolean): void
  /** Counts one reconciliation run and what it found (`game` is bounded: the configured games). */
  reconciled(run: { game: string; ok: boolean; missing: number; revokedMissing: number; fixed: number }): void
  snapshot(): MetricsSnapshot
}

/** @example const metrics = createMetrics(); metrics.observe({ eventType: 'item.add', outcome: 'ok', durationMs: 3, duplicate: false }) */
export function createMetrics(): Metrics {
  const state = emptySnapshot()
  // Formatted once per label value, not on every delivery (it showed in the profile, docs/benchmarks.md). The values are bounded (catalogue event types, `unknown`, `none`; catalogue error codes).
  const eventLabels = memoized((eventType: string) => labels({ event_type: eventType }))
  const reasonLabels = memoized((reason: string) => labels({ reason }))
  const deliveryLabels = memoized((eventType: string) =>
    memoized((outcome: string) => labels({ event_type: eventType, outcome })),
  )
  return {
    observe({ eventType, outcome, durationMs, duplicate }) {
      increment(state.deliveries, deliveryLabels(eventType)(outcome))
      if (duplicate) increment(state.duplicates, eventLabels(eventType))
      if (outcome !== 'ok' && outcome !== 'unknown_event_acknowledged')
        increment(state.rejections, reasonLabels(outcome))
      const histogram = histogramOf(state, eventLabels(eventType))
      const seconds = durationMs / 1000
      LATENCY_BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) histogram.buckets[index]!++
      })
      histogram.sum += seconds
      histogram.count++
    },
    setSseClients(count) {
      state.sseClients = count
    },
    forwarded(via, result) {
      increment(state.forwards, labels({ via, result }))
    },
    setDatabaseUnavailable(unavailable) {
      if (unavailable && !state.databaseUnavailable) state.databaseOutages = (state.databaseOutages ?? 0) + 1
      state.databaseUnavailable = unavailable ? 1 : 0
    },
    reconciled({ game, ok, missing, revokedMissing, fixed }) {
      increment(state.reconcileRuns!, labels({ game, result: ok ? 'ok' : 'failed' }))
      increment(state.reconcileFindings!, labels({ game, kind: 'missing' }), missing)
      increment(state.reconcileFindings!, labels({ game, kind: 'revoked_missing' }), revokedMissing)
      increment(state.reconcileFindings!, labels({ game, kind: 'fixed' }), fixed)
    },
    snapshot: () => structuredClone(state),
  }
}

function emptySnapshot(): MetricsSnapshot {
  return {
    deliveries: {},
    duplicates: {},
    rejections: {},
    forwards: {},
    latency: {},
    sseClients: 0,
    databaseOutages: 0,
    databaseUnavailable: 0,
    reconcileRuns: {},
    reconcileFindings: {},
  }
}

/** Sums the snapshots of several worker processes into one. */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const total = emptySnapshot()
  for (const snapshot of snapshots) {
    total.databaseOutages! += snapshot.databaseOutages ?? 0
    total.databaseUnavailable! += snapshot.databaseUnavailable ?? 0
    for (const family of [
      'deliveries',
      'duplicates',
      'rejections',
      'forwards',
      'reconcileRuns',
      'reconcileFindings',
    ] as const) {
      if (!snapshot[family]) continue // a worker of an older build
      for (const [key, value] of Object.entries(snapshot[family])) increment(total[family]!, key, value)
    }
    for (const [key, histogram] of Object.entries(snapshot.latency)) {
      const into = histogramOf(total, key)
      histogram.buckets.forEach((count, index) => {
        into.buckets[index] = (into.buckets[index] ?? 0) + count
      })
      into.sum += histogram.sum
      into.count += histogram.count
    }
    total.sseClients += snapshot.sseClients
  }
  return total
}

/** The Prometheus text exposition format (version 0.0.4) of a snapshot, plus process gauges. */
export function renderMetrics(
  snapshot: MetricsSnapshot,
  process: { residentBytes: number; uptimeSeconds: number },
  outbox?: { pending: number; dead: number; oldestPendingAgeSeconds: number },
): string {
  const lines: string[] = []
  const family = (name: string, type: string, help: string, samples: Record<string, number>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [key, value] of Object.entries(samples)) lines.push(`${name}${key} ${value}`)
  }
  family(
    'aghanim_webhook_deliveries_total',
    'counter',
    'Webhook deliveries answered, by event type and outcome.',
    snapshot.deliveries,
  )
  family(
    'aghanim_webhook_duplicates_total',
    'counter',
    'Deliveries answered from the idempotency store (handler not run).',
    snapshot.duplicates,
  )
  family(
    'aghanim_webhook_rejections_total',
    'counter',
    'Deliveries not processed, by reason (error code).',
    snapshot.rejections,
  )
  lines.push(
    '# HELP aghanim_webhook_handler_duration_seconds Time from request to answer, by event type.',
    '# TYPE aghanim_webhook_handler_duration_seconds histogram',
  )
  for (const [key, histogram] of Object.entries(snapshot.latency)) {
    const inner = key.slice(1, -1)
    LATENCY_BUCKETS.forEach((bound, index) => {
      lines.push(
        `aghanim_webhook_handler_duration_seconds_bucket{${inner},le="${bound}"} ${histogram.buckets[index]}`,
      )
    })
    lines.push(`aghanim_webhook_handler_duration_seconds_bucket{${inner},le="+Inf"} ${histogram.count}`)
    lines.push(`aghanim_webhook_handler_duration_seconds_sum${key} ${histogram.sum}`)
    lines.push(`aghanim_webhook_handler_duration_seconds_count${key} ${histogram.count}`)
  }
  if (Object.keys(snapshot.forwards).length > 0 || outbox)
    family(
      'aghanim_forward_calls_total',
      'counter',
      'Forward mode: calls to the backend, by via (sync, outbox) and result (status, timeout, refused, reset, too_large, failed).',
      snapshot.forwards,
    )
  if (outbox) {
    family('aghanim_outbox_depth', 'gauge', 'Forward mode: notifications waiting in the outbox.', {
      '': outbox.pending,
    })
    family(
      'aghanim_outbox_oldest_pending_age_seconds',
      'gauge',
      'Age of the oldest waiting notification (0: none).',
      {
        '': outbox.oldestPendingAgeSeconds,
      },
    )
    family('aghanim_outbox_dead_letters', 'gauge', 'Notifications that ran out of attempts (redrive them).', {
      '': outbox.dead,
    })
  }
  if (Object.keys(snapshot.reconcileRuns ?? {}).length > 0) {
    family(
      'aghanim_reconcile_runs_total',
      'counter',
      "Reconciliation runs against Aghanim's S2S API, by game and result (ok, failed).",
      snapshot.reconcileRuns!,
    )
    family(
      'aghanim_reconcile_orders_total',
      'counter',
      'Orders reconciliation found paid but never granted (missing), refunded but never revoked (revoked_missing), and fixed.',
      snapshot.reconcileFindings ?? {},
    )
  }
  family('aghanim_inspector_stream_clients', 'gauge', 'Open live-update (Server-Sent Events) connections.', {
    '': snapshot.sseClients,
  })
  family(
    'aghanim_database_outages_total',
    'counter',
    'Times the database became unavailable (webhooks answered 503 until it was back).',
    { '': snapshot.databaseOutages ?? 0 },
  )
  family(
    'aghanim_database_unavailable',
    'gauge',
    'Processes that currently see the database as unavailable (0 when all is well).',
    { '': snapshot.databaseUnavailable ?? 0 },
  )
  family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', {
    '': process.residentBytes,
  })
  family('process_uptime_seconds', 'gauge', 'Seconds since the process started.', {
    '': process.uptimeSeconds,
  })
  return `${lines.join('\n')}\n`
}

function memoized<T>(format: (value: string) => T): (value: string) => T {
  const cache = new Map<string, T>()
  return (value) => {
    let formatted = cache.get(value)
    if (formatted === undefined) {
      formatted = format(value)
      cache.set(value, formatted)
    }
    return formatted
  }
}

function labels(values: Record<string, string>): string {
  const pairs = Object.entries(values).map(([name, value]) => `${name}="${escapeLabel(value)}"`)
  return `{${pairs.join(',')}}`
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function histogramOf(snapshot: MetricsSnapshot, key: string): MetricsSnapshot['latency'][string] {
  const existing = snapshot.latency[key]
  if (existing) return existing
  const created = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }
  snapshot.latency[key] = created
  return created
}

function increment(samples: Record<string, number>, key: string, by = 1): void {
  samples[key] = (samples[key] ?? 0) + by
}
