import type { Fields } from './frame.js';

const STATE_DESC = ['Down', 'Rsrvd', 'OffHook', 'Dialing', 'Ring', 'Ringing', 'Up', 'Busy'] as const;

export const ChanState = { Down: 0, Ring: 4, Ringing: 5, Up: 6, Busy: 7 } as const;

/** The mutable state of one Asterisk channel, rendered as the standard channel snapshot block. */
export class Chan {
  state: number;
  callerNum: string;
  callerName: string;
  connNum = '<unknown>';
  connName = '<unknown>';
  context: string;
  exten: string;
  priority = 1;
  linkedid: string;
  readonly language = 'en';
  readonly accountCode = '';
  hungUp = false;
  /**
   * The channel's hangup cause before it hangs up (Asterisk's hangupcause), when something set it: a
   * Dial whose callee was busy copies the callee's 17 (and SIP 486) onto the dialling channel.
   */
  pendingCause?: { cause: number; techCause?: number };
  /** Caller id changed without a snapshot (a Local `;1` taking its device's id): NewCallerid still owed. */
  callerIdOwed = false;

  constructor(
    readonly name: string,
    readonly uniqueid: string,
    init: { linkedid?: string; state: number; callerNum: string; callerName: string; context: string; exten: string },
  ) {
    this.linkedid = init.linkedid ?? uniqueid;
    this.state = init.state;
    this.callerNum = init.callerNum;
    this.callerName = init.callerName;
    this.context = init.context;
    this.exten = init.exten;
  }

  get isLocal(): boolean {
    return this.name.startsWith('Local/');
  }

  /** The 14 snapshot fields, in Asterisk's order, with an optional prefix (Dest, Target, Transferer...). */
  snapshot(prefix = ''): Fields {
    return {
      [`${prefix}Channel`]: this.name,
      [`${prefix}ChannelState`]: String(this.state),
      [`${prefix}ChannelStateDesc`]: STATE_DESC[this.state] ?? 'Unknown',
      [`${prefix}CallerIDNum`]: this.callerNum,
      [`${prefix}CallerIDName`]: this.callerName,
      [`${prefix}ConnectedLineNum`]: this.connNum,
      [`${prefix}ConnectedLineName`]: this.connName,
      [`${prefix}Language`]: this.language,
      [`${prefix}AccountCode`]: this.accountCode,
      [`${prefix}Context`]: this.context,
      [`${prefix}Exten`]: this.exten,
      [`${prefix}Priority`]: String(this.priority),
      [`${prefix}Uniqueid`]: this.uniqueid,
      [`${prefix}Linkedid`]: this.linkedid,
    };
  }

  connectTo(other: Chan): void {
    this.connNum = other.callerNum;
    this.connName = other.callerName;
  }
}

export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  16: 'Normal Clearing',
  17: 'User busy',
  19: 'No user responding',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  127: 'Interworking, unspecified',
};

/** Asterisk's channel name suffix: 8 lower-case hex digits. */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
