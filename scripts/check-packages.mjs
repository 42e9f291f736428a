// What each published package ships, checked before a release can go wrong: publint (strict) over every
// workspace package, and each tarball carrying the repository's LICENSE, word for word, and its CHANGELOG.md.
// Part of `npm run check:package` (and so of `npm test`); expects a build (dist/) to be there.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const root = new URL('..', import.meta.url).pathname
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const license = readFileSync(join(root, 'LICENSE'), 'utf8')
const shippedWithEveryPackage = ['LICENSE', 'CHANGELOG.md']

const problems = []

const packs = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--workspaces', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
)
for (const folder of workspaces) {
  const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'))
  const pack = packs.find((entry) => entry.name === manifest.name)
  const packed = new Set(pack?.files.map((file) => file.path))
  for (const file of shippedWithEveryPackage)
    if (!packed.has(file)) problems.push(`${manifest.name}: its tarball has no ${file}`)
  if (readFileSync(join(root, folder, 'LICENSE'), 'utf8') !== license)
    problems.push(`${manifest.name}: ${folder}/LICENSE differs from the repository's LICENSE`)

  const { messages, pkg } = await publint({ pkgDir: join(root, folder), strict: true, pack: 'npm' })
  for (const message of messages) {
    const line = `${manifest.name}: publint ${message.type}: ${formatMessage(message, pkg, { color: false })}`
    if (message.type === 'suggestion') console.log(line)
    else problems.push(line)
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem)
  process.exit(1)
}
console.log(
  `${workspaces.length} packages: publint clean; each ships ${shippedWithEveryPackage.join(' and ')}.`,
)
