/**
 * Start an execution: a JSON input editor that validates as you type (the
 * input must be a JSON object — every Fluxio state machine takes one), an
 * optional name, and StartExecution on the state machine's `live` alias when
 * it has one.
 */
import { useState } from 'preact/hooks';
import { sfn } from './api.ts';
import { startTarget } from './model.ts';
import { href, html } from './ui.ts';

/** `null` when `text` is a JSON object, else what is wrong with it. */
export function inputProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'The input must be a JSON object, e.g. {"names": ["ada"]}.';
  return null;
}

export function StartForm({ arn, initial = '{}' }: { arn: string; initial?: string }) {
  const [text, setText] = useState(initial);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const problem = inputProblem(text);
  const start = async (e: Event) => {
    e.preventDefault();
    if (problem) return;
    setBusy(true);
    setError(undefined);
    try {
      const target = await startTarget(arn);
      const r = await sfn('StartExecution', { stateMachineArn: target, input: text, ...(name.trim() ? { name: name.trim() } : {}) });
      location.hash = href('executions', r.executionArn);
    } catch (err) {
      setError(`${(err as { code?: string }).code ?? 'Error'}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="start-form" onSubmit=${start} aria-label="Start an execution">
    <label for="start-input">Input (JSON object)</label>
    <textarea id="start-input" rows="6" spellcheck="false" value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}
      aria-invalid=${problem ? 'true' : 'false'} aria-describedby="start-input-status"></textarea>
    <div id="start-input-status" class=${problem ? 'invalid' : 'valid'} role="status">${problem ?? 'Valid JSON object'}</div>
    <label for="start-name">Name (optional)</label>
    <input id="start-name" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} placeholder="a unique name, or leave empty" />
    <button type="submit" disabled=${Boolean(problem) || busy}>Start execution</button>
    ${error && html`<div class="error" role="alert">${error}</div>`}
  </form>`;
}
