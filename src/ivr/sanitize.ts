/**
 * Making text safe to put into an AMI frame or an AGI command line.
 *
 * Asterisk ends an AMI/AGI line at CR, LF or CRLF and rejects AMI lines over 1024 bytes, so a value must
 * hold no control character at all and stay short. Dialplan arguments treat `&`, `,`, `|`, `${}` and `$[]`
 * as live syntax, so a sound name (which the dialplan passes to Playback) must pass a strict whitelist.
 */

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators: all become a space.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
const WHITESPACE = /\s+/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SOUND_NAME = /^[A-Za-z0-9_/-]+$/;

/** Longest sound name we put into a variable (Asterisk's own path limit is far larger). */
export const MAX_SOUND_NAME_LENGTH = 255;

/**
 * One line of plain text, at most `maxBytes` bytes of UTF-8: controls replaced by spaces, whitespace runs
 * collapsed, trimmed, cut on a character boundary (never inside a multi-byte sequence).
 */
export function safeAmiValue(text: string, maxBytes: number): string {
  const limit = Math.max(0, Math.floor(maxBytes));
  const oneLine = String(text)
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(CONTROL, ' ')
    .replace(WHITESPACE, ' ')
    .trim();
  return capUtf8(oneLine, limit).trimEnd();
}

/** Cuts `text` to at most `maxBytes` bytes of UTF-8, keeping whole code points. */
export function capUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = utf8Size(char.codePointAt(0) ?? 0);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

function utf8Size(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/** The name itself when it only holds [A-Za-z0-9_/-] (and is not too long), else null. */
export function safeSoundName(name: string | null | undefined): string | null {
  if (typeof name !== 'string') return null;
  if (name.length === 0 || name.length > MAX_SOUND_NAME_LENGTH) return null;
  return SOUND_NAME.test(name) ? name : null;
}
