import { AghanimWebhookError } from './errors.js'

/**
 * The `secret` option as a list, checked when the receiver is mounted: a secret read from an unset environment
 * variable (`process.env.AGHANIM_WEBHOOK_SECRET!`) is `undefined`, and must fail at start with the option's
 * name and the fix, not with a `TypeError` on the first delivery. Internal.
 */
export function webhookSecrets(secret: unknown): string[] {
  const list = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...secret] : undefined
  if (list === undefined) throw invalidSecret(`is ${describe(secret)}`)
  if (list.length === 0) throw invalidSecret('is an empty list')
  list.forEach((value, index) => {
    const name = typeof secret === 'string' ? '' : ` (entry ${index})`
    if (typeof value !== 'string') throw invalidSecret(`${name} is ${describe(value)}`.trim())
    if (value.length === 0) throw invalidSecret(`${name} is an empty string`.trim())
  })
  return list
}

function invalidSecret(problem: string): AghanimWebhookError {
  return new AghanimWebhookError(
    'invalid_config',
    `The webhook option \`secret\` ${problem}. Pass the webhook secret from the Aghanim dashboard (a non-empty ` +
      'string, e.g. process.env.AGHANIM_WEBHOOK_SECRET — check that the variable is set), or a list of them ' +
      'during a rotation.',
  )
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value)
  return `a ${Array.isArray(value) ? 'list' : typeof value}`
}
