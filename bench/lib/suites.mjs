/**
 * The scenarios. Every suite runs its targets interleaved (round 1: A B C D, round 2: B C D A, ...) so a
 * slow patch of the machine hits all of them, and reports the median of the rounds.
 *
 * pool: `verify` (player.verify, decision path), `unique` (item.add, every request a new key: the full
 * durable path), `duplicate` (item.add over 100 keys already granted: the stored-answer path).
 * workers: processes per target. One-process targets run on CPU 0 and wrk on CPU 1; with 2 workers the
 * target gets both CPUs and shares CPU 1 with wrk (there is no third).
 */
const BASELINES = ['bare', 'node-verify', 'express']

const suite = (id, pool, body, connections, targets, extra = {}) => ({
  id,
  pool,
  body,
  connections,
  workers: 1,
  targets,
  ...extra,
})

export const SUITES = [
  suite('verify-1k-c50', 'verify', 1024, 50, [...BASELINES, 'library', 'ours']),
  suite('verify-1k-c200', 'verify', 1024, 200, [...BASELINES, 'ours']),
  suite('verify-64k-c50', 'verify', 65536, 50, [...BASELINES, 'library', 'ours']),
  suite('verify-1k-c50-workers', 'verify', 1024, 50, [...BASELINES, 'ours'], { workers: 2 }),
  suite('add-sqlite-c50', 'unique', 1024, 50, [...BASELINES, 'ours'], { store: 'sqlite' }),
  suite('add-sqlite-c200', 'unique', 1024, 200, ['ours'], { store: 'sqlite' }),
  suite('add-sqlite-c50-workers', 'unique', 1024, 50, ['ours'], { store: 'sqlite', workers: 2 }),
  suite('add-sqlite-dup-c50', 'duplicate', 1024, 50, ['ours'], { store: 'sqlite' }),
  suite('add-postgres-c50', 'unique', 1024, 50, ['ours'], { store: 'postgres' }),
  // Forward mode against a direct call to the same backend (docs/forward.md): a decision and a durable grant.
  suite('forward-verify-c50', 'verify', 1024, 50, ['backend', 'forward'], { forward: true }),
  suite('forward-add-c50', 'unique', 1024, 50, ['backend', 'forward'], { forward: true, store: 'sqlite' }),
]

/** A human title for a suite. */
export function describeSuite(suite) {
  const what = {
    verify: 'signed player.verify',
    unique: `durable item.add, unique keys (${suite.store === 'postgres' ? 'PostgreSQL' : 'SQLite'})`,
    duplicate: `item.add duplicates (${suite.store === 'postgres' ? 'PostgreSQL' : 'SQLite'})`,
  }[suite.pool]
  const size = suite.body >= 1024 ? `${suite.body / 1024} KiB` : `${suite.body} B`
  const workers = suite.workers > 1 ? `, ${suite.workers} workers each` : ''
  if (suite.forward)
    return `forward mode: ${suite.pool === 'verify' ? 'player.verify' : 'durable item.add, unique keys'}, ${size}, ${suite.connections} connections`
  return `${what}, ${size}, ${suite.connections} connections${workers}`
}
