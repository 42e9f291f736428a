import type { Ledger } from './ledger.js'

/** The player of the docs' curl test (`event_data.player_id: "testplayer"`). */
export const TEST_PLAYER_ID = 'testplayer'

/**
 * Development starts create `testplayer` (once; an edited one is left alone) so the docs' test request and
 * `aghanim-webhooks check` succeed on a fresh server. Internal.
 */
export async function seedTestPlayer(ledger: Ledger, scope = ''): Promise<void> {
  if (await ledger.getPlayer(TEST_PLAYER_ID, scope)) return
  await ledger.upsertPlayer(
    TEST_PLAYER_ID,
    {
      name: 'Test Player',
      attributes: { level: 1, platform: 'other' },
      segments: ['testers'],
      country: 'US',
    },
    scope,
  )
}
