import type { AmiEvent } from '../ami/types.js';
import type { CallsConfig } from '../config/schema.js';
import { contextMatches, parseChannel } from './channel-name.js';
import type { CallInfo } from './types.js';

/** Caller IDs are data from the network: kept short (no real number or name comes near this). */
const MAX_CALLER_FIELD = 80;

export function clip(value: string | undefined): string {
  return (value ?? '').slice(0, MAX_CALLER_FIELD);
}

/**
 * What kind of call a channel starts (inbound, internal, outbound) and whether its rings are
 * reported. Learns the longest extension seen: dialling more digits than that is calling out.
 */
export class CallClassifier {
  private readonly extensionPattern: RegExp;
  private longestExtension = 4;

  constructor(private readonly config: CallsConfig) {
    this.extensionPattern = new RegExp(config.extensionPattern);
  }

  isExtension(name: string): boolean {
    if (!this.extensionPattern.test(name)) return false;
    if (name.length > this.longestExtension) this.longestExtension = name.length;
    return true;
  }

  /** The extension whose device opened this channel, or null (trunk, Local, unknown). */
  deviceExtension(channel: string | undefined): string | null {
    const device = parseChannel(channel);
    return device && !device.isLocal && this.isExtension(device.resource) ? device.resource : null;
  }

  /** The call a Newchannel of the originating channel starts. */
  classify(e: AmiEvent, linkedid: string, deviceExtension: string | null): CallInfo {
    const context = e.context ?? '';
    const inbound = contextMatches(context, this.config.inboundContexts);
    const dialled = (e.exten ?? '').replace(/\D/g, '');
    // An extension dialling more digits than any extension has is calling out: the external party is the number dialled.
    const outbound = !inbound && deviceExtension !== null && dialled.length > this.longestExtension;
    return {
      linkedid,
      callerNumber: clip(outbound ? dialled : e.calleridnum),
      callerName: outbound ? '' : clip(e.calleridname),
      did: inbound ? (e.exten ?? '') : '',
      direction: inbound ? 'inbound' : outbound ? 'outbound' : deviceExtension ? 'internal' : 'unknown',
      callerChannel: e.channel ?? '',
    };
  }

  shouldNotify(info: CallInfo): boolean {
    switch (info.direction) {
      case 'inbound':
        return true;
      case 'internal':
        return this.config.notifyInternal;
      case 'outbound':
        return this.config.notifyOutbound;
      default:
        return info.callerNumber.replace(/\D/g, '').length > this.longestExtension;
    }
  }
}
