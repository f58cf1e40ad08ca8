/**
 * Writes the console's assets to console/dist/ (app.js, app.css): the same
 * bundle the local platform builds in memory on the first `GET /console/app.js`
 * (console/src/serve.ts), for a package that ships without esbuild.
 *
 *   npx tsx scripts/build-console.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsoleAssets, CONSOLE_DIST } from '../console/src/serve.ts';

const assets = await buildConsoleAssets();
mkdirSync(CONSOLE_DIST, { recursive: true });
writeFileSync(join(CONSOLE_DIST, 'app.js'), assets.js);
writeFileSync(join(CONSOLE_DIST, 'app.css'), assets.css);
console.log(JSON.stringify({ dir: CONSOLE_DIST, jsBytes: Buffer.byteLength(assets.js), cssBytes: Buffer.byteLength(assets.css) }));
