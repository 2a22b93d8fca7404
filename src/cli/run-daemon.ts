import type { Config } from '../config/schema.js';
import { Daemon, type DaemonOptions } from './daemon.js';

/** `run`: the daemon until SIGTERM/SIGINT; then stop taking events, flush up to the deadline, exit 0. */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const daemon = new Daemon(options);
  const { logger, config } = options;
  await daemon.start();
  logger.info({ ami: `${config.ami.host}:${config.ami.port}`, hubsoft: config.hubsoft.url }, 'hubsoft-pbx-bridge running');
  const onHangup = (): void => reloadOnHangup(daemon, options);
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.off('SIGHUP', onHangup);
  logger.info({ signal }, 'stopping: no new events, flushing HubSoft requests');
  const { left } = await daemon.stop();
  if (left > 0) logger.warn({ left }, 'HubSoft requests left unsent at shutdown');
  else logger.info('stopped cleanly');
  return 0;
}

/** SIGHUP: a config that does not load changes nothing; a good one applies its live settings. */
function reloadOnHangup(daemon: Daemon, options: DaemonOptions): void {
  const { logger } = options;
  if (!options.reloadConfig) {
    logger.warn('SIGHUP: this run has no config file to read again; nothing changed');
    return;
  }
  let next: Config;
  try {
    next = options.reloadConfig();
  } catch (error) {
    logger.error({ err: error }, 'SIGHUP: the config did not load; still running on the previous one');
    return;
  }
  const { apply, restart } = daemon.reload(next);
  logger.info({ applied: apply, needsRestart: restart }, apply.length > 0 ? `config reloaded: ${apply.join(', ')} applied` : 'config reloaded: no live setting changed');
  if (restart.length > 0) logger.warn({ needsRestart: restart }, `config changes that only apply after a restart (systemctl restart hubsoft-pbx-bridge): ${restart.join(', ')}`);
}
