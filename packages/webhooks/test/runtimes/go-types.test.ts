import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { eventTypes } from '../../src/events/catalogue.js'
import { fixtureEvent } from '../../src/events/fixtures.js'
import { cachedInstall, RUNTIMES_CACHE } from './support/cached-install.js'
import { type ConsumerProject, consumerProject } from './support/consumer-project.js'
import { runtimeVersions } from './support/versions.js'

const run = promisify(execFile)

// Decodes every file of a directory into the generated type; one line per file: name, ok or error, type, id.
const decodeFixtures = `package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	files, _ := filepath.Glob(filepath.Join(os.Args[1], "*.json"))
	for _, file := range files {
		data, _ := os.ReadFile(file)
		event, err := UnmarshalAghanimWebhookEvent(data)
		if err != nil {
			fmt.Printf("%s\\terror\\t%v\\n", filepath.Base(file), err)
			continue
		}
		fmt.Printf("%s\\tok\\t%s\\t%s\\n", filepath.Base(file), event.EventType, event.EventID)
	}
}
`

let project: ConsumerProject | undefined
afterAll(() => project?.remove())

describe('Go types generated from aghanim-webhooks/schema.json', () => {
  it('quicktype generates Go structs from the packed schema, which compile and decode every fixture', async () => {
    const runtime = await cachedInstall('quicktype', runtimeVersions.quicktype)
    project = await consumerProject(runtime, { 'go.mod': 'module aghanim.example/events\n\ngo 1.19\n' })
    const { dir } = project
    // Found through the package's exports, as `import schema from 'aghanim-webhooks/schema.json'` would.
    const { stdout: schemaPath } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "console.log(new URL(import.meta.resolve('aghanim-webhooks/schema.json')).pathname)",
      ],
      { cwd: dir },
    )
    await run(
      process.execPath,
      [
        join(runtime, 'node_modules/quicktype/dist/index.js'),
        ...['--src-lang', 'schema', '--lang', 'go', '--package', 'main'],
        ...['--top-level', 'AghanimWebhookEvent', '--out', 'events.go', schemaPath.trim()],
      ],
      { cwd: dir },
    )
    writeFileSync(join(dir, 'main.go'), decodeFixtures)
    mkdirSync(join(dir, 'fixtures'))
    for (const type of eventTypes)
      writeFileSync(
        join(dir, 'fixtures', `${type}.json`),
        JSON.stringify(fixtureEvent(type, { event_id: `whevt_${type}` })),
      )
    const wrong = fixtureEvent('item.add') as unknown as { event_data: { items: { quantity: unknown }[] } }
    wrong.event_data.items[0]!.quantity = '5'
    writeFileSync(join(dir, 'fixtures', 'wrong-typed.json'), JSON.stringify(wrong))

    // Debian's golang-go (./run installs it when missing), offline: the generated code needs only the standard library.
    const env = {
      ...process.env,
      GOCACHE: join(RUNTIMES_CACHE, 'go-build'),
      GOPATH: join(RUNTIMES_CACHE, 'go'),
      GOFLAGS: '-mod=mod',
      GOTOOLCHAIN: 'local',
      GOPROXY: 'off',
    }
    await run('go', ['build', '-o', 'decode', '.'], { cwd: dir, env }).catch((error: { stderr?: string }) => {
      throw new Error(`go build failed:\n${error.stderr}`)
    })
    const { stdout } = await run(join(dir, 'decode'), ['fixtures'], { cwd: dir })
    const lines = new Map(
      stdout
        .trim()
        .split('\n')
        .map((line) => [line.split('\t')[0], line.split('\t').slice(1)]),
    )
    for (const type of eventTypes) expect(lines.get(`${type}.json`)).toEqual(['ok', type, `whevt_${type}`])
    expect(lines.get('wrong-typed.json')?.[0]).toBe('error')
    expect(lines.get('wrong-typed.json')?.[1]).toContain('quantity')
  }, 240_000)
})
