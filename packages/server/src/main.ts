#!/usr/bin/env node
// Runs `serve` without the CLI package: `node packages/server/dist/main.js [serve] [flags]`.
import { serveCommand } from './startup/serve-command.js'

const argv = process.argv.slice(2)
if (argv[0] === 'serve') argv.shift()
process.exitCode = await serveCommand(argv, {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
})
