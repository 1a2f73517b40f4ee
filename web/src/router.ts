import { h } from './format.js';

/** A view mounts into `root` and returns its cleanup (timers, sockets, charts). */
export type View = (root: HTMLElement, params: Record<string, string>, query: URLSearchParams) => () => void;

interface Route {
  pattern: RegExp;
  keys: string[];
  view: View;
  nav: string;
}

const routes: Route[] = [];
let root: HTMLElement;
let cleanup: (() => void) | null = null;
let currentPath = '';
const navListeners: ((nav: string) => void)[] = [];

/** Registers a route like '/sites/:id'; `nav` names the nav link to highlight. */
export function route(path: string, nav: string, view: View): void {
  const keys: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:([a-z]+)/g, (_, key: string) => (keys.push(key), '([^/]+)'))}/?$`);
  routes.push({ pattern, keys, view, nav });
}

/**
 * The route for a path and its decoded parameters, or null. A malformed escape ('/rigs/%E0%A4%A', a pasted or
 * truncated link) matches no route: decodeURIComponent would throw a URIError out of the popstate/click handler.
 */
export function matchRoute(path: string): { route: Route; params: Record<string, string> } | null {
  for (const r of routes) {
    const match = r.pattern.exec(path);
    if (!match) continue;
    try {
      return { route: r, params: Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(match[i + 1] ?? '')])) };
    } catch {
      return null;
    }
  }
  return null;
}

export function onNavigate(listener: (nav: string) => void): void {
  navListeners.push(listener);
}

/** Goes to a URL inside the app (History API); every view has its own URL, so deep links and reload work. */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

/** Updates the query string of the current view without re-mounting it (filters, sort, range). */
export function setQuery(query: URLSearchParams): void {
  const qs = query.toString();
  history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
}

function render(): void {
  const path = location.pathname;
  if (path === currentPath && cleanup) return;
  currentPath = path;
  cleanup?.();
  cleanup = null;
  root.innerHTML = '';
  const found = matchRoute(path);
  if (found) {
    for (const l of navListeners) l(found.route.nav);
    cleanup = found.route.view(root, found.params, new URLSearchParams(location.search));
    window.scrollTo(0, 0);
    return;
  }
  for (const l of navListeners) l('');
  root.innerHTML = `<section class="empty"><h2>Not found</h2><p>No page at ${h(path)}. <a href="/">Back to the fleet</a></p></section>`;
}

export function startRouter(el: HTMLElement): void {
  root = el;
  window.addEventListener('popstate', () => {
    currentPath = '';
    render();
  });
  // Same-origin links navigate in-app; modified clicks (new tab) and external links keep browser behaviour.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = (event.target as HTMLElement).closest('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    event.preventDefault();
    if (a.pathname + a.search !== location.pathname + location.search) navigate(a.pathname + a.search);
  });
  render();
}
