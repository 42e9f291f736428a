// tsc compiles src/ to dist/ but does not copy other files: this puts the page's HTML and CSS next to the
// compiled modules, so the server serves one folder. Run by the root `build` script after `tsc -b`.
import { cpSync, mkdirSync } from 'node:fs'

const here = new URL('.', import.meta.url)
mkdirSync(new URL('dist/', here), { recursive: true })
cpSync(new URL('public/', here), new URL('dist/', here), { recursive: true })
