import { fixtureEvent, signedHeaders } from 'aghanim-webhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Listening, listen } from './helpers/listen.js'
import { useRealServer } from './helpers/real-server.js'
import { cli } from './helpers/run.js'

// `redrive` against our real server in forward mode, with a real backend that is down until the test says.

const SECRET = 'whsec_cli_redrive'
const ADMIN_TOKEN = 'cli-redrive-admin'
let backend: Listening
let backendUp = false
const received: string[] = []

beforeAll(async () => {
  backend = await listen((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      received.push(`${backendUp ? 200 : 503} ${JSON.parse(body).event_data.player_id}`)
      res.writeHead(backendUp ? 200 : 503, { 'content-type': 'application/json' }).end('{"status":"ok"}')
    })
  }, '/aghanim')
})
afterAll(() => backend?.close())
const server = useRealServer(() => ({
  env: {
    AGHANIM_WEBHOOK_SECRET: SECRET,
    ADMIN_TOKEN,
    FORWARD_TO: backend.url,
    FORWARD_SECRET: 'fwd_cli_secret',
    FORWARD_ASYNC: 'notifications',
    FORWARD_RETRY_SCHEDULE: '20ms',
  },
}))

async function deadLetters(): Promise<number> {
  const response = await fetch(`${server.url}/api/outbox?state=dead`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  return (await response.json()).counts.dead
}

async function sendPaid(player: string) {
  const body = JSON.stringify(fixtureEvent('order.paid', { event_data: { player_id: player } }))
  const headers = await signedHeaders({ secret: SECRET, timestamp: Math.floor(Date.now() / 1000), body })
  const response = await fetch(`${server.url}/webhook`, { method: 'POST', body, headers })
  expect(response.status).toBe(200)
}

describe('redrive', () => {
  it('refuses to run without naming what to redrive', async () => {
    const run = await cli(['redrive', '--server', server.url, '--token', ADMIN_TOKEN])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--all/)
  })

  it("puts a player's dead letters back, and the server delivers them", async () => {
    await sendPaid('cli_player')
    await sendPaid('cli_other')
    await expect.poll(deadLetters, { timeout: 3000 }).toBe(2)
    backendUp = true
    const run = await cli([
      'redrive',
      '--player',
      'cli_player',
      '--server',
      server.url,
      '--token',
      ADMIN_TOKEN,
    ])
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe('redrove 1 dead letter: the server delivers them again\n')
    expect(run.code).toBe(0)
    await expect.poll(() => received.includes('200 cli_player')).toBe(true)
    expect(await deadLetters()).toBe(1)

    const all = await cli(['redrive', '--all', '--json'], {
      env: { AGHANIM_SERVER_URL: server.url, ADMIN_TOKEN },
    })
    expect(JSON.parse(all.stdout)).toEqual({ redriven: 1 })
    await expect.poll(() => received.includes('200 cli_other')).toBe(true)
  })

  it('says when the token is wrong', async () => {
    const run = await cli(['redrive', '--all', '--server', server.url, '--token', 'wrong'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/HTTP 401.*check --token/)
  })
})
