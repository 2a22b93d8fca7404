import type { Change, Plan } from './plan.js';

/** Human-readable plan: every file and change, then commands run or skipped. Never prints secrets. */
export function formatPlan(plan: Plan, options: { dryRun: boolean; verbose?: boolean }): string {
  const lines: string[] = [];
  const where = plan.root === '/' ? '' : ` under ${plan.root}`;
  lines.push(`${options.dryRun ? 'Would ' + plan.action : plan.action === 'install' ? 'Installing' : 'Uninstalling'}${where}:`);
  for (const change of plan.changes) {
    lines.push(`  ${describe(change)}`);
    if (options.dryRun && change.kind === 'write' && change.preview) {
      for (const line of change.preview.replace(/\n$/, '').split('\n')) lines.push(`      | ${line}`);
    }
  }
  for (const path of plan.unchanged) lines.push(`  unchanged ${path}`);
  for (const command of plan.commands) lines.push(`  ${options.dryRun ? 'would run' : 'run'} ${command.argv.join(' ')}  (${command.why})`);
  for (const command of plan.skipped) lines.push(`  skipped  ${command.argv.join(' ')}  (${command.why}; --root is not /)`);
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  for (const note of plan.notes) lines.push(note);
  return `${lines.join('\n')}\n`;
}

function describe(change: Change): string {
  switch (change.kind) {
    case 'mkdir':
      return `mkdir    ${change.path} (${octal(change.mode)})`;
    case 'write':
      return `${change.create ? 'create' : 'update'}   ${change.path} (${octal(change.mode)}): ${change.why}`;
    case 'delete':
      return `delete   ${change.path}: ${change.why}`;
    case 'rmdir':
      return `${change.recursive ? 'rm -r' : 'rmdir'}    ${change.path}${change.recursive ? '' : ' (if empty)'}: ${change.why}`;
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}
