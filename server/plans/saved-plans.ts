import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { PlanResult } from '../planner/contract.js';

/** What a saved plan keeps of its result: the totals a list shows and each site's decision. */
export const PlanSummary = z.object({
  sites: z.number().int(),
  converted_mw: z.number(),
  mining_mw: z.number(),
  gpus: z.number(),
  capex_usd: z.number(),
  npv_usd: z.number(),
  npv_mining_only_usd: z.number(),
  solver_status: z.string(),
  decisions: z.array(z.object({ id: z.string(), name: z.string(), convert_share: z.number(), converted_mw: z.number() })),
  warnings: z.array(z.string()),
});
export type PlanSummary = z.infer<typeof PlanSummary>;

export const SavedPlan = z.object({
  id: z.string(),
  name: z.string(),
  author: z.string(),
  created: z.string(),
  /** The plan input as the server ran it (measured efficiencies filled in), ready to load into the planner. */
  input: z.record(z.string(), z.unknown()),
  summary: PlanSummary,
});
export type SavedPlan = z.infer<typeof SavedPlan>;
export type SavedPlanListing = Omit<SavedPlan, 'input'>;

const SavedFile = z.object({ version: z.literal(1), plans: z.array(SavedPlan) });

export function summarize(result: PlanResult): PlanSummary {
  const { plan } = result;
  return {
    sites: result.sites.length,
    converted_mw: plan.converted_mw,
    mining_mw: plan.mining_mw,
    gpus: plan.gpus,
    capex_usd: plan.capex_usd,
    npv_usd: plan.npv_usd,
    npv_mining_only_usd: plan.npv_mining_only_usd,
    solver_status: plan.solver_status,
    decisions: result.sites.map((s) => ({ id: s.id, name: s.name, convert_share: s.decision.convert_share, converted_mw: s.decision.converted_mw })),
    warnings: result.warnings,
  };
}

export class SavedPlansFullError extends Error {}

/**
 * Saved plans (config `planner.saved_plans_file`): in memory, and with a file also written through on every change
 * (temp file + rename, so a crash mid-write leaves the old file whole). A file that cannot be read as saved plans
 * stops the server at start rather than being overwritten: nothing saved is lost to a bad edit.
 */
export class SavedPlans {
  private readonly plans = new Map<string, SavedPlan>();

  constructor(
    private readonly file: string | null,
    private readonly max: number,
  ) {
    if (file && existsSync(file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new Error(`planner.saved_plans_file: ${file}: not JSON (${(err as Error).message})`, { cause: err });
      }
      const parsed = SavedFile.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`planner.saved_plans_file: ${file}: not a saved plans file (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`);
      }
      for (const plan of parsed.data.plans) this.plans.set(plan.id, plan);
    }
  }

  /** Newest first, without inputs. */
  list(): SavedPlanListing[] {
    return [...this.plans.values()].reverse().map(({ input: _input, ...listing }) => listing);
  }

  get(id: string): SavedPlan | undefined {
    return this.plans.get(id);
  }

  add(plan: Omit<SavedPlan, 'id' | 'created'>): SavedPlan {
    if (this.plans.size >= this.max) throw new SavedPlansFullError(`${this.max} plans saved already (planner.saved_plans_max): delete one first`);
    const saved: SavedPlan = { id: `plan-${randomUUID()}`, created: new Date().toISOString(), ...plan };
    this.plans.set(saved.id, saved);
    try {
      this.persist();
    } catch (err) {
      this.plans.delete(saved.id); // not saved unless it is on disk
      throw err;
    }
    return saved;
  }

  delete(id: string): boolean {
    const removed = this.plans.delete(id);
    if (removed) this.persist();
    return removed;
  }

  private persist(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, plans: [...this.plans.values()] })}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
