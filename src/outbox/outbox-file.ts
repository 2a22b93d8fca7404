import { open, rename, rm, type FileHandle } from 'node:fs/promises';

/** File steps of the outbox journal. Bodies hold phone numbers: files are private to the bridge user. */

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export async function openForAppend(path: string): Promise<FileHandle> {
  return open(path, 'a', FILE_MODE);
}

/** write(2) may write less than asked; loop until all of it is in the file. */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw new Error('write wrote nothing');
    offset += bytesWritten;
  }
}

/** Makes a rename or a new file in `dir` durable (the directory entry itself). */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` so that a crash at any point leaves either the old file or the new one:
 * write a temp file, fsync it, rename over the old one, fsync the directory.
 */
export async function replaceFile(dir: string, path: string, tempPath: string, data: Buffer, fsync: boolean): Promise<void> {
  const handle = await open(tempPath, 'w', FILE_MODE);
  try {
    await writeAll(handle, data);
    if (fsync) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tempPath, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(tempPath, path);
  if (fsync) await syncDir(dir);
}

/** fsync of a file already in place (written and renamed without one), then of its directory. */
export async function syncInPlace(dir: string, path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(dir);
}
