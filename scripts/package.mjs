#!/usr/bin/env node
/**
 * `npm run package [-- --stage NAME --region REGION --out DIR]`
 *
 * Builds the platform's CloudFormation template and one zip per function into
 * `.serverless/` with `serverless package` (osls, the open-source Serverless
 * Framework v4 line, with serverless-esbuild), offline: packaging needs no AWS
 * account, so dummy credentials are set and any profile is ignored. osls sends
 * no telemetry; the notification/deprecation env below keeps it quiet.
 *
 * Exit codes: 0 packaged, 2 usage error, otherwise the exit code of serverless.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: npm run package -- [--stage NAME] [--region REGION] [--out DIR] [--verbose]';

let values;
try {
  ({ values } = parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      out: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(`${USAGE}\n\nWrites .serverless/ (or --out DIR): cloudformation-template-update-stack.json and one zip per function.\nDefaults: --stage dev, --region $AWS_REGION or us-east-1 (serverless.yml).`);
  process.exit(0);
}
for (const key of ['stage', 'region']) {
  if (values[key] !== undefined && !/^[A-Za-z0-9-]+$/.test(values[key])) {
    console.error(`--${key} "${values[key]}" is not valid: use letters, digits and "-" only.\n${USAGE}`);
    process.exit(2);
  }
}

const bin = join(root, 'node_modules', 'serverless', 'bin', 'serverless.js');
if (!existsSync(bin)) {
  console.error('serverless (osls) is not installed: run `npm install` at the repository root first.');
  process.exit(2);
}

const args = [bin, 'package'];
if (values.stage) args.push('--stage', values.stage);
if (values.region) args.push('--region', values.region);
if (values.out) args.push('--package', resolve(process.cwd(), values.out));
if (values.verbose) args.push('--verbose');

const env = {
  ...process.env,
  // Packaging is offline: dummy credentials, never a real profile.
  AWS_ACCESS_KEY_ID: 'AKIAFLUXIOPACKAGE000',
  AWS_SECRET_ACCESS_KEY: 'fluxio-package-offline-dummy-secret',
  AWS_SESSION_TOKEN: '',
  AWS_SDK_LOAD_CONFIG: '0',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  SLS_DEPRECATION_NOTIFICATION_MODE: 'warn',
  SLS_INTERACTIVE_SETUP_ENABLE: '0',
};
delete env.AWS_PROFILE;
delete env.AWS_DEFAULT_PROFILE;
delete env.AWS_SESSION_TOKEN;

const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
child.on('exit', (code, signal) => {
  if (signal) {
    console.error(`serverless package was stopped by ${signal}`);
    process.exit(1);
  }
  if (code === 0) console.log(`Packaged into ${values.out ? resolve(process.cwd(), values.out) : join(root, '.serverless')}`);
  process.exit(code ?? 1);
});
