/**
 * Marker-delimited blocks that install adds to files it does not own (manager_custom.conf,
 * extensions.conf, ...). A block is always appended as "\n" + BEGIN ... END + "\n", so taking
 * it out again (one newline before BEGIN through the newline after END) gives back the
 * original bytes whatever the original ended with.
 */
export const MARKER_PREFIX = 'hubsoft-pbx-bridge';

export function beginMarker(name: string, comment = ';'): string {
  return `${comment} BEGIN ${MARKER_PREFIX} ${name} (added by 'hubsoft-pbx-bridge install', removed by 'uninstall'; do not edit)`;
}

export function endMarker(name: string, comment = ';'): string {
  return `${comment} END ${MARKER_PREFIX} ${name}`;
}

export interface BlockLocation {
  /** Index of the newline before BEGIN (the first byte install added). */
  start: number;
  /** Index just past the newline after END (or the end of the text). */
  end: number;
  /** The lines between the markers, with their trailing newline. */
  body: string;
}

export function findBlock(text: string, name: string, comment = ';'): BlockLocation | null {
  const begin = beginMarker(name, comment);
  const end = endMarker(name, comment);
  const lines = splitLinesKeepEnds(text);
  let offset = 0;
  let beginAt = -1;
  let bodyStart = -1;
  for (const line of lines) {
    const bare = line.replace(/\r?\n$/, '');
    if (beginAt < 0 && bare === begin) {
      beginAt = offset;
      bodyStart = offset + line.length;
    } else if (beginAt >= 0 && bare === end) {
      const start = beginAt > 0 && text[beginAt - 1] === '\n' ? beginAt - 1 : beginAt;
      return { start, end: offset + line.length, body: text.slice(bodyStart, offset) };
    }
    offset += line.length;
  }
  return null;
}

function renderBlock(name: string, body: string, comment = ';'): string {
  const trimmed = body.endsWith('\n') ? body : `${body}\n`;
  return `\n${beginMarker(name, comment)}\n${trimmed}${endMarker(name, comment)}\n`;
}

/** Adds the block at the end, or replaces its body in place; returns the text unchanged when already current. */
export function upsertBlock(text: string, name: string, body: string, comment = ';'): string {
  const block = renderBlock(name, body, comment);
  const found = findBlock(text, name, comment);
  if (!found) return text + block;
  return text.slice(0, found.start) + block + text.slice(found.end);
}

export function removeBlock(text: string, name: string, comment = ';'): string {
  const found = findBlock(text, name, comment);
  if (!found) return text;
  return text.slice(0, found.start) + text.slice(found.end);
}

function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}
