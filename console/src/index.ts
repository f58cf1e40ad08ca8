/** @fluxio/console: the web console the local platform serves at `GET /` (see serve.ts). */
export { consoleHandler, consoleAssets, buildConsoleAssets, INDEX_HTML } from './serve.ts';
