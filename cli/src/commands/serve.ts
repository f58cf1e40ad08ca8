/**
 * `fluxio serve [--port N] [--host H] [--data-dir DIR] [--workers N]`: the
 * local platform (`npm start`). Prints where everything is; Ctrl-C shuts down
 * cleanly (workers stopped, data flushed).
 */
import { EXIT, UsageError, type Command, type CommandIo, type ParsedArgs } from '../command.ts';

const HELP = `Usage: fluxio serve [options]

Start the local platform: every Fluxio HTTP API (compile, state data, runs)
on 127.0.0.1 with embedded engines (dynalite and blobs on disk under
--data-dir, real Python task workers). Ctrl-C stops it cleanly.

Options:
  --port N          port to listen on (default 4510; 0 = any free port)
  --host HOST       interface (default 127.0.0.1). The platform has no auth:
                    any other host (e.g. 0.0.0.0) prints a warning on every start
  --data-dir DIR    where items and blobs persist (default .fluxio); one
                    platform per directory (locked by DIR/fluxio.lock)
  --workers N       Python worker processes (default: number of cores)
  -h, --help        show this help

Exit codes: 0 stopped by Ctrl-C/SIGTERM, 2 the port is in use or the data
directory is held by another platform (the message says which and what to do).

Examples:
  npm start
  fluxio serve --port 8080 --data-dir /tmp/fluxio
  curl -s localhost:4510/v1/openapi.json
`;

const int = (value: unknown, flag: string, min: number, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
};

export const command: Command = {
  name: 'serve',
  summary: 'Start the local platform (every HTTP API on 127.0.0.1, embedded engines)',
  help: HELP,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    workers: { type: 'string' },
  },
  async run(args: ParsedArgs, io: CommandIo): Promise<number> {
    const { startPlatform, DEFAULT_PORT, DataDirLockedError } = await import('@fluxio/local/server/platform');
    const port = int(args.values.port, '--port', 0, 65535) ?? DEFAULT_PORT;
    const workers = int(args.values.workers, '--workers', 1, 64);
    const host = (args.values.host as string | undefined) ?? '127.0.0.1';
    let platform;
    try {
      platform = await startPlatform({ host, port, dataDir: args.values['data-dir'] as string | undefined, projectDir: io.cwd, workers });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new UsageError(
          `port ${port} on ${host} is already in use`,
          `Stop the process listening there, or pass another port: --port ${port === DEFAULT_PORT ? DEFAULT_PORT + 1 : port + 1}, or --port 0 for any free port.`,
        );
      }
      if ((e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') {
        throw new UsageError(`cannot listen on ${host}:${port} (${(e as NodeJS.ErrnoException).code})`, 'Pass a --host this machine has and a --port above 1023.');
      }
      if (e instanceof DataDirLockedError) {
        throw new UsageError(e.message, `Stop process ${e.holder.pid} (Ctrl-C in its terminal, or kill ${e.holder.pid}), or pass another --data-dir.`);
      }
      throw e;
    }
    const lines = [
      `Fluxio local platform listening on ${platform.url}`,
      `  Console     ${platform.url}/   (open it in a browser: projects, state machines, executions)`,
      `  OpenAPI     ${platform.url}/v1/openapi.json`,
      `  Compile     POST ${platform.url}/v1/compile`,
      `  Runs        POST ${platform.url}/v1/runs   GET ${platform.url}/v1/runs/{runId}`,
      `  State data  ${platform.url}/v1/projects/{project}/...`,
      `  Step Functions  aws stepfunctions ... --endpoint-url ${platform.url}   (@aws-sdk/client-sfn: endpoint ${platform.url})`,
      `  Data        ${platform.dataDir} (dynalite + blobs; survives restarts)`,
      `${platform.routes.length} routes. Press Ctrl-C to stop.`,
    ];
    io.stderr.write(lines.join('\n') + '\n');
    for (const warning of platform.warnings) io.stderr.write(`${warning}\n`);
    await new Promise<void>((resolveStop) => {
      const stop = (signal: string) => {
        io.stderr.write(`\n${signal}: stopping workers, flushing data...\n`);
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolveStop();
      };
      const onInt = () => stop('SIGINT');
      const onTerm = () => stop('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
    });
    await platform.close();
    io.stderr.write('Stopped.\n');
    return EXIT.OK;
  },
};
