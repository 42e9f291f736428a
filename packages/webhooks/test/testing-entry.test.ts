import { createRouter, createWebhookHandler } from 'aghanim-webhooks'
import { fixtureEvent, signedRequest } from 'aghanim-webhooks/testing'
import { describe, expect, it } from 'vitest'

describe('the testing entry', () => {
  it('builds a realistic signed delivery that a receiver accepts and routes', async () => {
    const granted: string[] = []
    const router = createRouter().on('item.add', (event) => {
      granted.push(event.event_data.player_id)
    })
    const handle = createWebhookHandler({ secret: 'whsec_testing_entry', router })
    const event = fixtureEvent('item.add', { event_data: { player_id: 'p_testing' } })
    const response = await handle(await signedRequest({ secret: 'whsec_testing_entry', event }))
    expect(response.status).toBe(200)
    expect(granted).toEqual(['p_testing'])
  })
})
