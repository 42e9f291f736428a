/** Deep-merges `patch` into `target`: objects merge key by key; arrays and other values replace. */
export function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue
    const current = target[key]
    if (isObject(current) && isObject(value)) mergeInto(current, value)
    else target[key] = value
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
