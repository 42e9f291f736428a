import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** For one test file: makes fresh temporary directories named `awh-<label>-…`, all removed after the file. */
export function useTempDirs(label: string): () => string {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `awh-${label}-`))
    dirs.push(dir)
    return dir
  }
}
