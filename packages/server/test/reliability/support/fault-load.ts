import { Agent } from 'node:http'
import { expect } from 'vitest'
import { createPlayersNamed, type DeliveryAnswer, deliver, grantBody } from './signed-delivery.js'

export const FAULT_SECRET = 'whsec_faults_Qm4Vz8Lp2Kx7'
export const FAULT_ADMIN_TOKEN = 'admin_faults_Tn6Wb3Hy9Rc1'
export const FAULT_PLAYERS = ['f0', 'f1', 'f2']

export const createPlayers = (url: string) =>
  createPlayersNamed(url, FAULT_ADMIN_TOKEN, FAULT_PLAYERS, 'Fault')

export interface LoadReport {
  /** Keys acknowledged (2xx), with the quantity granted. */
  acknowledged: Map<string, { playerId: string; quantity: number }>
  /** Answers by status ("refused" when the connection failed: the server is gone). */
  statuses: Record<string, number>
  /** 503 answers without a Retry-After header, and answers ≥ 500 other than 503. */
  problems: string[]
  /** When each answer came (performance.now()), with its status, for recovery times. */
  timeline: { at: number; status: number }[]
}

export interface Load {
  stop(): Promise<LoadReport>
  /** Answers by status so far. */
  statuses(): Record<string, number>
  /** Resolves at the first 2xx answered after `since` (performance.now()), with its time. */
  nextSuccessAfter(since: number, timeoutMs?: number): Promise<number>
}

/**
 * `clients` concurrent senders of item.add grants, each with its own idempotency key, retrying a key that got
 * no 2xx (as Aghanim does: 5xx and 409 are retried) every 50 ms until it is acknowledged. `stop()` lets every
 * pending key finish (by then the database must be back) and reports what was answered.
 */
export function startLoad(options: {
  url: string
  clients: number
  prefix: string
  retryWithinMs?: number
}): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients })
  const report: LoadReport = { acknowledged: new Map(), statuses: {}, problems: [], timeline: [] }
  let stopping = false
  let serial = 0
  const waiters: Array<{ since: number; resolve: (at: number) => void }> = []
  const record = (answer: DeliveryAnswer | undefined) => {
    const status = answer?.status ?? 0
    const at = performance.now()
    report.timeline.push({ at, status })
    const label = answer ? String(status) : 'refused'
    report.statuses[label] = (report.statuses[label] ?? 0) + 1
    if (answer && status === 503 && answer.retryAfter === undefined)
      report.problems.push(`503 without Retry-After: ${answer.body}`)
    if (answer && status >= 500 && status !== 503) report.problems.push(`${status} ${answer.body}`)
    if (status >= 200 && status < 300)
      for (const waiter of waiters.splice(0)) {
        if (at > waiter.since) waiter.resolve(at)
        else waiters.push(waiter)
      }
  }
  const client = async (index: number) => {
    while (!stopping) {
      serial += 1
      const key = `idmpt_${options.prefix}_${index}_${serial}`
      const playerId = FAULT_PLAYERS[serial % FAULT_PLAYERS.length]!
      const quantity = 1 + (serial % 7)
      const body = grantBody(key, playerId, 'gems', quantity)
      const deadline = performance.now() + (options.retryWithinMs ?? 60_000)
      for (;;) {
        let answer: DeliveryAnswer | undefined
        try {
          answer = await deliver(`${options.url}/webhook`, FAULT_SECRET, body, agent)
        } catch {
          answer = undefined
        }
        record(answer)
        if (answer && answer.status >= 200 && answer.status < 300) {
          report.acknowledged.set(key, { playerId, quantity })
          break
        }
        if (performance.now() > deadline) {
          report.problems.push(`${key} was never acknowledged (last answer ${answer?.status ?? 'none'})`)
          break
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }
  const running = Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)))
  let stopped: Promise<LoadReport> | undefined
  return {
    statuses: () => ({ ...report.statuses }),
    stop() {
      stopped ??= (async () => {
        stopping = true
        await running
        agent.destroy()
        return report
      })()
      return stopped
    },
    nextSuccessAfter(since, timeoutMs = 30_000) {
      const done = report.timeline.find(
        (entry) => entry.at > since && entry.status >= 200 && entry.status < 300,
      )
      if (done) return Promise.resolve(done.at)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 2xx within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({
          since,
          resolve: (at) => {
            clearTimeout(timer)
            resolve(at)
          },
        })
      })
    },
  }
}

/** Resolves once GET /readyz answers `status`, with the time it did. */
export async function readyzBecomes(url: string, status: number, timeoutMs = 30_000): Promise<number> {
  const started = performance.now()
  for (;;) {
    const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
      (response) => response.status,
      () => 0,
    )
    if (answer === status) return performance.now()
    if (performance.now() - started > timeoutMs)
      throw new Error(`/readyz did not answer ${status} in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The ledger's history rows per idempotency key, to check that every acknowledged grant is there once. */
export function checkGrants(
  acknowledged: LoadReport['acknowledged'],
  rows: { key: string; quantity: number }[],
): void {
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(row.key, (counts.get(row.key) ?? 0) + 1)
  const missing = [...acknowledged.keys()].filter((key) => !counts.has(key))
  const doubled = [...counts].filter(([, count]) => count > 1).map(([key]) => key)
  const wrong = rows
    .filter((row) => acknowledged.get(row.key)?.quantity !== row.quantity)
    .map((row) => row.key)
  // Every key was retried until acknowledged: a grant without its acknowledgement would be one lost to the client.
  expect({ missing, doubled, wrong }).toEqual({ missing: [], doubled: [], wrong: [] })
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
