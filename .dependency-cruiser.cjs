// The dependency rules the design relies on, checked by test/dependency-rules.test.ts (part of `npm test`).
// Run `npx depcruise packages` for the same verdict on the command line.
const { readdirSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

// Each package's public entry points are the files its package.json `exports` map names (the `source`
// condition for TypeScript, the plain path for a file such as schema.json): they are read from there, so a new
// subpath is allowed the moment it is exported, and nothing else in another package's folder ever is.
function publicEntryPoints() {
  const entries = []
  for (const folder of readdirSync(join(__dirname, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(__dirname, 'packages', folder, 'package.json'), 'utf8'))
    for (const target of Object.values(manifest.exports ?? {})) {
      const file = typeof target === 'string' ? target : target.source
      if (file) entries.push(join('packages', folder, file))
    }
  }
  return entries
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const publicEntry = `^(${publicEntryPoints().map(escapeRegExp).join('|')})$`

const librarySource = '^packages/webhooks/src/'
// The only places of the library that may use Node: the framework adapters for Node servers, and the node:crypto
// engine and UTF-8 validator that `#runtime` selects under the `node` export condition. Everything else runs on
// Workers, Deno, Bun and browsers as it is.
const libraryNodeCorners = [
  '^packages/webhooks/src/adapters/',
  '^packages/webhooks/src/(crypto|utf8)/node\\.ts$',
]
const inspectorSource = '^packages/server/inspector/src/'
// The admin API's JSON shapes, declared once for the server and the page: it imports nothing, and the page
// reads it with `import type` only (its tsconfig references the server project).
const adminApiTypes = '^packages/server/src/api/admin-api-types\\.ts$'

module.exports = {
  // Every rule is an error: a boundary that only warns is crossed the first time it is in the way.
  forbidden: [
    {
      name: 'library-core-without-node',
      comment:
        'The library core is web-standard: no Node builtin outside its adapters and its node crypto engine and decoder.',
      from: { path: librarySource, pathNot: libraryNodeCorners },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'library-without-dependencies',
      comment:
        'aghanim-webhooks has zero dependencies: its source imports no npm package but the optional peer.',
      from: { path: librarySource },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-no-pkg', 'npm-unknown', 'npm-bundled'],
        // The Node adapters' `/// <reference types="node" />`: where Node may be used is the rule above.
        pathNot: '^node_modules/@types/node/',
      },
    },
    {
      name: 'packages-meet-by-public-exports',
      comment:
        "A package reaches into another's source only through an entry point of its exports map (its package name " +
        'and public subpaths), never by a relative path or a deep import.',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/[^/]+/(src|inspector/src)/', pathNot: ['^packages/$1/', publicEntry] },
    },
    {
      name: 'imports-resolve',
      comment:
        'Every import resolves; a deep import into a package that its exports map does not offer fails here.',
      from: { path: '^packages/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-cycles',
      comment: 'No module of a package imports itself back through others.',
      from: { path: '^packages/[^/]+/(src|inspector/src)/' },
      to: { circular: true },
    },
    {
      name: 'inspector-is-browser-code',
      comment: 'The inspector runs in the browser: it imports no Node builtin.',
      from: { path: inspectorSource },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'inspector-stands-alone',
      comment:
        "The inspector is compiled on its own for the browser: it imports only its own modules and the server's API types.",
      from: { path: inspectorSource },
      to: { pathNot: [inspectorSource, adminApiTypes] },
    },
    {
      name: 'admin-api-types-stand-alone',
      comment:
        'The API types the inspector shares import nothing, so the page never reaches server code through them.',
      from: { path: adminApiTypes },
      to: {},
    },
  ].map((rule) => ({ severity: 'error', ...rule })),
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/', '^packages/[^/]+/test/fixtures/'] },
    // Type-only imports count: a cycle through types is a cycle in the design all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
}
