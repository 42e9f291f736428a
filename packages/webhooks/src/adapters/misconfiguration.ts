import { AghanimWebhookError } from '../errors.js'

/**
 * The loud answer to a body that was read before the handler: the signature covers the exact bytes, and a
 * parsed or re-decoded body cannot be turned back into them, so no request can be verified until the app
 * is fixed. Internal to the adapters.
 */
export function rawBodyConsumed(found: string, fix: string): AghanimWebhookError {
  return new AghanimWebhookError(
    'raw_body_consumed',
    `${found}, so the exact bytes Aghanim signed are gone and no webhook can be verified. Fix: ${fix}`,
  )
}

/** Wraps a reporter so that a misconfiguration, which affects every request, is reported only once. */
export function reportOnce(
  report: (error: AghanimWebhookError) => void,
): (error: AghanimWebhookError) => void {
  let reported = false
  return (error) => {
    if (reported) return
    reported = true
    report(error)
  }
}

/** Reports without `console`: Node's warning channel (listenable via `process.on('warning')`), else `reportError`. */
export function defaultReport(error: AghanimWebhookError): void {
  const runtime = globalThis as {
    process?: { emitWarning?: (warning: Error) => void }
    reportError?: (error: unknown) => void
  }
  if (typeof runtime.process?.emitWarning === 'function') runtime.process.emitWarning(error)
  else runtime.reportError?.(error)
}
