import { TRACKER_EVENTS } from '../../calls/tracker-events.js';
import { AMI_USERNAME } from './layout.js';

/**
 * Events the call tracker and the check command listen to. A legacy eventfilter is a regex over the
 * whole event text, so "Event: Hangup" also lets HangupRequest through: harmless, and far safer than
 * an anchored pattern whose syntax differs between Asterisk versions. Filters match event names only,
 * never channel names, so events of Local/ channels pass like any other.
 */
export const TRACKED_EVENTS = [
  ...TRACKER_EVENTS,
  // Read by the bridge itself (restart detection, resync) or kept for context in logs and metrics.
  'QueueCallerJoin',
  'QueueCallerLeave',
  'AgentComplete',
  'BlindTransfer',
  'AttendedTransfer',
  'LocalBridge',
  'FullyBooted',
  'CoreShowChannel',
  'CoreShowChannelsComplete',
] as const;

/**
 * read: call (channels, dials, bridges, transfers), agent (queue callers and members), system (FullyBooted).
 * write: call (Setvar, Getvar), reporting (CoreShowChannels).
 * QueueStatus, Ping and Events need no class. Never originate, command or system.
 */
export const AMI_READ = 'call,agent,system';
export const AMI_WRITE = 'call,reporting';

export interface AmiUserOptions {
  secret: string;
  eventFilter: boolean;
  username?: string;
}

/** The manager.conf section for the bridge's AMI user. */
export function renderAmiUser(options: AmiUserOptions): string {
  const lines = [
    `[${options.username ?? AMI_USERNAME}]`,
    `secret=${options.secret}`,
    'deny=0.0.0.0/0.0.0.0',
    'permit=127.0.0.1/255.255.255.255',
    `read=${AMI_READ}`,
    `write=${AMI_WRITE}`,
    'writetimeout=5000',
    'displayconnects=no',
  ];
  if (options.eventFilter) {
    for (const event of TRACKED_EVENTS) lines.push(`eventfilter=Event: ${event}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The secret= line of the bridge's section in some text, or null. */
export function findAmiSecret(text: string, username = AMI_USERNAME): string | null {
  const section = sectionBody(text, username);
  if (section === null) return null;
  const match = /^\s*secret\s*=\s*(.+?)\s*$/m.exec(section);
  return match?.[1] ?? null;
}

/** True when the text declares a [username] section (outside any comment). */
export function declaresSection(text: string, name: string): boolean {
  return sectionBody(text, name) !== null;
}

/** True when manager.conf already includes manager.d/*.conf (plain or tryinclude, quoted or not). */
export function includesManagerDir(managerConf: string): boolean {
  return /^\s*#(?:try)?include\s+"?(?:\/etc\/asterisk\/)?manager\.d\/\*\.conf"?\s*$/m.test(managerConf);
}

export function includesFile(conf: string, file: string): boolean {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*#(?:try)?include\\s+"?(?:/etc/asterisk/)?${escaped}"?\\s*$`, 'm').test(conf);
}

export interface ManagerGeneral {
  enabled: boolean;
  port: number;
  bindaddr: string;
}

/** What manager.conf's [general] says about where the AMI listens. */
export function readManagerGeneral(managerConf: string): ManagerGeneral {
  const general = sectionBody(managerConf, 'general') ?? '';
  const value = (key: string): string | undefined => new RegExp(`^\\s*${key}\\s*=>?\\s*([^;\\s]+)`, 'mi').exec(general)?.[1];
  const enabled = (value('enabled') ?? 'no').toLowerCase();
  const port = Number(value('port') ?? '5038');
  return {
    enabled: ['yes', 'true', 'y', 't', '1', 'on'].includes(enabled),
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 5038,
    bindaddr: value('bindaddr') ?? '0.0.0.0',
  };
}

function sectionBody(text: string, name: string): string | null {
  const lines = text.split(/\r?\n/);
  const header = new RegExp(`^\\s*\\[${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\]`);
  let collecting = false;
  const body: string[] = [];
  for (const line of lines) {
    if (/^\s*\[[^\]]+\]/.test(line)) {
      if (collecting) break;
      collecting = header.test(line);
      continue;
    }
    if (collecting) body.push(line);
  }
  return collecting ? body.join('\n') : null;
}
