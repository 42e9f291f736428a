import type { CliStream } from './io.js'

type Paint = (text: string) => string

/** Terminal colours, or identity functions when colour is off. */
export interface Style {
  readonly enabled: boolean
  green: Paint
  red: Paint
  yellow: Paint
  cyan: Paint
  dim: Paint
  bold: Paint
}

/**
 * Colour only on a terminal, never when NO_COLOR is set to anything non-empty (https://no-color.org) or
 * TERM is `dumb`; FORCE_COLOR (non-zero) turns it on for pipes, e.g. in CI logs.
 */
export function colorEnabled(stream: CliStream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR) return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0'
  return stream.isTTY === true && env.TERM !== 'dumb'
}

const code =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`
const plain: Paint = (text) => text

export function createStyle(enabled: boolean): Style {
  if (!enabled)
    return { enabled, green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain }
  return {
    enabled,
    green: code(32, 39),
    red: code(31, 39),
    yellow: code(33, 39),
    cyan: code(36, 39),
    dim: code(2, 22),
    bold: code(1, 22),
  }
}
