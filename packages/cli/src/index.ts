/**
 * The `aghanim-webhooks` command line, as a library: `runCli` runs any command in-process.
 *
 * @example
 * import { runCli } from '@aghanim-webhooks/cli'
 * const code = await runCli(['events', '--json'], { env: {}, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export { type CliIo, type CliStream, exitCodes, UsageError } from './io.js'
export { runCli } from './run-cli.js'
