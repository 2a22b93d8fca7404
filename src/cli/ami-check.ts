import { AmiConnection } from '../ami/connection.js';
import { BridgeError } from '../errors.js';
import { existsSync } from 'node:fs';
import { amiCheckAdvice } from '../ops/ami-advice.js';
import { detectFlavor } from '../ops/install/runtime.js';
import type { CheckStep } from './check.js';

/** `check` step: one AMI login attempt, within the action timeout, with advice on failure. */
export const amiCheckStep: CheckStep = {
  name: 'AMI login',
  async run({ config, logger }) {
    const ami = new AmiConnection({ config: config.ami, logger: logger.child({ level: 'silent' }) });
    // On the PBX itself the advice can name the file that holds the AMI user.
    const flavor = existsSync('/etc/asterisk') ? detectFlavor('/') : undefined;
    const where = { host: config.ami.host, port: config.ami.port, username: config.ami.username, flavor };
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(ami.stats().lastError ? toError(ami.stats().lastError!) : new BridgeError('AMI_ACTION_TIMEOUT')),
          config.ami.actionTimeoutMs,
        );
        ami.on('login', () => {
          clearTimeout(timer);
          resolve();
        });
        ami.on('state', (state) => {
          const last = ami.stats().lastError;
          if (state === 'disconnected' && last) {
            clearTimeout(timer);
            reject(toError(last));
          }
        });
        ami.start();
      });
      return `logged in to ${config.ami.host}:${config.ami.port} as ${config.ami.username}`;
    } catch (error) {
      throw new Error(amiCheckAdvice(error, where));
    } finally {
      await ami.stop();
    }
  },
};

function toError(last: { code: string; message: string }): BridgeError {
  return new BridgeError(last.code as BridgeError['code'], last.message);
}
