/** The median of a list of numbers (the mean of the middle two for an even count); NaN when empty. */
export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Formats a number for a table: thousands separated, `digits` decimals, an em dash when missing. */
export function fmt(value, digits = 0) {
  if (!Number.isFinite(value)) return '—'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** `ours / baseline` as `0.93×`, or an em dash. */
export function ratio(ours, baseline) {
  return Number.isFinite(ours) && Number.isFinite(baseline) && baseline > 0
    ? `${(ours / baseline).toFixed(2)}×`
    : '—'
}

/** A Markdown table from a header row and body rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const MiB = 1024 * 1024

/** The value at percentile `p` (0–100) of numbers sorted ascending, by nearest rank. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]
}
