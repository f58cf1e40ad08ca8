/**
 * Serving the console from the local platform: `GET /` answers the page,
 * `GET /console/app.js` and `/console/app.css` its assets (HEAD too). The
 * Step Functions API keeps `POST /` (requests with an `X-Amz-Target` never
 * reach this handler), so the console lives on the platform's own port.
 *
 * Assets are built in memory on the first request (esbuild: `src/app/main.ts`
 * bundled, minified, for browsers) and kept for the life of the process — no
 * build step for the user and never a stale build. Where esbuild is not
 * installed (a packed CLI without dev dependencies), a prebuilt
 * `console/dist/` (`npx tsx scripts/build-console.ts`) is served instead; with
 * neither, `GET /` answers 501 saying how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The console's source entry point and stylesheet. */
export const CONSOLE_ENTRY = join(HERE, 'app', 'main.ts');
export const CONSOLE_CSS = join(HERE, 'app', 'style.css');
/** Where `scripts/build-console.ts` writes the prebuilt assets. */
export const CONSOLE_DIST = join(HERE, '..', 'dist');
/**
 * Where prebuilt assets are looked for when esbuild is missing: `console/dist/`,
 * and `console/` beside the module — where `scripts/build-cli.mjs` puts them in
 * the packed CLI (its chunks sit flat in the output directory).
 */
const PREBUILT_DIRS = [CONSOLE_DIST, join(HERE, 'console')];

/** The built console: its script and stylesheet. */
export interface ConsoleAssets {
  js: string;
  css: string;
}

/**
 * Bundle the console with esbuild (browser ES2022, minified). `node:` built-ins
 * some shared modules import (e.g. `node:crypto` in shared/src/names.ts, used
 * only by functions the console never calls) resolve to an empty module that
 * throws if called.
 * @throws Error when esbuild is not installed or the bundle fails
 */
export async function buildConsoleAssets(): Promise<ConsoleAssets> {
  // A non-literal specifier: bundlers of the platform (scripts/build-cli.mjs) leave esbuild out.
  const esbuildModule = 'esbuild';
  const esbuild = (await import(esbuildModule)) as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-builtins-unused-in-browser',
        setup(build) {
          build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
          build.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
            contents: `const no = () => { throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)}); }; export const createHash = no; export default {};`,
            loader: 'js',
          }));
        },
      },
    ],
  });
  return { js: result.outputFiles[0]!.text, css: readFileSync(CONSOLE_CSS, 'utf8') };
}

let assets: Promise<ConsoleAssets> | undefined;
const gzipped = new Map<string, Buffer>();

/** The assets: built once per process (or read from `console/dist/`). */
export function consoleAssets(): Promise<ConsoleAssets> {
  assets ??= buildConsoleAssets().catch((e: Error) => {
    const dir = PREBUILT_DIRS.find((d) => existsSync(join(d, 'app.js')));
    if (dir) return { js: readFileSync(join(dir, 'app.js'), 'utf8'), css: readFileSync(join(dir, 'app.css'), 'utf8') };
    assets = undefined;
    throw new Error(`The console could not be built (${e.message}). Install the dev dependencies (npm ci) or run npx tsx scripts/build-console.ts.`);
  });
  return assets;
}

/** The page: the app mounts on `#app`. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fluxio console</title>
<link rel="stylesheet" href="/console/app.css">
</head>
<body>
<div id="app"><p style="padding:20px">Loading the Fluxio console…</p></div>
<noscript>The Fluxio console needs JavaScript.</noscript>
<script type="module" src="/console/app.js"></script>
</body>
</html>
`;

/** Answer `body`; gzip-compressed (once per asset) when the client accepts it and `gzipKey` names the asset. */
const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: string, gzipKey?: string) => {
  const headers: Record<string, string | number> = { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', vary: 'accept-encoding' };
  let bytes: Buffer | string = body;
  if (gzipKey && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    let z = gzipped.get(gzipKey);
    if (!z) gzipped.set(gzipKey, (z = gzipSync(body)));
    bytes = z;
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = Buffer.byteLength(bytes);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
};

/**
 * A protocol handler for the local server (local/src/server/httpServer.ts
 * `ProtocolHandler`): answers `GET`/`HEAD` of `/`, `/index.html`,
 * `/console/app.js` and `/console/app.css`; passes on everything else
 * (`POST /` stays the Step Functions API).
 */
export async function consoleHandler(req: http.IncomingMessage, _body: Buffer, res: http.ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers['x-amz-target']) return false;
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/' || path === '/index.html') {
    send(req, res, 200, 'text/html; charset=utf-8', INDEX_HTML);
    return true;
  }
  if (path !== '/console/app.js' && path !== '/console/app.css') return false;
  let built: ConsoleAssets;
  try {
    built = await consoleAssets();
  } catch (e) {
    send(req, res, 501, 'application/json', JSON.stringify({ error: { code: 'Console.NotBuilt', message: (e as Error).message } }));
    return true;
  }
  if (path === '/console/app.js') send(req, res, 200, 'text/javascript; charset=utf-8', built.js, 'js');
  else send(req, res, 200, 'text/css; charset=utf-8', built.css, 'css');
  return true;
}
