import { errorAnswer } from '../../answer.js'
import { AghanimWebhookError } from '../../errors.js'
import { createWebhookAnswerer } from '../../handler.js'
import { defaultReport, reportOnce } from '../misconfiguration.js'
import type { AghanimWebhooksOptions } from '../options.js'
import { answerNodeRequest } from './answer.js'
import type { NodeRequest } from './request.js'
import { type NodeResponse, writeResponse } from './response.js'

/**
 * A node:http request listener that is also a connect-style middleware (Express, Connect, Polka…). It returns
 * a promise that settles once the delivery is handled and answered (never rejects), for a server that waits
 * for its requests in flight before it closes what they use; frameworks ignore it.
 */
export type NodeListener = (
  req: NodeRequest,
  res: NodeResponse,
  next?: (error?: unknown) => void,
) => Promise<void>

const FIX =
  'mount aghanimWebhooks() before express.json() (or any body parser), or only on this route — e.g. ' +
  "app.post('/webhook', aghanimWebhooks(...)) above app.use(express.json()). express.raw({ type: '*/*' }) " +
  'in front of it also works: its Buffer is the exact body.'

/** The listener behind the node and Express adapters. Internal. */
export function createNodeListener<Tx>(options: AghanimWebhooksOptions<Tx>): NodeListener {
  const handle = createWebhookAnswerer(options)
  const report = reportOnce(options.onMisconfiguration ?? defaultReport)

  async function serve(req: NodeRequest, res: NodeResponse): Promise<void> {
    const captured = req as { rawBody?: unknown; body?: unknown }
    const answer = await answerNodeRequest(req, { handle, captured, stream: req, fix: FIX, report })
    writeResponse(req, res, answer)
  }

  return (req, res, next) =>
    serve(req, res).catch((error: unknown) => {
      // Only a throwing `onDelivery` (or a bug) lands here: hand it to the framework, else answer and warn.
      if (next) return next(error)
      const reason = error instanceof Error ? error.message : String(error)
      defaultReport(
        new AghanimWebhookError('handler_failed', `The webhook receiver failed: ${reason}`, { cause: error }),
      )
      if (res.headersSent || res.writableEnded) return
      try {
        writeResponse(req, res, errorAnswer(new AghanimWebhookError('handler_failed')))
      } catch {
        // The socket is gone: nobody is left to answer.
      }
    })
}
