/**
 * Small shared pieces of the console's UI: htm bound to Preact, the hash
 * router, formatting, and data loading with errors shown (never swallowed).
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from 'htm/preact';

/** JSX-like templates without a build-time JSX transform (htm bound to Preact's h). */
export { html };

/** The current route: `#/path?query` → `{ path: ['executions', '<arn>'], query }` (segments URL-decoded). */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '') || '/projects';
  const [p, q] = text.split('?', 2) as [string, string | undefined];
  const path = p.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  return { path: path.length ? path : ['projects'], query: new URLSearchParams(q ?? '') };
}

/** A hash URL of the console: `href('executions', arn, { state: 'X' })` → `#/executions/<arn>?state=X`. */
export function href(...parts: Array<string | Record<string, string | undefined>>): string {
  const query = parts.length && typeof parts[parts.length - 1] === 'object' ? (parts.pop() as Record<string, string | undefined>) : undefined;
  const path = (parts as string[]).map((s) => encodeURIComponent(s)).join('/');
  const q = query ? new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString() : '';
  return `#/${path}${q ? `?${q}` : ''}`;
}

/** The current page's URL with some query parameters changed (`undefined` removes one). */
export function withQuery(change: Record<string, string | undefined>): string {
  const [p, q] = (location.hash || '#/projects').split('?', 2) as [string, string | undefined];
  const query = new URLSearchParams(q ?? '');
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined || v === '') query.delete(k);
    else query.set(k, v);
  }
  const text = query.toString();
  return `${p}${text ? `?${text}` : ''}`;
}

/** The route, updated on every `hashchange` (deep links and the back button work). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/**
 * Load `fn()` whenever `deps` change: `{ data, error, loading, reload }`.
 * `loading` is true from the render where `deps` change until their answer
 * arrives (the data shown meanwhile is the previous answer).
 */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): { data?: T; error?: Error; loading: boolean; reload: () => void } {
  const [tick, setTick] = useState(0);
  const key = JSON.stringify([deps, tick]);
  const [state, setState] = useState<{ data?: T; error?: Error; key?: string }>({});
  useEffect(() => {
    let live = true;
    fn().then(
      (data) => live && setState({ data, key }),
      (error: Error) => live && setState((s) => ({ data: s.data, error, key })),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return { data: state.data, error: state.error, loading: state.key !== key, reload: () => setTick((t) => t + 1) };
}

/** Epoch seconds (the Step Functions wire form) → local date and time. */
export const when = (s?: number) => (s === undefined ? '—' : new Date(s * 1000).toLocaleString(undefined, { hour12: false }));

/** A duration in ms → `850 ms`, `3.4 s`, `2 min 5 s`, `1 h 3 min`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** JSON text pretty-printed (or the text itself when it is not JSON). */
export function pretty(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The last segment of an ARN (a version number, an alias name). */
export const arnTail = (arn?: string) => (arn ? arn.slice(arn.lastIndexOf(':') + 1) : '');

/** An error box. */
export const ErrorBox = ({ error }: { error?: Error }) =>
  error ? html`<div class="error" role="alert"><strong>${(error as { code?: string }).code ?? 'Error'}</strong>: ${error.message}</div>` : null;

/** A status badge (execution or state status). */
export const Badge = ({ status }: { status: string }) => html`<span class=${`badge status-${status.toLowerCase()}`} data-status=${status}>${status}</span>`;
