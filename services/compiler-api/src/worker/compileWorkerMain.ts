/**
 * A compile worker thread: loads the compiler (web-tree-sitter wasm) once,
 * then answers `{id, source, options}` messages with `{id, result}`. The pool
 * terminates it on a time-out, a crash or a `Compiler.Internal` result.
 */
import { parentPort } from 'node:worker_threads';
import { loadCompiler, type CompileOptions } from '../index.ts';

const port = parentPort;
if (!port) throw new Error('compileWorkerMain must run in a worker thread');
await loadCompiler();
port.on('message', async (msg: { id: number; source: string; options?: CompileOptions }) => {
  // loadCompiler per message: cached, and a new wasm instance after a broken one
  const compiler = await loadCompiler();
  port.postMessage({ id: msg.id, result: compiler.compile(msg.source, msg.options) });
});
port.postMessage({ ready: true });
