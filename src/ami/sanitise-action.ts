import type { AmiAction } from './types.js';

/** CR/LF in a value would let a caller ID inject AMI headers: flatten them. */
export function sanitiseAction(action: AmiAction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(action)) {
    const cleanKey = key.replace(/[\r\n:]/g, '').trim();
    if (cleanKey === '' || cleanKey.toLowerCase() === 'actionid') continue;
    out[cleanKey] = String(value).replace(/[\r\n]+/g, ' ');
  }
  return out;
}
