// Serves the dashboard's built files (apps/dashboard/dist) at /app, when they have been built.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/app/';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The compressed copies the dashboard's build writes next to its files (apps/dashboard/scripts/precompress.mjs), best first. */
const ENCODINGS = [
  { name: 'br', extension: 'br' },
  { name: 'gzip', extension: 'gz' },
] as const;
type Encoding = (typeof ENCODINGS)[number];

/** The encodings an `Accept-Encoding` header allows (`q=0` refuses one). */
function accepted(header: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name && !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p))) names.add(name);
  }
  return names;
}

/**
 * The precompressed copy of `file` to send: the best encoding the client accepts that was built; null when none fits
 * (send the file as it is); undefined when the file has no compressed copies at all (nothing varies).
 */
async function precompressed(file: string, acceptEncoding: string | undefined): Promise<Encoding | null | undefined> {
  const built: Encoding[] = [];
  for (const encoding of ENCODINGS) if (await stat(`${file}.${encoding.extension}`).then((s) => s.isFile(), () => false)) built.push(encoding);
  if (built.length === 0) return undefined;
  const accepts = accepted(acceptEncoding);
  return built.find((encoding) => accepts.has(encoding.name) || accepts.has('*')) ?? null;
}

/** True when `dir` holds a built dashboard (an index.html). */
export function dashboardBuilt(dir: string | null | undefined): dir is string {
  return !!dir && existsSync(path.join(dir, 'index.html'));
}

/**
 * A route for the HTTP server: `/` redirects to the dashboard, `/app/...` serves the file or, for an unknown path
 * without an extension, index.html (client-side routes). Hashed files under assets/ are cached for a year. A
 * precompressed copy (`.br`, `.gz`, written by the dashboard's build) is sent when the client accepts its encoding.
 */
export function dashboardRoute(dir: string) {
  const root = path.resolve(dir);
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const urlPath = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (urlPath === '/' || urlPath === '/app') {
      res.writeHead(302, { location: DASHBOARD_PATH });
      res.end();
      return true;
    }
    if (!urlPath.startsWith(DASHBOARD_PATH)) return false;
    let relative: string;
    try {
      relative = decodeURIComponent(urlPath.slice(DASHBOARD_PATH.length)) || 'index.html';
    } catch {
      return false;
    }
    let file = path.resolve(root, relative);
    // No path outside the build folder, whatever `..` or encoded separators the URL holds.
    if (file !== root && !file.startsWith(root + path.sep)) return false;
    const isFile = await stat(file).then((s) => s.isFile(), () => false);
    if (!isFile) {
      if (path.extname(file)) return false; // a missing asset is a 404, not the app
      file = path.join(root, 'index.html');
    }
    const encoding = await precompressed(file, req.headers['accept-encoding']);
    const body = await readFile(encoding ? `${file}.${encoding.extension}` : file);
    const immutable = file.startsWith(path.join(root, 'assets') + path.sep);
    res.writeHead(200, {
      'content-type': contentTypes[path.extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(encoding ? { 'content-encoding': encoding.name } : {}),
      // Caches must not hand a Brotli copy to a client that did not ask for it.
      ...(encoding !== undefined ? { vary: 'Accept-Encoding' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
