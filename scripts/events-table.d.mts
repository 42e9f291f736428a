// Types of events-table.mjs for the test that imports it (the test project does not check JavaScript).
import type * as webhooks from 'aghanim-webhooks'

export function eventsTableMarkdown(
  library: Pick<typeof webhooks, 'catalogue' | 'eventTypes' | 'subscriptionPatterns'>,
): string
