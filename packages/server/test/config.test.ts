import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig, serveCommand } from '@aghanim-webhooks/server'
import { describe, expect, test } from 'vitest'
import { useTempDirs } from '../../../test-support/temp-dirs.js'
import { ensureDevSecret } from '../src/config/dev-secret.js'

const tempDir = useTempDirs('config')

describe('loadConfig', () => {
  test('defaults to port 8000, /webhook and an SQLite file under ./data', () => {
    const dir = tempDir()
    const config = loadConfig([], {}, dir)
    expect(config).toMatchObject({
      port: 8000,
      webhookPath: '/webhook',
      database: { kind: 'sqlite', path: join(dir, 'data', 'aghanim-webhooks.db'), durability: 'fsync' },
      secrets: [],
      unknownEvents: 'reject',
      workers: 1,
      production: false,
      seedTestPlayer: true,
    })
  })

  test('reads .env, lets the environment win over it and flags win over both', () => {
    const dir = tempDir()
    writeFileSync(
      join(dir, '.env'),
      'PORT=7000\nWEBHOOK_PATH=/from-dotenv\nAGHANIM_WEBHOOK_SECRET="new,old"\n',
    )
    expect(loadConfig([], {}, dir)).toMatchObject({
      port: 7000,
      webhookPath: '/from-dotenv',
      secrets: ['new', 'old'],
    })
    expect(loadConfig([], { PORT: '7100' }, dir).port).toBe(7100)
    expect(loadConfig(['--port', '7200'], { PORT: '7100' }, dir).port).toBe(7200)
  })

  test('selects PostgreSQL by URL, with a schema', () => {
    const config = loadConfig(
      ['--database-url', 'postgres://app:pw@db:5432/shop', '--database-schema', 'hooks'],
      {},
      tempDir(),
    )
    expect(config.database).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://app:pw@db:5432/shop',
      schema: 'hooks',
      queryTimeoutMs: 30_000,
    })
  })

  test('waits 30 s for the database at start and 30 s for a PostgreSQL answer, unless told otherwise', () => {
    const url = 'postgres://app@db/shop'
    expect(loadConfig([], { DATABASE_URL: url }, tempDir()).databaseWaitMs).toBe(30_000)
    const tuned = loadConfig(
      [],
      { DATABASE_URL: url, DATABASE_WAIT_MS: '0', DATABASE_TIMEOUT_MS: '1500' },
      tempDir(),
    )
    expect(tuned.databaseWaitMs).toBe(0)
    expect(tuned.database).toMatchObject({ queryTimeoutMs: 1500 })
    expect(() => loadConfig([], { DATABASE_URL: url, DATABASE_TIMEOUT_MS: 'soon' }, tempDir())).toThrow(
      'DATABASE_TIMEOUT_MS',
    )
  })

  test('resolves handlers and catalogue paths against the working directory', () => {
    const dir = tempDir()
    const config = loadConfig(
      ['--handlers', './h.js', '--catalogue', 'c.json', '--unknown-events=acknowledge', '--workers', '2'],
      {},
      dir,
    )
    expect(config).toMatchObject({
      handlersPath: join(dir, 'h.js'),
      cataloguePath: join(dir, 'c.json'),
      unknownEvents: 'acknowledge',
      workers: 2,
    })
  })

  test.each([
    [['--port', '80a'], {}, /PORT must be a whole number between 0 and 65535, got "80a"/],
    [['--port', '70000'], {}, /PORT must be/],
    [['--unknown-events', 'maybe'], {}, /--unknown-events must be one of reject, acknowledge/],
    [['--log-level', 'loud'], {}, /--log-level must be one of/],
    [['--path', 'webhook'], {}, /WEBHOOK_PATH must be a URL path/],
    [['--path', '/api/hooks'], {}, /not under \/api\//],
    [['--database-url', 'mysql://x/y'], {}, /DATABASE_URL must be postgres/],
    [
      ['--database-url', 'postgres://x/y', '--database-schema', 'a;drop'],
      {},
      /DATABASE_SCHEMA must be a plain SQL identifier/,
    ],
    [['--database-url', 'sqlite::memory:'], {}, /in-memory SQLite/],
    [['--workers', '0'], {}, /--workers must be/],
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['stray'], {}, /stray/],
    [[], { NODE_ENV: 'production' }, /NODE_ENV=production needs a webhook secret/],
    [[], { SQLITE_DURABILITY: 'maybe' }, /SQLITE_DURABILITY must be fsync or process/],
  ] as const)('refuses %j %j with a clear ConfigError', (argv, env, message) => {
    const attempt = () => loadConfig([...argv], env, tempDir())
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(message)
  })

  test('exports traces when an OTLP endpoint is set, with OpenTelemetry’s own variables', () => {
    const dir = tempDir()
    expect(loadConfig([], {}, dir).tracing).toBeUndefined()
    expect(loadConfig([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, dir).tracing).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      serviceName: 'aghanim-webhooks',
    })
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp',
      OTEL_SERVICE_NAME: 'shop-webhooks',
    }
    expect(loadConfig([], env, dir).tracing).toEqual({
      tracesUrl: 'https://traces.example.com/otlp',
      serviceName: 'shop-webhooks',
    })
    expect(loadConfig([], { ...env, OTEL_SDK_DISABLED: 'true' }, dir).tracing).toBeUndefined()
    expect(() => loadConfig([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, dir)).toThrow(
      'must be an http(s) URL',
    )
  })

  test('takes listeners in mirror mode by default; LISTEN_MODE and --listen-mode choose tunnel or off', () => {
    const dir = tempDir()
    expect(loadConfig([], {}, dir).listen).toEqual({ mode: 'mirror', timeoutMs: 10_000 })
    expect(loadConfig([], { LISTEN_MODE: 'tunnel', LISTEN_TIMEOUT_MS: '2500' }, dir).listen).toEqual({
      mode: 'tunnel',
      timeoutMs: 2500,
    })
    expect(loadConfig(['--listen-mode', 'off'], { LISTEN_MODE: 'tunnel' }, dir).listen.mode).toBe('off')
    expect(() => loadConfig(['--listen-mode', 'proxy'], {}, dir)).toThrow(
      '--listen-mode must be one of off, mirror, tunnel, got "proxy".',
    )
    // Above the 60 s idempotency lease, a retry could take the key over while the laptop still answers.
    expect(() => loadConfig(['--listen-timeout-ms', '60000'], {}, dir)).toThrow(ConfigError)
  })

  test('refuses an explicit env file that does not exist', () => {
    expect(() => loadConfig(['--env-file', 'nope.env'], {}, tempDir())).toThrow(/Cannot read the env file/)
  })
})

describe('serveCommand', () => {
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    let stdout = ''
    let stderr = ''
    const code = await serveCommand(argv, {
      env,
      cwd: tempDir(),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    })
    return { code, stdout, stderr }
  }

  test('exits 2 with one line and no stack trace on bad configuration', async () => {
    const result = await run(['--port', 'eighty'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'aghanim-webhooks serve: PORT must be a whole number between 0 and 65535, got "eighty".\n',
    )
  })

  test('refuses to start in production without a secret', async () => {
    const result = await run([], { NODE_ENV: 'production' })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^aghanim-webhooks serve: NODE_ENV=production needs a webhook secret.*\n$/)
  })

  test('exits 2 when the database cannot be reached within DATABASE_WAIT_MS', async () => {
    const result = await run(['--database-url', 'postgres://postgres@127.0.0.1:1/test', '--secret', 's'], {
      DATABASE_WAIT_MS: '300',
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /^aghanim-webhooks serve: cannot start: PostgreSQL postgres:\/\/postgres@127\.0\.0\.1:1\/test \(schema public\) did not accept connections within 0\.\d s \(connect ECONNREFUSED 127\.0\.0\.1:1\)\. .*DATABASE_WAIT_MS\.\n$/,
    )
  })

  test('exits 2 when a store catalogue is broken', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'catalogue.json'), '[{"name": "no sku"}]')
    const result = await run(['--catalogue', join(dir, 'catalogue.json'), '--secret', 's', '--port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/items\[0\] needs a string "sku"/)
  })

  test('prints its options with --help', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--database-url URL')
  })
})

describe('development secret', () => {
  test('is generated once, kept with mode 0600 and reused', () => {
    const dir = tempDir()
    const first = ensureDevSecret(join(dir, 'data'))
    expect(first.created).toBe(true)
    expect(first.secret).toMatch(/^whsec_dev_[A-Za-z0-9_-]{32}$/)
    expect(statSync(first.path).mode & 0o777).toBe(0o600)
    expect(readFileSync(first.path, 'utf8').trim()).toBe(first.secret)
    expect(ensureDevSecret(join(dir, 'data'))).toEqual({ ...first, created: false })
  })
})
