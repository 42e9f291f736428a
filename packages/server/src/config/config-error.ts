/**
 * A configuration mistake the operator can fix: printed as one line and exit code 2, never a stack trace.
 *
 * @example throw new ConfigError('PORT must be a whole number between 0 and 65535, got "80a".')
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}
