import { createReadStream, existsSync } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HttpError } from '../errors/server-errors.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}

// The page loads only its own files and talks only to this server; it is never framed (clickjacking a replay).
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
}

/** The inspector's files: its build output when present, else its source folder. Internal. */
export function inspectorRoot(): string {
  const base = fileURLToPath(new URL('../../inspector/', import.meta.url))
  const built = join(base, 'dist')
  return existsSync(join(built, 'index.html')) ? built : base
}

/**
 * Serves `relative` (already stripped of the mount prefix) from `root`. The path is decoded once, must stay
 * inside the root after resolving `..` and symlinks, and never names a dotfile; anything else is a 404, so
 * probing reveals nothing. Directories serve their index.html. Internal.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  relative: string,
): Promise<void> {
  let decoded: string
  try {
    decoded = decodeURIComponent(relative)
  } catch {
    throw new HttpError('invalid_path', 'The path is not valid percent-encoding.')
  }
  const segments = decoded.split(/[/\\]+/).filter((segment) => segment !== '' && segment !== '.')
  if (decoded.includes('\0') || segments.some((segment) => segment === '..' || segment.startsWith('.')))
    throw notFound()
  const file = await resolveFile(root, segments)
  const type = TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream'
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(file.size),
    'cache-control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(type.startsWith('text/html') ? HTML_HEADERS : {}),
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file.path)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}

async function resolveFile(root: string, segments: string[]): Promise<{ path: string; size: number }> {
  try {
    const realRoot = await realpath(root)
    let path = await realpath(join(realRoot, ...segments))
    if (path !== realRoot && !path.startsWith(realRoot + sep)) throw notFound()
    let info = await stat(path)
    if (info.isDirectory()) {
      path = join(path, 'index.html')
      info = await stat(path)
    }
    if (!info.isFile()) throw notFound()
    return { path, size: info.size }
  } catch (error) {
    if (error instanceof HttpError) throw error
    throw notFound()
  }
}

function notFound(): HttpError {
  return new HttpError('not_found', 'No such inspector file.')
}
