const PLACEHOLDER = /\$\{([^}]+)\}/g;

/**
 * Names of the `${…}` placeholders in a definition (spec §7.5), in order of first
 * appearance in its JSON text, without duplicates — i.e. the `${…}` matches of
 * `JSON.stringify(definition)`, computed without building that text: keys and
 * string values are scanned one by one, in JSON.stringify's order. A string whose
 * matches could differ inside the JSON text (characters JSON escapes, or a `${`
 * with no closing `}` in the same string) makes it fall back to the JSON text.
 */
export function placeholderNames(definition: unknown): string[] {
  const names = new Set<string>();
  let exact = true;
  const scan = (s: string): void => {
    if (!exact || !s.includes('${')) return;
    if (/\$\{[^}]*$/.test(s) || JSON.stringify(s).length !== s.length + 2) {
      exact = false;
      return;
    }
    for (const m of s.matchAll(PLACEHOLDER)) names.add(m[1]);
  };
  const visit = (v: unknown): void => {
    if (typeof v === 'string') scan(v);
    else if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v !== null && typeof v === 'object')
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue; // omitted by JSON.stringify
        scan(k);
        visit(x);
      }
  };
  visit(definition);
  if (exact) return [...names];
  return [...new Set([...JSON.stringify(definition).matchAll(PLACEHOLDER)].map((m) => m[1]))];
}
