import { readFile, stat } from 'node:fs/promises';
import { ancestors, type FileState, type Snapshot } from './plan.js';
import { underRoot, WATCHED_DIRS, WATCHED_FILES } from './layout.js';

/** Reads the files and directories the planners look at, under root. The only I/O before planning. */
export async function readSnapshot(root: string, files: readonly string[] = WATCHED_FILES, dirs: readonly string[] = WATCHED_DIRS): Promise<Snapshot> {
  const fileStates = new Map<string, FileState>();
  for (const path of files) {
    const full = underRoot(root, path);
    try {
      const info = await stat(full);
      if (!info.isFile()) continue;
      fileStates.set(path, { content: await readFile(full, 'utf8'), mode: info.mode & 0o7777, uid: info.uid, gid: info.gid });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const allDirs = new Set<string>(dirs);
  for (const path of [...files, ...dirs]) for (const dir of ancestors(path)) allDirs.add(dir);
  const present = new Set<string>();
  for (const dir of allDirs) {
    try {
      if ((await stat(underRoot(root, dir))).isDirectory()) present.add(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { files: fileStates, dirs: present };
}
