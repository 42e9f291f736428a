import type { TransactionWork } from 'aghanim-webhooks'
import type { IdempotencyStore } from 'aghanim-webhooks/store'
import { collect, spawnFixture } from './child-process.js'

/**
 * The body of a child process that completes fresh keys under load until it is killed, printing `ack <key>` only
 * after `complete()` resolved true: the parent SIGKILLs it mid-load and checks that every acknowledged key (and
 * its `grant`) survived. Shared by both stores' fixtures, which only open their store and write their grant.
 */
export async function ackUntilKilled<Tx>(
  store: IdempotencyStore<Tx>,
  grant: (key: string) => TransactionWork<Tx>,
  concurrency: number,
): Promise<void> {
  let next = 0
  async function worker(): Promise<never> {
    for (;;) {
      next += 1
      const key = `key-${next}`
      const claim = await store.claim(key, { leaseMs: 60_000 })
      if (claim.kind !== 'acquired') throw new Error(`unexpected ${claim.kind} for a fresh key`)
      if (await store.complete(key, claim.token, { status: 200, body: `{"key":"${key}"}` }, [grant(key)]))
        process.stdout.write(`ack ${key}\n`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

/**
 * The body of one of several processes delivering `copies` copies of ONE key at once, as several server instances
 * would: claim, run the "handler" (`run`, a row in handler_runs) on success, else wait for the winner's answer.
 * Prints each answer, one a line.
 */
export async function deliverCopies<Tx>(
  store: IdempotencyStore<Tx>,
  { key, copies, name }: { key: string; copies: number; name: string },
  run: (body: string) => TransactionWork<Tx>,
): Promise<void> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  async function deliver(copy: number): Promise<string> {
    for (;;) {
      const claim = await store.claim(key, { leaseMs: 30_000 })
      if (claim.kind === 'completed') return claim.answer.body
      if (claim.kind === 'acquired') {
        const body = JSON.stringify({ status: 'ok', winner: `${name}#${copy}` })
        if (await store.complete(key, claim.token, { status: 200, body }, [run(body)])) return body
      }
      await sleep(5 + Math.random() * 10)
    }
  }
  const answers = await Promise.all(Array.from({ length: copies }, (_, copy) => deliver(copy)))
  for (const answer of answers) process.stdout.write(`${answer}\n`)
}

/**
 * Runs three `deliverCopies` processes at once (70, 65 and 65 copies of one key, named p0 to p2) from `fixture`,
 * `argsOf` giving each its arguments; resolves with every answer they printed and how each exited.
 */
export async function runCopyDeliverers(
  fixture: URL,
  argsOf: (copies: number, name: string) => string[],
): Promise<{ answers: string[]; exits: { code: number | null; stderr: string }[] }> {
  const answers: string[] = []
  const children = [70, 65, 65].map((copies, index) => spawnFixture(fixture, argsOf(copies, `p${index}`)))
  const exits = await Promise.all(children.map((child) => collect(child, (line) => answers.push(line))))
  return { answers, exits: exits.map(({ code, stderr }) => ({ code, stderr })) }
}
