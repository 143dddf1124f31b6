import type { ApplyResult } from './apply.js';
import type { ObjectKind, Plan, PlanAction, PlanChange } from './plan.js';

const TITLES: Record<ObjectKind, string> = {
  inboundTrunk: 'Inbound trunks',
  outboundTrunk: 'Outbound trunks',
  dispatchRule: 'Dispatch rules',
};
const SIGNS: Record<PlanAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  unchanged: '=',
  unmanaged: '?',
};

function note(change: PlanChange, prune: boolean): string {
  if (change.action === 'update') return `changes: ${change.fields?.join(', ')}`;
  if (change.action === 'unmanaged') return 'not ours: left alone';
  if (change.action === 'delete') {
    return change.reason === 'duplicate' || prune
      ? (change.reason ?? '')
      : `${change.reason}; deleted with --prune`;
  }
  return '';
}

/**
 * The plan as a readable diff. Names and field names only: values (passwords, and the numbers
 * on a trunk) are never printed.
 */
export function renderPlan(plan: Plan, opts: { prune?: boolean } = {}): string {
  const prune = opts.prune ?? false;
  const lines = [`Provisioning plan for deployment "${plan.deployment}"`, ''];
  for (const kind of Object.keys(TITLES) as ObjectKind[]) {
    lines.push(TITLES[kind]);
    const changes = plan.changes.filter((c) => c.kind === kind);
    if (changes.length === 0) lines.push('  (none)');
    const width = Math.max(0, ...changes.map((c) => c.name.length));
    for (const c of changes) {
      const extra = note(c, prune);
      const cells = [
        `  ${SIGNS[c.action]} ${c.action.padEnd(9)}`,
        c.name.padEnd(width),
        c.id ?? '',
        extra ? `(${extra})` : '',
      ];
      lines.push(cells.join('  ').trimEnd());
    }
  }
  const { counts } = plan;
  lines.push(
    '',
    `${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete, ` +
      `${counts.unchanged} unchanged, ${counts.unmanaged} unmanaged.`,
  );
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  lines.push(
    plan.hasChanges
      ? 'Run `switchboard provision apply` to make LiveKit match the config.'
      : 'No changes: LiveKit matches the config.',
  );
  return `${lines.join('\n')}\n`;
}

/** The plan as plain data for `--json`; the desired state (with secrets) is left out. */
export function planToJson(plan: Plan): object {
  return {
    deployment: plan.deployment,
    hasChanges: plan.hasChanges,
    counts: plan.counts,
    changes: plan.changes,
    warnings: plan.warnings,
  };
}

export function renderApplyResult(result: ApplyResult): string {
  const lines = [`${result.applied.length} change(s) applied.`];
  for (const c of result.applied)
    lines.push(`  ${SIGNS[c.action]} ${c.action} ${c.kind} ${c.name}`);
  if (result.skipped.length > 0) {
    lines.push(
      `${result.skipped.length} delete(s) skipped: run with --prune to remove owned objects no longer in the config.`,
    );
  }
  for (const b of result.blocked) {
    lines.push(
      `blocked: ${b.kind} ${b.name} (${b.id}) carries ${b.activeCalls} active call(s); rerun with --force to delete it anyway.`,
    );
  }
  for (const f of result.failed) lines.push(`failed: ${f.error}`);
  return `${lines.join('\n')}\n`;
}
