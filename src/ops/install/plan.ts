import { posix } from 'node:path';

/** A file as the reader saw it under --root. Paths everywhere in a plan are target-system paths ("/etc/..."). */
export interface FileState {
  readonly content: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface Snapshot {
  readonly files: ReadonlyMap<string, FileState>;
  readonly dirs: ReadonlySet<string>;
}

export interface Ownership {
  /** Numeric owner copied from a reference file. */
  readonly uid?: number;
  readonly gid?: number;
  /** A user name, resolved by the applier (only when --root is /). */
  readonly user?: string;
}

export type Change =
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number; readonly why: string }
  | {
      readonly kind: 'write';
      readonly path: string;
      readonly content: string;
      readonly mode: number;
      readonly owner: Ownership;
      readonly create: boolean;
      readonly why: string;
      /** What the dry run shows: the added lines, secrets masked. */
      readonly preview?: string;
    }
  | { readonly kind: 'delete'; readonly path: string; readonly why: string }
  | { readonly kind: 'rmdir'; readonly path: string; readonly recursive: boolean; readonly why: string };

export interface Command {
  readonly argv: readonly string[];
  readonly why: string;
  /** 'before' runs ahead of the file changes (useradd, systemctl stop), 'after' once they are in place. */
  readonly phase: 'before' | 'after';
}

export interface Plan {
  readonly action: 'install' | 'uninstall';
  readonly root: string;
  readonly changes: readonly Change[];
  /** Files looked at and already as wanted. */
  readonly unchanged: readonly string[];
  readonly commands: readonly Command[];
  /** Commands not run because --root is not /. */
  readonly skipped: readonly Command[];
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/** What install created, so uninstall removes exactly that and nothing the system had before. */
export interface Manifest {
  readonly version: 1;
  readonly flavor: string;
  readonly createdFiles: readonly string[];
  readonly createdDirs: readonly string[];
  readonly createdUser: string | null;
}

export function parseManifest(text: string | undefined): Manifest | null {
  if (text === undefined) return null;
  try {
    const raw = JSON.parse(text) as Partial<Manifest>;
    const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
    return {
      version: 1,
      flavor: typeof raw.flavor === 'string' ? raw.flavor : 'unknown',
      createdFiles: list(raw.createdFiles),
      createdDirs: list(raw.createdDirs),
      createdUser: typeof raw.createdUser === 'string' ? raw.createdUser : null,
    };
  } catch {
    return null;
  }
}

export function renderManifest(manifest: Manifest): string {
  const sorted = {
    ...manifest,
    createdFiles: [...new Set(manifest.createdFiles)].sort(),
    createdDirs: [...new Set(manifest.createdDirs)].sort(),
  };
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** Every ancestor directory of a target path, shallowest first, excluding "/". */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  let dir = posix.dirname(path);
  while (dir !== '/' && dir !== '.') {
    out.unshift(dir);
    dir = posix.dirname(dir);
  }
  return out;
}
