// Entry of a compile worker thread (see compilePool.ts). The sources are
// TypeScript run without a build step, as the `fluxio` command does: register
// tsx in this thread, then load the worker's main module.
import { register } from 'tsx/esm/api';

register();
await import('./compileWorkerMain.ts');
