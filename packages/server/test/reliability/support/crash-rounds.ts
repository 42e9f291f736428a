import { Agent } from 'node:http'
import { expect } from 'vitest'
import { createRandom, type Random } from './prng.js'
import { ensureBuilt, spawnServer } from './server-process.js'
import { createPlayersNamed, deliver, grantBody } from './signed-delivery.js'

export const CRASH_SECRET = 'whsec_crash_Hf4Ks8Qw1Zx6'
export const CRASH_ADMIN_TOKEN = 'admin_crash_Lp3Nr7Tv2Yb5'
const PLAYERS = ['c0', 'c1', 'c2', 'c3', 'c4']
const SKUS = ['gems', 'coins', 'sword']

/** What the ledger holds, read straight from the database after a restart. */
export interface LedgerState {
  /** One entry per inventory_history row. */
  history: { key: string; playerId: string; sku: string; quantity: number; applied: number }[]
  inventory: { playerId: string; sku: string; quantity: number }[]
  /** Idempotency keys by state. */
  keys: Map<string, { state: string; status: number | null }>
}

export interface CrashTarget {
  /** Environment selecting the database (the same database every round); a function varies it per round. */
  env: Record<string, string> | ((round: number) => Record<string, string>)
  read(): Promise<LedgerState>
}

interface Grant {
  playerId: string
  sku: string
  quantity: number
  body: string
}

export interface CrashReport {
  rounds: number
  acknowledged: number
  duplicatesAnswered: number
  unknownOutcome: number
  seed: number
}

/**
 * `rounds` times: start the real server on the same database, check the ledger, drive concurrent unique and
 * duplicate item.add deliveries, and `kill -9` it at a random moment. Every grant answered 2xx must be in the
 * ledger exactly once after each restart; duplicates of acknowledged grants must be answered with the first
 * answer; grants whose answer was lost with the process may be in the ledger at most once.
 */
export async function crashRounds(
  target: CrashTarget,
  options: { rounds: number; seed: number },
): Promise<CrashReport> {
  ensureBuilt()
  const random = createRandom(options.seed)
  const acknowledged = new Map<string, Grant>()
  const sent = new Map<string, Grant>()
  const problems: string[] = []
  let duplicatesAnswered = 0
  let serial = 0

  for (let round = 1; round <= options.rounds; round += 1) {
    const server = await spawnServer({
      env: { ...envFor(target, round), AGHANIM_WEBHOOK_SECRET: CRASH_SECRET, ADMIN_TOKEN: CRASH_ADMIN_TOKEN },
    })
    if (round === 1) await createPlayers(server.url)
    checkLedger(await target.read(), acknowledged, sent, `after restart ${round}`)

    const agent = new Agent({ keepAlive: true, maxSockets: 16 })
    let killed = false
    let ackedThisRound = 0
    const loop = async () => {
      while (!killed) {
        const duplicate = acknowledged.size > 0 && random.chance(0.3)
        serial += 1
        const [key, grant] = duplicate
          ? pickAcknowledged(random, acknowledged)
          : newGrant(random, round, serial)
        if (!duplicate) sent.set(key, grant)
        let answer: Awaited<ReturnType<typeof deliver>>
        try {
          answer = await deliver(`${server.url}/webhook`, CRASH_SECRET, grant.body, agent)
        } catch {
          return // the process is gone: this answer is lost, as Aghanim would see it
        }
        if (answer.status >= 200 && answer.status < 300) {
          acknowledged.set(key, grant)
          ackedThisRound += 1
        }
        if (duplicate) {
          duplicatesAnswered += 1
          if (answer.status !== 200 || !answer.replay || answer.body !== '{"status":"ok"}') {
            problems.push(
              `round ${round}: duplicate ${key} answered ${answer.status} ${answer.body} (replay ${answer.replay})`,
            )
          }
        } else if (answer.status !== 200) {
          problems.push(`round ${round}: new grant ${key} answered ${answer.status} ${answer.body}`)
        }
      }
    }
    const loops = Array.from({ length: 12 }, loop)
    // Under load for sure (a few grants through, however slow the machine), then at a random moment.
    for (let waited = 0; ackedThisRound < 5 && waited < 10_000; waited += 10) await sleep(10)
    await sleep(random.between(0, 500))
    killed = true
    server.child.kill('SIGKILL')
    const exit = await server.exited
    await Promise.all(loops)
    agent.destroy()
    expect(exit.signal, `round ${round}: ${server.stderr()}`).toBe('SIGKILL')
    expect(server.stderr(), `round ${round}`).toBe('')
  }

  // The last restart: the ledger again, then duplicates of everything acknowledged answered as the first time.
  const server = await spawnServer({
    env: {
      ...envFor(target, options.rounds + 1),
      AGHANIM_WEBHOOK_SECRET: CRASH_SECRET,
      ADMIN_TOKEN: CRASH_ADMIN_TOKEN,
    },
  })
  try {
    const state = await target.read()
    checkLedger(state, acknowledged, sent, 'after the last restart')
    const agent = new Agent({ keepAlive: true, maxSockets: 16 })
    const replays = await Promise.all(
      [...acknowledged.values()].map((grant) =>
        deliver(`${server.url}/webhook`, CRASH_SECRET, grant.body, agent),
      ),
    )
    agent.destroy()
    expect(replays.filter((answer) => answer.status !== 200 || !answer.replay)).toEqual([])
    checkLedger(await target.read(), acknowledged, sent, 'after replaying every acknowledged grant')
    await checkAdminApi(server.url, state)
  } finally {
    await server.kill('SIGTERM')
  }
  expect(problems.slice(0, 10)).toEqual([])
  return {
    rounds: options.rounds,
    acknowledged: acknowledged.size,
    duplicatesAnswered,
    unknownOutcome: [...sent.keys()].filter((key) => !acknowledged.has(key)).length,
    seed: options.seed,
  }
}

function envFor(target: CrashTarget, round: number): Record<string, string> {
  return typeof target.env === 'function' ? target.env(round) : target.env
}

function checkLedger(
  state: LedgerState,
  acknowledged: Map<string, Grant>,
  sent: Map<string, Grant>,
  when: string,
): void {
  const rowsByKey = new Map<string, LedgerState['history']>()
  for (const row of state.history) rowsByKey.set(row.key, [...(rowsByKey.get(row.key) ?? []), row])
  const missing = [...acknowledged.keys()].filter((key) => !rowsByKey.has(key))
  const twice = [...rowsByKey]
    .filter(([, rows]) => rows.length !== 1)
    .map(([key, rows]) => `${key}×${rows.length}`)
  const wrong = [...rowsByKey]
    .map(([key, [row]]) => ({ key, row: row!, grant: sent.get(key) }))
    .filter(
      ({ row, grant }) =>
        !grant || grant.playerId !== row.playerId || grant.sku !== row.sku || grant.quantity !== row.applied,
    )
    .map(({ key }) => key)
  const notCompleted = [...acknowledged.keys()].filter((key) => state.keys.get(key)?.state !== 'completed')
  // A grant without its completed key (or the reverse) would mean they did not commit together.
  const uncommittedPairs = [...rowsByKey.keys()].filter((key) => state.keys.get(key)?.state !== 'completed')
  const completedWithoutGrant = [...state.keys]
    .filter(
      ([key, value]) =>
        value.state === 'completed' && value.status === 200 && sent.has(key) && !rowsByKey.has(key),
    )
    .map(([key]) => key)
  expect({ missing, twice, wrong, notCompleted, uncommittedPairs, completedWithoutGrant }, when).toEqual({
    missing: [],
    twice: [],
    wrong: [],
    notCompleted: [],
    uncommittedPairs: [],
    completedWithoutGrant: [],
  })
  // The inventory is the sum of its history: no half-applied grant.
  const sums = new Map<string, number>()
  for (const row of state.history)
    sums.set(`${row.playerId}/${row.sku}`, (sums.get(`${row.playerId}/${row.sku}`) ?? 0) + row.applied)
  const inventory = new Map(state.inventory.map((line) => [`${line.playerId}/${line.sku}`, line.quantity]))
  expect(Object.fromEntries(inventory), when).toEqual(Object.fromEntries(sums))
}

async function checkAdminApi(url: string, state: LedgerState): Promise<void> {
  for (const playerId of PLAYERS) {
    const response = await fetch(`${url}/api/players/${playerId}`, {
      headers: { authorization: `Bearer ${CRASH_ADMIN_TOKEN}` },
    })
    const json = (await response.json()) as { inventory: { sku: string; quantity: number }[] }
    const expected = state.inventory
      .filter((line) => line.playerId === playerId && line.quantity > 0)
      .map((line) => ({ sku: line.sku, quantity: line.quantity }))
    expect(sortBySku(json.inventory), `GET /api/players/${playerId}`).toEqual(sortBySku(expected))
  }
}

const createPlayers = (url: string) => createPlayersNamed(url, CRASH_ADMIN_TOKEN, PLAYERS, 'Crash')

function newGrant(random: Random, round: number, serial: number): [string, Grant] {
  const key = `idmpt_crash_${round}_${serial}_${random.text(6)}`
  const playerId = random.pick(PLAYERS)
  const sku = random.pick(SKUS)
  const quantity = random.between(1, 100)
  return [key, { playerId, sku, quantity, body: grantBody(key, playerId, sku, quantity) }]
}

function pickAcknowledged(random: Random, acknowledged: Map<string, Grant>): [string, Grant] {
  const keys = [...acknowledged.keys()]
  const key = keys[random.int(keys.length)]!
  return [key, acknowledged.get(key)!]
}

function sortBySku<T extends { sku: string }>(lines: T[]): T[] {
  return [...lines].sort((a, b) => a.sku.localeCompare(b.sku))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
