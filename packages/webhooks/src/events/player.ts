import { s } from '../schema.js'
import { aghanimDocs, defineEvent } from './define.js'
import { ids, undocumentedPlayerEvent } from './shared.js'

/** player.verify, player.lookup, player.update, marketing consent and player.is_idle. */
export const playerEvents = {
  'player.verify': defineEvent({
    summary: 'A player logs in to the game hub: answer with who they are, or deny.',
    kind: 'decision',
    answer: 'player',
    data: s.object({ player_id: s.string() }),
    fixture: { player_id: ids.player },
    docs: aghanimDocs('webhooks/verify-player'),
    trigger: 'hub.login',
    idempotencyKey: false,
  }),
  'player.lookup': defineEvent({
    summary: 'Composite login knows part of an identity: answer with the matching accounts.',
    kind: 'decision',
    answer: 'lookup',
    // The partial composite identity; its field names are defined by each game.
    data: s.openObject(),
    fixture: { account_id: '123456' },
    docs: aghanimDocs('advanced/composite-authorization'),
    trigger: null,
    idempotencyKey: false,
  }),
  'player.update': defineEvent({
    summary: 'The player changed their profile on the game hub (documented, not in the OpenAPI enum).',
    kind: 'notification',
    answer: 'status',
    data: s.object({
      player_id: s.string(),
      name: s.optional(s.string()),
      email: s.optional(s.string()),
      avatar_url: s.optional(s.string()),
    }),
    fixture: { player_id: ids.player, email: 'PlayerOne@aghanim.com' },
    docs: aghanimDocs('webhooks/update-player'),
    trigger: 'hub.profile_update',
    idempotencyKey: false,
  }),
  'player.marketing_consent.updated': defineEvent({
    summary: "A player's marketing consent changed: update your mailing lists.",
    kind: 'notification',
    answer: 'ack',
    data: s.object({
      player_id: s.string(),
      email: s.object({
        address: s.string(),
        /** Unix seconds, or null when never granted. */
        granted_at: s.optional(s.nullable(s.number())),
        revoked_at: s.optional(s.nullable(s.number())),
      }),
    }),
    fixture: {
      player_id: ids.player,
      email: { address: 'player@example.com', granted_at: 1704067200, revoked_at: null },
    },
    docs: aghanimDocs('webhooks/marketing-consent'),
    trigger: 'hub.purchase',
    idempotencyKey: false,
  }),
  'player.is_idle': undocumentedPlayerEvent(
    'Not documented by Aghanim (only the name exists); payload kept open.',
  ),
}
