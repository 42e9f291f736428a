import { sign } from 'aghanim-webhooks'
import { TEST_PLAYER_ID } from '../ledger/test-player.js'

/** The test body of Aghanim's docs, for the seeded player. */
export const DOCS_TEST_BODY = `{"event_id":"whevt_eAeXhOxLwxy","event_type":"player.verify","idempotency_key":null,"event_data":{"player_id":"${TEST_PLAYER_ID}"},"context":null}`

/**
 * The two ready-to-paste test commands printed at start: a curl with the docs' signed player.verify body, and the
 * CLI line that sends the same event. `secretShown` is what the CLI line shows for the secret: the value in
 * development, an environment reference when it came from the operator.
 *
 * @example await curlLines({ webhookUrl: 'http://localhost:8000/webhook', secret, secretShown: secret, now: Date.now() })
 */
export async function curlLines(input: {
  webhookUrl: string
  secret: string
  secretShown: string
  /** The game the secret is of, with several games: the CLI's fixture names another, so the line sets it. */
  game?: string
  now: number
}) {
  const timestamp = Math.floor(input.now / 1000)
  const signature = await sign({ secret: input.secret, timestamp, body: DOCS_TEST_BODY })
  const curl = [
    `curl -sS -X POST ${input.webhookUrl}`,
    `-H 'content-type: application/json'`,
    `-H 'x-aghanim-signature-timestamp: ${timestamp}'`,
    `-H 'x-aghanim-signature: ${signature}'`,
    `--data-raw '${DOCS_TEST_BODY}'`,
  ].join(' \\\n    ')
  const game = input.game ? ` --set game_id=${input.game}` : ''
  const cli = `npx aghanim-webhooks send player.verify --url ${input.webhookUrl} --secret ${input.secretShown} --player ${TEST_PLAYER_ID}${game}`
  return { curl, cli }
}
