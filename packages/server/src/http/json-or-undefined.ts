/**
 * `text` parsed as JSON, or `undefined` when it is not JSON: for answers and lines the server only looks
 * into, where a body that is not JSON is a fact to report rather than an error. Internal.
 *
 * @example
 * const code = (jsonOrUndefined(await response.text()) as { code?: unknown } | undefined)?.code
 */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
