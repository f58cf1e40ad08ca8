#!/usr/bin/env node
// The `fluxio` command; everything else lives in cli/src/main.ts.
// In this checkout (cli/src/ exists) it runs the TypeScript sources directly
// through tsx (no build step). Installed from a packed tarball (`npm pack` in
// cli/, see scripts/build-cli.mjs) there is no src/: it runs the bundle in
// cli/dist/, which needs neither tsx nor the workspace packages.
import { existsSync } from 'node:fs';

// The lockfile pins the AWS SDK; its notice about future releases needing
// Node 22 is noise on every local command (Node 20.19+ is supported here).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let main;
if (existsSync(new URL('../src/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
} else {
  ({ main } = await import('../dist/fluxio.mjs'));
}

// `fluxio compile x | head` must not crash when the reader goes away.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
  });
} catch (err) {
  if (err?.code === 'FLUXIO_NATIVE_MODULE_MISSING') {
    // the installed bundle without its native optional dependency (scripts/build-cli.mjs)
    console.error(`fluxio: ${err.message}`);
    process.exitCode = 1;
  } else {
    console.error(`fluxio: internal error: ${err?.stack ?? err}\nPlease report this with the command you ran.`);
    process.exitCode = 70;
  }
}
