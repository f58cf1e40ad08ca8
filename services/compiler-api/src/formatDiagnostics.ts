import type { Diagnostic } from '@fluxio/contracts/manifest';

/**
 * Renders diagnostics as a readable report, one block per diagnostic:
 * `file:line:col error CODE: message`, then the source line with a gutter and
 * `^^^` under the range (clipped to the first line of a multi-line range).
 *
 * @param source the compiled file's text
 * @param errors diagnostics with 1-based lines/columns (endColumn exclusive)
 * @param fileName shown in each header. @default "project.py"
 */
export function formatDiagnostics(source: string, errors: Diagnostic[], fileName = 'project.py'): string {
  const lines = source.split(/\r\n|\r|\n/);
  const blocks: string[] = [];
  for (const d of errors) {
    const severity = d.severity ?? 'error';
    const header = `${fileName}:${d.line}:${d.column} ${severity} ${d.code}: ${d.message}`;
    const text = lines[d.line - 1];
    if (text === undefined) {
      blocks.push(header);
      continue;
    }
    const gutter = String(d.line);
    const pad = ' '.repeat(gutter.length);
    const start = Math.max(1, d.column);
    const end = d.endLine === d.line ? Math.max(d.endColumn, start + 1) : Math.max(text.length + 1, start + 1);
    const caretStart = ' '.repeat(Math.min(start - 1, text.length));
    const carets = '^'.repeat(Math.max(1, Math.min(end, text.length + 1) - start));
    blocks.push(`${header}\n${pad} |\n${gutter} | ${text}\n${pad} | ${caretStart}${carets}`);
  }
  return blocks.join('\n\n') + (blocks.length ? '\n' : '');
}
