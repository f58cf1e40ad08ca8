import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `name` by Levenshtein distance (fastest-levenshtein),
 * if a plausible typo of it: at most one edit per three characters (at least
 * one), case differences counted as one edit in all. Ties keep the first candidate.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    const d = c.toLowerCase() === name.toLowerCase() ? 1 : distance(name, c);
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `" (did you mean X?)"` when {@link closestName} finds one, else `""`. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closestName(name, candidates);
  return c ? ` (did you mean ${c}?)` : '';
}
