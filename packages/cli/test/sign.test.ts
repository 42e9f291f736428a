import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signatureVectors } from '../../../test-support/signature-vectors.js'
import { cli } from './helpers/run.js'

// Computed by an independent implementation (Python hmac); shared with the library's sign and verify tests.
const vectors = signatureVectors

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'awh-cli-sign-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('sign', () => {
  it.each(vectors.valid.map((vector) => [vector.name, vector] as const))(
    'prints the vector signature for a file: %s',
    async (_name, vector) => {
      const file = join(dir, `${vectors.valid.indexOf(vector)}.body`)
      await writeFile(file, Buffer.from(vector.body_base64, 'base64'))
      const run = await cli(['sign', '--secret', vector.secret, '--timestamp', vector.timestamp, file])
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(
        `x-aghanim-signature: ${vector.signature}\nx-aghanim-signature-timestamp: ${vector.timestamp}\n`,
      )
    },
  )

  it('signs standard input with `-`', async () => {
    const vector = vectors.valid[1]!
    const run = await cli(['sign', '--secret', vector.secret, '--timestamp', vector.timestamp, '-'], {
      stdinText: vector.body_utf8,
    })
    expect(run.stdout).toContain(vector.signature)
  })

  it('reads piped standard input when no file is named', async () => {
    const vector = vectors.valid[1]!
    const run = await cli(['sign', '--timestamp', vector.timestamp], {
      stdinText: vector.body_utf8,
      env: { AGHANIM_WEBHOOK_SECRET: vector.secret },
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(vector.signature)
  })

  it('prints a curl line that sends the file as exact bytes', async () => {
    const vector = vectors.valid[0]!
    const file = join(dir, 'curl body.json')
    await writeFile(file, Buffer.from(vector.body_base64, 'base64'))
    const run = await cli([
      'sign',
      '--secret',
      vector.secret,
      '--timestamp',
      vector.timestamp,
      '--curl',
      '--url',
      'https://example.com/hook',
      file,
    ])
    expect(run.stdout.trim()).toBe(
      `curl -sS -X POST https://example.com/hook -H 'content-type: application/json' -H 'x-aghanim-signature: ${vector.signature}' -H 'x-aghanim-signature-timestamp: ${vector.timestamp}' --data-binary '@${file}'`,
    )
  })

  it('prints the headers as JSON with --json', async () => {
    const vector = vectors.valid[1]!
    const run = await cli(
      ['sign', '--secret', vector.secret, '--timestamp', vector.timestamp, '--json', '-'],
      { stdinText: vector.body_utf8 },
    )
    expect(JSON.parse(run.stdout)).toEqual({
      headers: { 'x-aghanim-signature': vector.signature, 'x-aghanim-signature-timestamp': vector.timestamp },
    })
  })

  it('signs with the current time by default', async () => {
    const run = await cli(['sign', '--secret', 's', '--json', '-'], {
      stdinText: '{}',
      now: () => 1725548450_123,
    })
    expect(JSON.parse(run.stdout).headers['x-aghanim-signature-timestamp']).toBe('1725548450')
  })

  it('exits 2 without a secret, and never echoes one', async () => {
    const run = await cli(['sign', '-'], { stdinText: '{}' })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('AGHANIM_WEBHOOK_SECRET')
  })

  it('exits 2 for a missing file or a timestamp that is not Unix seconds', async () => {
    expect((await cli(['sign', '--secret', 's', join(dir, 'nope.json')])).stderr).toContain('no such file')
    const run = await cli(['sign', '--secret', 's', '--timestamp', '2024-01-01', '-'], { stdinText: '{}' })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--timestamp must be Unix seconds')
  })

  it('exits 2 when there is no body to sign', async () => {
    const run = await cli(['sign', '--secret', 's'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Give the body to sign')
  })
})
