import cluster from 'node:cluster'
import { createServer } from 'node:http'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'

/**
 * Serves a baseline's request listener on `--port` (and `--host`), with `--workers N` processes through
 * node:cluster, exactly as our server does, so that a comparison is between equals.
 *
 * @example listen((req, res) => res.end('ok'))
 */
export function listen(listener) {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, workers: { type: 'string' } },
  })
  const workers = Math.min(Number(values.workers ?? 1), availableParallelism())
  if (workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < workers; i++) cluster.fork()
    // The harness stops a target with SIGTERM to the primary: take the workers down with it.
    process.on('SIGTERM', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
      process.exit(0)
    })
    return
  }
  const server = createServer(listener)
  server.listen(Number(values.port ?? 8000), values.host ?? '127.0.0.1')
  process.on('SIGTERM', () => process.exit(0))
}

/** Reads the secret the harness passes in the environment (never on the command line, where `ps` shows it). */
export function benchSecret() {
  const secret = process.env.BENCH_WEBHOOK_SECRET
  if (!secret) throw new Error('BENCH_WEBHOOK_SECRET is not set.')
  return secret
}

/** The players the baselines know, answering player.verify like the server's ledger does. */
export function playerAnswer(playerId) {
  return { player_id: playerId, name: `Player ${playerId}`, attributes: { level: 42, platform: 'ios' } }
}
