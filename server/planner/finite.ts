import { PlanInputError } from './evaluate.js';

/**
 * Last line of defence against overflow (issue #13): an answer must never carry ∞ or NaN (JSON turns both into
 * null). Input bounds keep realistic plans finite; when a combination still overflows, the plan is refused naming
 * the figure that did, as a PlanInputError (400 invalid_plan, CLI exit 1).
 */
export function assertFinite(value: unknown, path = ''): void {
  const bad: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (bad.length >= 5) return;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) bad.push(`${at || '(result)'}: not finite (${node}); the inputs are too large or too small to plan with`);
    } else if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${at}.${i}`));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, at ? `${at}.${k}` : k);
  };
  walk(value, path);
  if (bad.length) throw new PlanInputError(bad);
}
