#!/usr/bin/env node
// The command's entry, kept outside dist/: npm links a workspace's bin only if the file exists at install
// time, and dist/ is built after `npm ci`. It loads the compiled CLI, or says how to build it.
try {
  await import('../dist/bin.js')
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error
  process.stderr.write(
    'aghanim-webhooks: the CLI is not built yet; run `npm run build` at the repository root.\n',
  )
  process.exitCode = 2
}
