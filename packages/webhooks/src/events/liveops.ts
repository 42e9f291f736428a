import { s } from '../schema.js'
import { aghanimDocs, defineEvent, notificationEvent } from './define.js'
import { ids, undocumentedPlayerEvent } from './shared.js'

const message = s.object({
  player_id: s.string(),
  title: s.string(),
  body: s.string(),
  icon: s.optional(s.nullable(s.string())),
  /** Opened on click. */
  url: s.optional(s.nullable(s.string())),
})

/** ingame.popup / ingame.push, campaign.custom and batch.ready. */
export const liveopsEvents = {
  'ingame.popup': defineEvent({
    summary: 'A LiveOps campaign asks the game to show the player a popup.',
    kind: 'notification',
    answer: 'ack',
    data: message,
    fixture: {
      player_id: ids.player,
      title: 'Hello!',
      body: 'How are you today? Claim your reward now!',
      icon: null,
      url: null,
    },
    docs: aghanimDocs('webhooks/in-game-popup'),
    trigger: 'liveops.execute_action',
    idempotencyKey: false,
  }),
  'ingame.push': defineEvent({
    summary: 'A LiveOps campaign asks the game to send the player a mobile push.',
    kind: 'notification',
    answer: 'ack',
    data: message,
    fixture: { player_id: ids.player, title: 'Hello!', body: 'How are you today?', icon: null, url: null },
    docs: aghanimDocs('webhooks/mobile-push'),
    trigger: 'liveops.execute_action',
    idempotencyKey: false,
  }),
  'campaign.custom': undocumentedPlayerEvent(
    "A LiveOps campaign's webhook action (payload not documented; kept open).",
  ),
  'batch.ready': notificationEvent({
    summary:
      'A batch of events is ready as a JSONL file behind a pre-signed URL valid 24 h (fields not documented).',
    data: s.openObject(),
    // Illustrative: Aghanim has not documented the field names.
    fixture: {
      url: 'https://batches.example.com/gm_exTAyxPsVwh/batch_eCb9Kx2.jsonl?signature=example',
      expires_at: 1725634850,
    },
    docs: aghanimDocs('webhooks/batching'),
  }),
}
