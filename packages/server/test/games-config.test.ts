import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '@aghanim-webhooks/server'
import { afterAll, describe, expect, test } from 'vitest'
import { parseGameList } from '../src/config/game-list.js'

const dir = mkdtempSync(join(tmpdir(), 'awh-games-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the gm_a=…;gm_b=… form', () => {
  test('reads games separated by ; and each game’s values by ,', () => {
    expect(parseGameList('X', ' gm_a = whsec_1 , whsec_1b ; gm_b=whsec_2;')).toEqual([
      { game: 'gm_a', values: ['whsec_1', 'whsec_1b'] },
      { game: 'gm_b', values: ['whsec_2'] },
    ])
  })

  test('takes the values of a repeated flag, each possibly holding several games', () => {
    expect(parseGameList('--game', ['gm_a=s1', 'gm_b=s2;gm_c=s3'])).toEqual([
      { game: 'gm_a', values: ['s1'] },
      { game: 'gm_b', values: ['s2'] },
      { game: 'gm_c', values: ['s3'] },
    ])
  })

  test.each([
    ['an entry without =', 'gm_a'],
    ['a game id with a colon', 'gm:a=s1'],
    ['an empty value', 'gm_a=s1,'],
    ['an empty game id', '=s1'],
    ['a game listed twice', 'gm_a=s1;gm_a=s2'],
  ])('refuses %s, naming the setting and never a value', (_, value) => {
    const error = (() => {
      try {
        parseGameList('AGHANIM_GAME_SECRETS', value)
      } catch (caught) {
        return caught as Error
      }
      throw new Error('accepted')
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.message).toContain('AGHANIM_GAME_SECRETS')
    expect(error.message).not.toContain('s1')
    expect(error.message).not.toContain('s2')
  })
})

describe('serve configuration of several games', () => {
  test('AGHANIM_GAME_SECRETS names the games; the sandbox is separate by default', () => {
    const config = loadConfig([], { AGHANIM_GAME_SECRETS: 'gm_a=whsec_1,whsec_1b;gm_b=whsec_2' }, dir)
    expect(config.games).toEqual([
      { game: 'gm_a', secrets: ['whsec_1', 'whsec_1b'] },
      { game: 'gm_b', secrets: ['whsec_2'] },
    ])
    expect(config.secrets).toEqual([])
    expect(config.sandbox).toBe('separate')
  })

  test('--game flags win over the variable, and --sandbox over SANDBOX', () => {
    const config = loadConfig(
      ['--game', 'gm_x=s1', '--game', 'gm_y=s2', '--sandbox', 'reject'],
      { AGHANIM_GAME_SECRETS: 'gm_a=whsec_1', SANDBOX: 'accept' },
      dir,
    )
    expect(config.games.map((entry) => entry.game)).toEqual(['gm_x', 'gm_y'])
    expect(config.sandbox).toBe('reject')
    expect(loadConfig([], { AGHANIM_WEBHOOK_SECRET: 's', SANDBOX: 'accept' }, dir).sandbox).toBe('accept')
  })

  test('AGHANIM_WEBHOOK_SECRET alone stays one unnamed game', () => {
    const config = loadConfig([], { AGHANIM_WEBHOOK_SECRET: 'new,old' }, dir)
    expect(config.games).toEqual([])
    expect(config.secrets).toEqual(['new', 'old'])
  })

  test('refuses both forms at once, and an unknown sandbox mode', () => {
    expect(() =>
      loadConfig([], { AGHANIM_WEBHOOK_SECRET: 's', AGHANIM_GAME_SECRETS: 'gm_a=t' }, dir),
    ).toThrow(/exclusive/)
    expect(() => loadConfig(['--sandbox', 'mixed'], { AGHANIM_WEBHOOK_SECRET: 's' }, dir)).toThrow(
      /--sandbox must be one of separate, accept, reject/,
    )
  })

  test('refuses one secret for two games, without printing it', () => {
    expect(() => loadConfig([], { AGHANIM_GAME_SECRETS: 'gm_a=shared_s;gm_b=shared_s' }, dir)).toThrow(
      /games gm_a and gm_b the same secret/,
    )
    expect(() => loadConfig([], { AGHANIM_GAME_SECRETS: 'gm_a=shared_s;gm_b=shared_s' }, dir)).not.toThrow(
      /shared_s/,
    )
  })

  test('production is satisfied by named games', () => {
    const config = loadConfig([], { NODE_ENV: 'production', AGHANIM_GAME_SECRETS: 'gm_a=s' }, dir)
    expect(config.games).toHaveLength(1)
  })
})
