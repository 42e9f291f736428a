import { createWebhookHandler, type Router, type WebhookHandlerOptions } from 'aghanim-webhooks'
import { signedRequest } from 'aghanim-webhooks/testing'

/** A receiver for one secret, and how a test delivers to it: status, body, and whether it was a replay. */
export function receiverFor(secret: string) {
  const receiver = (router: Router, options: Partial<WebhookHandlerOptions> = {}) =>
    createWebhookHandler({ secret, router, ...options })
  const send = async (handle: (request: Request) => Promise<Response>, event: unknown) => {
    const response = await handle(await signedRequest({ secret, event }))
    return {
      status: response.status,
      body: await response.text(),
      replay: response.headers.get('x-idempotent-replay'),
    }
  }
  return { receiver, send }
}
