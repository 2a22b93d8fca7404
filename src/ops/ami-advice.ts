import { isBridgeError } from '../errors.js';

export interface AmiAdviceContext {
  /** Where the AMI user lives: FreePBX in /etc/hubsoft-pbx-bridge/asterisk-manager.conf (included from manager_custom.conf), plain Asterisk in manager.d/. */
  flavor?: 'freepbx' | 'asterisk';
  host?: string;
  port?: number;
  username?: string;
}

/**
 * Turns a failed AMI login (a BridgeError, or a raw socket error) into one line telling the installer
 * what to fix. Used by `check`; the wording names the file install wrote.
 */
export function amiCheckAdvice(error: unknown, context: AmiAdviceContext = {}): string {
  const file =
    context.flavor === 'asterisk'
      ? '/etc/asterisk/manager.d/hubsoft-pbx-bridge.conf'
      : context.flavor === 'freepbx'
        ? '/etc/hubsoft-pbx-bridge/asterisk-manager.conf'
        : '/etc/hubsoft-pbx-bridge/asterisk-manager.conf (FreePBX) or manager.d/hubsoft-pbx-bridge.conf';
  const where = `${context.host ?? '127.0.0.1'}:${context.port ?? 5038}`;
  const user = context.username ?? 'hubsoft-pbx-bridge';
  const code = isBridgeError(error) ? error.code : ((error as NodeJS.ErrnoException | undefined)?.code ?? '');
  switch (code) {
    case 'AMI_LOGIN_REFUSED':
      return `AMI login refused: check the secret of [${user}] in ${file} against ami.secret in config.yaml, that 127.0.0.1 is permitted, then run: asterisk -rx 'manager reload'`;
    case 'AMI_UNREACHABLE':
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
      return `AMI not reachable at ${where}: check that Asterisk runs, that manager.conf has enabled = yes with this port and a bindaddr that includes 127.0.0.1, and ami.host/ami.port in config.yaml`;
    case 'AMI_ACTION_TIMEOUT':
    case 'ETIMEDOUT':
      return `AMI at ${where} did not answer in time: is Asterisk overloaded, or is a firewall dropping the port? Raise ami.actionTimeoutMs only if Asterisk is just slow`;
    case 'AMI_DISCONNECTED':
    case 'ECONNRESET':
    case 'EPIPE':
      return `Asterisk closed the AMI connection: check that [${user}] in ${file} permits 127.0.0.1 (deny/permit lines) and the Asterisk log for "manager" errors`;
    default:
      return `AMI check failed (${(error as Error | undefined)?.message ?? String(error)}): run 'hubsoft-pbx-bridge install --dry-run' to see the AMI user install expects`;
  }
}
