import { ancestors, type Change, type Command, type Ownership, type Plan, type Snapshot } from './plan.js';

/** Accumulates changes against a snapshot; pure (no I/O), used by both planners. */
export class PlanBuilder {
  readonly changes: Change[] = [];
  readonly unchanged: string[] = [];
  readonly commands: Command[] = [];
  readonly warnings: string[] = [];
  readonly notes: string[] = [];
  readonly createdFiles: string[] = [];
  readonly createdDirs: string[] = [];
  private readonly plannedDirs = new Set<string>();

  constructor(
    readonly snapshot: Snapshot,
    readonly root: string,
  ) {}

  get live(): boolean {
    return this.root === '/';
  }

  read(path: string): string | null {
    return this.snapshot.files.get(path)?.content ?? null;
  }

  hasDir(path: string): boolean {
    return this.snapshot.dirs.has(path) || this.plannedDirs.has(path);
  }

  ensureParents(path: string, mode = 0o755): void {
    for (const dir of ancestors(path)) {
      if (this.hasDir(dir)) continue;
      this.plannedDirs.add(dir);
      this.createdDirs.push(dir);
      const leaf = dir === ancestors(`${path}`).at(-1);
      this.changes.push({ kind: 'mkdir', path: dir, mode: leaf ? mode : 0o755, why: 'missing directory' });
    }
  }

  /**
   * Writes `content` to `path` unless it already holds it. An existing file keeps its mode and owner;
   * a new one takes `mode` and `owner`. With `enforce` (a file holding a secret) the mode and owner are
   * applied to an existing file too, and a wrong mode alone is a change.
   */
  write(path: string, content: string, options: { mode: number; owner: Ownership; why: string; preview?: string; enforce?: boolean }): boolean {
    const current = this.snapshot.files.get(path);
    const enforce = options.enforce === true;
    const sameOwner = !current || ((options.owner.uid ?? current.uid) === current.uid && (options.owner.gid ?? current.gid) === current.gid);
    const settled = !enforce || (current !== undefined && (current.mode & 0o7777) === options.mode && sameOwner);
    if (current && current.content === content && settled) {
      this.unchanged.push(path);
      return false;
    }
    if (!current) {
      this.ensureParents(path);
      this.createdFiles.push(path);
    }
    const change: Change = {
      kind: 'write',
      path,
      content,
      mode: current && !enforce ? current.mode : options.mode,
      owner: !current ? options.owner : enforce ? { uid: options.owner.uid ?? current.uid, gid: options.owner.gid ?? current.gid } : { uid: current.uid, gid: current.gid },
      create: !current,
      why: options.why,
      ...(options.preview === undefined ? {} : { preview: options.preview }),
    };
    this.changes.push(change);
    return true;
  }

  delete(path: string, why: string): boolean {
    if (!this.snapshot.files.has(path)) return false;
    this.changes.push({ kind: 'delete', path, why });
    return true;
  }

  run(argv: readonly string[], why: string, phase: Command['phase'] = 'after'): void {
    this.commands.push({ argv, why, phase });
  }

  build(action: Plan['action']): Plan {
    const live = this.live;
    return {
      action,
      root: this.root,
      changes: this.changes,
      unchanged: this.unchanged,
      commands: live ? this.commands : [],
      skipped: live ? [] : this.commands,
      warnings: this.warnings,
      notes: this.notes,
    };
  }
}

/** Owner and mode of a reference file, for a new file that must be as private as its neighbour. */
export function likeFile(builder: PlanBuilder, reference: string, fallbackMode: number): { mode: number; owner: Ownership } {
  const ref = builder.snapshot.files.get(reference);
  if (!ref) return { mode: fallbackMode, owner: {} };
  return { mode: ref.mode & 0o7777, owner: { uid: ref.uid, gid: ref.gid } };
}
