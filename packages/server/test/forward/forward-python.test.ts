import { fixtureEvent } from 'aghanim-webhooks'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { grant, startTestServer, type TestServer } from '../support/test-server.js'
import { type PythonBackend, startPythonBackend } from './support/backends.js'

// The backend knows only the new forward secret: the first of FORWARD_SECRET must be the one that signs.
const FORWARD_SECRET = 'fwd_python_secret_new'

let backend: PythonBackend
let server: TestServer

beforeAll(async () => {
  backend = await startPythonBackend(FORWARD_SECRET)
  server = await startTestServer({
    FORWARD_TO: backend.url,
    FORWARD_SECRET: `${FORWARD_SECRET},fwd_python_secret_old`,
  })
})
afterAll(async () => {
  await server?.close()
  await backend?.close()
})

test("a Python http.server backend verifies every forwarded call with Aghanim's sample code", async () => {
  const verified = await server.send(fixtureEvent('player.verify', { event_data: { player_id: 'p_py' } }))
  expect(verified.status).toBe(200)
  expect(verified.json).toEqual({ player_id: 'p_py', name: 'Py Player', attributes: { level: 7 } })

  const banned = await server.send(fixtureEvent('player.verify', { event_data: { player_id: 'banned' } }))
  expect(banned.status).toBe(404)
  expect(banned.json.code).toBe('not_found')

  // Non-ASCII text in the body: the sample decodes the bytes and re-encodes them, so they must be the originals.
  const event = grant('Игрок ✨', 'gem', 2)
  expect((await server.send(event)).status).toBe(200)
  expect((await server.send(event)).headers.get('x-idempotent-replay')).toBe('true')

  const declined = await server.send(grant('p_py', 'sold_out', 1))
  expect(declined.status).toBe(400)
  expect(declined.json).toEqual({ status: 'error', code: 'declined', message: 'Sold out' })

  const calls = backend.calls()
  expect(calls.map((call) => call.event_type)).toEqual([
    'player.verify',
    'player.verify',
    'item.add',
    'item.add',
  ])
  expect(calls.every((call) => call.verified)).toBe(true)
  expect(calls[2]).toMatchObject({ attempt: '1', idempotency_key: event.idempotency_key })
  expect(calls[2]!.delivery_id).toMatch(/^[0-9a-z]+-[0-9a-z]+$/)
})

test('the Python backend refuses a call signed with another secret (the check is real)', async () => {
  const wrong = await startTestServer({ FORWARD_TO: backend.url, FORWARD_SECRET: 'fwd_python_secret_old' })
  try {
    const answer = await wrong.send(grant('p_py_wrong', 'gem', 1))
    expect(answer.status).toBe(403)
    expect(answer.json).toMatchObject({ code: 'invalid_signature', message: 'Invalid signature' })
    expect(backend.calls().at(-1)).toMatchObject({ verified: false })
  } finally {
    await wrong.close()
  }
})
