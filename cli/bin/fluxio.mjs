#!/usr/bin/env node
// The `fluxio` command. Runs the TypeScript sources directly through tsx
// (no build step); everything else lives in cli/src/main.ts.
import { register } from 'tsx/esm/api';

// The lockfile pins the AWS SDK; its notice about future releases needing
// Node 22 is noise on every local command (Node 20.19+ is supported here).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../src/main.ts');

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
  console.error(`fluxio: internal error: ${err?.stack ?? err}\nPlease report this with the command you ran.`);
  process.exitCode = 70;
}
