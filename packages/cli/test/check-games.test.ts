import { beforeAll, describe, expect, it } from 'vitest'
import { useRealServer } from './helpers/real-server.js'
import { cli } from './helpers/run.js'

// `check --game` against our real server serving two games: every delivery names the game whose secret signs it.

const GAME_B_SECRET = 'whsec_cli_game_b'
const ADMIN_TOKEN = 'cli-games-admin'
const server = useRealServer(() => ({
  env: { AGHANIM_GAME_SECRETS: `gm_a=whsec_cli_game_a;gm_b=${GAME_B_SECRET}`, ADMIN_TOKEN },
}))
beforeAll(async () => {
  // Development starts seed testplayer in the first game only; check needs it in gm_b.
  const created = await fetch(`${server.url}/api/players/testplayer?game=gm_b`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Test Player' }),
  })
  expect(created.status).toBe(201)
})

interface CheckJson {
  ok: boolean
  checks: { id: string; result: string; got: string }[]
}

describe('check --game', () => {
  it('passes against a server of several games when the deliveries name the secret’s game', async () => {
    const run = await cli(['check', server.webhook, '--secret', GAME_B_SECRET, '--game', 'gm_b', '--json'])
    const report = JSON.parse(run.stdout) as CheckJson
    expect(report.checks.filter((entry) => entry.result === 'fail')).toEqual([])
    expect(run.code).toBe(0)
  })

  it('fails there without it: the fixture’s game id is not the secret’s game', async () => {
    const run = await cli([
      'check',
      server.webhook,
      '--secret',
      GAME_B_SECRET,
      '--json',
      '--only',
      'player-verify-schema',
    ])
    const report = JSON.parse(run.stdout) as CheckJson
    expect(report.ok).toBe(false)
    expect(report.checks[0]?.got).toContain('403')
  })

  it('refuses a game id that is not one', async () => {
    const run = await cli(['check', server.webhook, '--secret', GAME_B_SECRET, '--game', 'gm b'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--game takes a game id')
  })
})
