import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startTestServer, type TestServer } from './support/test-server.js'

/** A raw GET, so `..` and encoded slashes reach the server exactly as written (fetch would normalise them). */
function rawGet(
  url: string,
  path: string,
): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', path }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('inspector files', () => {
  let t: TestServer
  let outside: string
  let root: string
  beforeAll(async () => {
    outside = mkdtempSync(join(tmpdir(), 'awh-static-outside-'))
    writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET')
    root = mkdtempSync(join(tmpdir(), 'awh-static-root-'))
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>inspector</title>')
    writeFileSync(join(root, 'main.js'), 'export {}')
    writeFileSync(join(root, 'styles.css'), 'body{}')
    writeFileSync(join(root, '.env'), 'TOKEN=x')
    mkdirSync(join(root, 'views'))
    writeFileSync(join(root, 'views', 'player.js'), 'export const player = 1')
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'))
    t = await startTestServer({}, [], { inspectorRoot: root })
  })
  afterAll(async () => {
    await t.close()
    rmSync(outside, { recursive: true, force: true })
    rmSync(root, { recursive: true, force: true })
  })

  test('serves the page without a token, with content types and a restrictive policy', async () => {
    const page = await fetch(`${t.url}/inspector/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(await page.text()).toContain('<title>inspector</title>')
    expect((await fetch(`${t.url}/inspector/main.js`)).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    )
    expect((await fetch(`${t.url}/inspector/styles.css`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    )
    expect(await (await fetch(`${t.url}/inspector/views/player.js`)).text()).toContain('player')
  })

  test('redirects /inspector to /inspector/', async () => {
    const response = await fetch(`${t.url}/inspector`, { redirect: 'manual' })
    expect(response.status).toBe(308)
    expect(response.headers.get('location')).toBe('/inspector/')
  })

  test.each([
    '/inspector/../package.json',
    '/inspector/%2e%2e/package.json',
    '/inspector/%2e%2e%2fpackage.json',
    '/inspector/..%5c..%5cpackage.json',
    '/inspector/views/../../src/index.ts',
    '/inspector/.env',
    '/inspector/link.txt',
    '/inspector/missing.js',
    '/inspector/main.js%00.html',
  ])('never serves anything outside the inspector folder: %s', async (path) => {
    const response = await rawGet(t.url, path)
    expect([400, 404]).toContain(response.status)
    expect(response.type).toBe('application/json; charset=utf-8')
    expect(response.body).not.toContain('TOP-SECRET')
    expect(response.body).not.toContain('"name"')
  })

  test('refuses to write to the inspector', async () => {
    expect((await fetch(`${t.url}/inspector/index.html`, { method: 'PUT', body: 'x' })).status).toBe(405)
  })
})
