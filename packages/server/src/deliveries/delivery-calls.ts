/** A nullable column as text or a number, `null` kept. Internal. */
export const nullableText = (value: unknown) => (value === null || value === undefined ? null : String(value))
export const nullableNumber = (value: unknown) =>
  value === null || value === undefined ? null : Number(value)

/**
 * What a row of a call made for a delivery holds, whoever made it (forward mode's calls to the backend,
 * a listener's call to a laptop's app): when, how long, and what came back. Internal.
 */
export function callFromRow(row: Record<string, unknown>) {
  return {
    deliveryId: String(row.delivery_id),
    startedAt: Number(row.started_at),
    durationMs: Number(row.duration_ms),
    status: nullableNumber(row.status),
    error: nullableText(row.error),
    answer: nullableText(row.answer),
  }
}

/** A call's common fields as the admin API shows them (times in ISO 8601, durations to 0.01 ms). Internal. */
export function callJson(call: ReturnType<typeof callFromRow>) {
  return {
    started_at: new Date(call.startedAt).toISOString(),
    duration_ms: Math.round(call.durationMs * 100) / 100,
    status: call.status,
    error: call.error,
    answer: call.answer,
  }
}
