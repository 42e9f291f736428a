import { readLimited } from 'aghanim-webhooks'
import { HttpError } from '../errors/server-errors.js'

export interface DownloadLimits {
  maxBytes: number
  timeoutMs: number
  fetch: typeof globalThis.fetch
}

/**
 * Downloads a batch file with a size limit (checked while streaming, so a huge file is cut off, not buffered)
 * and an overall timeout. Redirects are not followed: they could lead to a host the allowlist never approved.
 * Failures are `HttpError`s whose code tells a retryable failure (5xx) from a refused file (4xx). Internal.
 */
export async function downloadBatch(url: URL, limits: DownloadLimits): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(limits.timeoutMs)
  try {
    const response = await limits.fetch(url, { redirect: 'manual', signal })
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      throw new HttpError(
        'batch_download_failed',
        `Downloading the batch file answered HTTP ${response.status}.`,
      )
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    if (declared > limits.maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw tooLarge(limits.maxBytes)
    }
    if (!response.body) return new Uint8Array(0)
    return await readLimited(response.body, limits.maxBytes, tooLarge)
  } catch (error) {
    if (error instanceof HttpError) throw error
    if (signal.aborted) {
      throw new HttpError(
        'batch_download_timeout',
        `Downloading the batch file took longer than ${limits.timeoutMs} ms.`,
      )
    }
    throw new HttpError(
      'batch_download_failed',
      `Downloading the batch file failed: ${(error as Error).message}`,
    )
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    'batch_too_large',
    `The batch file is larger than BATCH_MAX_BYTES (${maxBytes} bytes).`,
  )
}
