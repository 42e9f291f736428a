import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The command as `npx aghanim-webhooks` runs it: the bin shim, which loads the build (`npm test` builds first).
const BIN = fileURLToPath(new URL('../bin/aghanim-webhooks.js', import.meta.url))

function run(args: string[], options: { closeStdout?: boolean } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    // Closing our end at once makes the child's writes fail with EPIPE, as after `| head` has read enough.
    if (options.closeStdout) child.stdout.destroy()
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the aghanim-webhooks bin', () => {
  it('runs a command and exits with its code', async () => {
    const ok = await run(['events', '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).length).toBeGreaterThan(40)
    expect((await run(['send'])).code).toBe(2)
  })

  it('exits quietly when the reader closes the pipe early (`| head`)', async () => {
    const result = await run(['events'], { closeStdout: true })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})
