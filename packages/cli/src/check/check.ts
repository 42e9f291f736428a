import type { Probe } from './probe.js'
import type { Verdict } from './verdict.js'

/** One conformance check: a stable id (for --json and the docs), what it proves, and how. */
export interface Check {
  id: string
  title: string
  run(probe: Probe): Promise<Verdict>
}
