/**
 * What `fluxio deploy`, `deployments`, `rollback` and `destroy` share: the
 * platform URL (`--url`, else `FLUXIO_URL`, else the local platform), the
 * deployer client with SigV4 signing against a deployed platform, project
 * name checks, and how a deployment record and an API error are printed.
 */
import type { ParseArgsConfig } from 'node:util';
import { isValidProjectName } from '@fluxio/contracts/projectName';
import type { DeploymentRecord, DeploymentStep } from '@fluxio/contracts/schemas/deployments';
import { DeployerClient, DeployerClientError, signerForPlatformUrl } from '@fluxio/contracts/deployerClient';
import { isLoopbackUrl, PlatformClientError } from '@fluxio/contracts/platformHttp';
import { EXIT, UsageError, type CommandIo, type ParsedArgs } from './command.ts';

/** The local platform `fluxio serve` / `npm start` listens on. */
export const DEFAULT_PLATFORM_URL = 'http://127.0.0.1:4510';

/** `--url`, `--json` and `--sign`, shared by the deployer commands. */
export const PLATFORM_OPTIONS = {
  url: { type: 'string' },
  json: { type: 'boolean' },
  sign: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The help lines of {@link PLATFORM_OPTIONS}. */
export const PLATFORM_OPTIONS_HELP = `  --url URL              the platform's API (default: $FLUXIO_URL, else the local
                         platform ${DEFAULT_PLATFORM_URL}); requests to a non-loopback URL
                         are signed with SigV4 (execute-api) with the AWS default
                         credential chain, region from the execute-api host or AWS_REGION
  --sign                 sign with SigV4 even when the URL is loopback (a tunnel)
  --json                 print the record as JSON on stdout (errors as {"error":{…}})`;

/** A connected client and how it connects. */
export interface PlatformConnection {
  client: DeployerClient;
  url: string;
  /** True when requests are SigV4-signed (a deployed platform). */
  signed: boolean;
  region?: string;
}

/** The platform URL of a command line: `--url`, `FLUXIO_URL`, or the local platform. @throws UsageError */
export function platformUrl(values: ParsedArgs['values'], env: NodeJS.ProcessEnv = process.env): string {
  const raw = (values.url as string | undefined) ?? (env.FLUXIO_URL || undefined) ?? DEFAULT_PLATFORM_URL;
  const from = values.url !== undefined ? '--url' : env.FLUXIO_URL ? 'FLUXIO_URL' : 'the default URL';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} '${raw}' is not a URL`, `Example: --url ${DEFAULT_PLATFORM_URL} or --url https://abc123.execute-api.eu-west-1.amazonaws.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${from} '${raw}' is not an http(s) URL`, `Example: --url ${DEFAULT_PLATFORM_URL}`);
  if (url.search || url.hash) throw new UsageError(`${from} '${raw}' has a query or fragment`, 'Pass the base URL of the API only.');
  return raw.replace(/\/+$/, '');
}

/** The deployer client for a command line (signing decided by the URL and `--sign`). @throws UsageError */
export function connect(values: ParsedArgs['values'], options: { fetch?: typeof fetch } = {}): PlatformConnection {
  const url = platformUrl(values);
  let signing;
  try {
    signing = signerForPlatformUrl(url, { mode: values.sign ? 'always' : 'auto' });
  } catch (e) {
    if (e instanceof DeployerClientError && e.code === 'Client.NoRegion') throw new UsageError(e.message.replace(/\.$/, ''), 'Example: AWS_REGION=eu-west-1 fluxio …');
    throw e;
  }
  return { client: new DeployerClient({ baseUrl: url, sign: signing.sign, fetch: options.fetch }), url, signed: signing.sign !== undefined, region: signing.region };
}

/** The one PROJECT positional of `fluxio <name> PROJECT`. @throws UsageError */
export function projectArgument(positionals: string[], usage: string): string {
  if (positionals.length === 0) throw new UsageError('missing PROJECT', usage);
  if (positionals.length > 1) throw new UsageError(`expected one PROJECT, got ${positionals.length}: ${positionals.join(' ')}`, usage);
  const project = positionals[0]!;
  if (!isValidProjectName(project))
    throw new UsageError(`'${project}' is not a valid project name`, 'A project name is a letter followed by up to 63 letters, digits, "-" or "_" (the deployed project, e.g. fan-out).');
  return project;
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/**
 * Prints an API or network error of any platform client (stderr; with `--json`
 * the standard error body on stdout) and returns exit code 1: the platform refused or failed.
 */
export function reportError(err: unknown, io: CommandIo, values: ParsedArgs['values']): number {
  if (!(err instanceof PlatformClientError)) throw err;
  if (values.json) io.stdout.write(json({ error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } }));
  else {
    io.stderr.write(`error ${err.code}: ${err.message}\n`);
    if (err.status === 403 && err.code !== 'Deploy.Forbidden') {
      io.stderr.write('The platform refused the credentials: check AWS_PROFILE / AWS_REGION and that the caller may invoke the API (execute-api:Invoke).\n');
    }
  }
  return EXIT.FAILED;
}

/** One line per step: `✓ compile`, `✗ function:Price (error)`, `- triggers (detail)`. */
export function formatStep(step: DeploymentStep): string {
  const mark = step.status === 'DONE' ? '✓' : step.status === 'FAILED' ? '✗' : '-';
  return `  ${mark} ${step.name}${step.detail ? `  (${step.detail})` : ''}\n`;
}

/** Seconds between the record's createdAt and finishedAt, e.g. `1.4 s`. */
function took(record: DeploymentRecord): string {
  if (!record.finishedAt) return '';
  const ms = Date.parse(record.finishedAt) - Date.parse(record.createdAt);
  return Number.isFinite(ms) && ms >= 0 ? ` in ${(ms / 1000).toFixed(1)} s` : '';
}

/** The `aws stepfunctions start-execution` line to try a deployed state machine. */
export function startExecutionCommand(aliasArn: string, connection: Pick<PlatformConnection, 'url' | 'signed' | 'region'>): string {
  // The region of the ARN (the AWS CLI wants one even against the local platform).
  const region = aliasArn.split(':')[3] || connection.region;
  const target = (region ? ` --region ${region}` : '') + (connection.signed ? '' : ` --endpoint-url ${connection.url}`);
  return `aws stepfunctions start-execution --state-machine-arn ${aliasArn} --input '{}'${target}`;
}

/**
 * The human summary of a record: status line, state machines (alias ARN first:
 * executions are started on it), task functions, triggers, and the command to try.
 */
export function formatRecord(record: DeploymentRecord, connection: Pick<PlatformConnection, 'url' | 'signed' | 'region'>, verb = 'Deployed'): string {
  const out: string[] = [];
  const ok = record.status === 'SUCCEEDED' || record.status === 'DESTROYED';
  out.push(`${ok ? verb : `${verb.replace(/ed$/, '')} ${record.status}:`} ${record.project}: deployment ${record.deploymentId} ${record.status}${took(record)}${record.stage ? ` (stage ${record.stage})` : ''}`);
  if (record.rolledBackTo) out.push(`  the aliases point at the versions of deployment ${record.rolledBackTo} again`);
  if (record.error) out.push(`  error ${record.error.code}: ${record.error.message}`);
  const machines = Object.entries(record.stateMachines ?? {});
  if (machines.length && record.status !== 'DESTROYED') {
    out.push('', 'State machines (start executions on the alias):');
    for (const [name, sm] of machines) {
      out.push(`  ${name}`, `    alias          ${sm.aliasArn}`, `    version        ${sm.versionArn}`, `    state machine  ${sm.stateMachineArn}`);
    }
  }
  const functions = Object.entries(record.functions ?? {});
  if (functions.length && record.status !== 'DESTROYED') {
    out.push('', 'Task functions:');
    const width = Math.max(...functions.map(([n]) => n.length));
    for (const [name, fn] of functions) out.push(`  ${name.padEnd(width)}  ${fn.functionArn}  version ${fn.version}`);
  }
  const t = record.triggers;
  if (t && (t.schedules.length || t.subscriptions.length) && record.status !== 'DESTROYED') {
    const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
    out.push('', `Triggers: ${n(t.schedules.length, 'schedule')}, ${n(t.subscriptions.length, 'subscription')}${t.active ? ' (active)' : ` recorded, not active yet${t.note ? `: ${t.note}` : ''}`}`);
    for (const s of t.schedules) out.push(`  schedule      ${s.stateMachine}  ${s.expression}${s.timezone ? ` (${s.timezone})` : ''}`);
    for (const s of t.subscriptions) {
      const upstream = s.topicArnImportValue ? `export ${s.topicArnImportValue}` : `${s.project}/${s.source}`;
      out.push(`  subscription  ${s.stateMachine} ← ${upstream} on ${s.status}`);
    }
  }
  const topics = Object.entries(t?.topics ?? {});
  if (topics.length && record.status !== 'DESTROYED') {
    out.push('', 'Result topics (subscribe with @subscribe(project=...) or the export name):');
    for (const [name, topic] of topics) {
      out.push(`  ${name}`, `    success  ${topic.successTopicArn}  (export ${topic.successExportName})`, `    failure  ${topic.failureTopicArn}  (export ${topic.failureExportName})`);
    }
  }
  const first = machines.find(([n]) => n === 'main') ?? machines[0];
  if (ok && first && record.status !== 'DESTROYED') {
    const stateMachine = first[0] === 'main' ? '' : ` --state-machine ${first[0]}`;
    out.push('', 'Try it:', `  fluxio start ${record.project}${stateMachine} --input '{}' --wait${connection.url && connection.url.replace(/\/$/, '') !== DEFAULT_PLATFORM_URL ? ` --url ${connection.url}` : ''}`, `  ${startExecutionCommand(first[1].aliasArn, connection)}`);
  }
  return out.join('\n') + '\n';
}

/** Exit code of a finished record: 0 SUCCEEDED (DESTROYED for destroy), 1 otherwise. */
export function exitCodeOf(record: DeploymentRecord, expected: 'SUCCEEDED' | 'DESTROYED' = 'SUCCEEDED'): number {
  return record.status === expected ? EXIT.OK : EXIT.FAILED;
}

/** True when the platform is the local one (unsigned loopback URL). */
export const isLocalPlatform = (connection: PlatformConnection) => !connection.signed && isLoopbackUrl(connection.url);
