import { catalogue, formatIssues, playerVerifyAnswer } from 'aghanim-webhooks'
import { randomId } from '../payload/random-id.js'
import type { Check } from './check.js'
import { encode, event, send } from './probe.js'
import { describeOutcome, expectRejected, failureNote, is2xx } from './verdict.js'

/** player.verify: approved with the documented player object, and an unknown player denied. */
export const playerChecks: Check[] = [
  {
    id: 'player-verify-schema',
    title: 'answers player.verify with the documented player object',
    async run(probe) {
      const outcome = await send(probe, encode(event(probe, 'player.verify')))
      const expected = '2xx with { player_id, name, attributes, … }'
      const got = describeOutcome(outcome)
      if (outcome.kind !== 'answer' || !is2xx(outcome)) {
        return {
          result: 'fail',
          expected,
          got,
          note:
            failureNote(outcome) ?? `player ${probe.settings.player} must exist on the endpoint (--player).`,
        }
      }
      if (outcome.json === undefined)
        return {
          result: 'fail',
          expected,
          got: `${got}, body is not JSON`,
          note: 'Aghanim reads the player from a JSON answer.',
        }
      const parsed = playerVerifyAnswer.parse(outcome.json)
      if (!parsed.ok)
        return {
          result: 'fail',
          expected,
          got: `${got}, ${formatIssues(parsed.issues.map((issue) => ({ ...issue, path: ['answer', ...issue.path] })))}`,
          note: `the player schema: ${catalogue['player.verify'].docs}`,
        }
      if (parsed.value.player_id !== probe.settings.player) {
        return {
          result: 'warn',
          expected,
          got: `${got}, player_id ${JSON.stringify(parsed.value.player_id)}`,
          note: `asked for ${probe.settings.player}: the hub logs in whoever the answer names.`,
        }
      }
      return { result: 'pass', expected, got: `${got}, valid player object` }
    },
  },
  {
    id: 'player-verify-unknown',
    title: 'denies an unknown player with a 4xx',
    async run(probe) {
      const body = encode(
        event(probe, 'player.verify', { player_id: randomId('aghanim-webhooks-check-', 12) }),
      )
      return expectRejected(await send(probe, body), {
        result: 'warn',
        note: 'an unknown player was approved: fine only if your game creates players on first login.',
      })
    },
  },
]
