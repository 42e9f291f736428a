import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A private temporary directory for one test file's databases; `remove()` deletes it and everything in it. */
export function tempDirectory(label: string) {
  const root = mkdtempSync(join(tmpdir(), `awh-${label}-`))
  let counter = 0
  return {
    root,
    /** A fresh database path inside the directory. */
    file: (name = 'store') => {
      counter += 1
      return join(root, `${name}-${counter}.db`)
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  }
}
