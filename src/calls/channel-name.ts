/** Pure helpers over Asterisk channel and interface names. */

export interface ParsedChannel {
  /** PJSIP, SIP, IAX2, DAHDI, Local... */
  readonly tech: string;
  /** Endpoint or peer for device channels (`1001` of `PJSIP/1001-0000002a`), the `exten@context` part for Local. */
  readonly resource: string;
  readonly isLocal: boolean;
}

const DEVICE_CHANNEL = /^([A-Za-z0-9_]+)\/(.+)-[0-9a-f]+$/;
const LOCAL_CHANNEL = /^Local\/(.+)-[0-9a-f]+;[12]$/;

export function parseChannel(name: string | undefined): ParsedChannel | null {
  if (!name) return null;
  const local = LOCAL_CHANNEL.exec(name);
  if (local) return { tech: 'Local', resource: local[1]!, isLocal: true };
  const device = DEVICE_CHANNEL.exec(name);
  if (!device) return null;
  const tech = device[1]!;
  return { tech, resource: device[2]!, isLocal: tech.toLowerCase() === 'local' };
}

/**
 * The extension behind a queue member or follow-me interface: `Local/1001@from-queue/n`,
 * `Local/FMPR-1001@from-internal/n`, `Local/LC-1001@from-internal`, `PJSIP/1001`.
 */
export function extensionOfInterface(iface: string | undefined): string | null {
  if (!iface) return null;
  const local = /^Local\/(?:[A-Z]+-)?([^@/]+)@/i.exec(iface);
  if (local) return local[1]!;
  const device = /^[A-Za-z0-9_]+\/([^/@-]+)$/.exec(iface);
  return device ? device[1]! : null;
}

/** Matches a context against patterns where a trailing `*` matches any suffix. */
export function contextMatches(context: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? context.startsWith(pattern.slice(0, -1)) : context === pattern,
  );
}
