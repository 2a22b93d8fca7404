import { PATHS } from './layout.js';

export interface UnitSettings {
  user: string;
  group: string;
  /** Absolute path of the node binary the service runs. */
  nodePath: string;
  /** Absolute path of dist/src/cli/bin.js. */
  entryPath: string;
  configPath?: string;
}

/** Fills User=, Group= and ExecStart= of the packaged unit (systemd/hubsoft-pbx-bridge.service). */
export function renderUnit(template: string, settings: UnitSettings): string {
  const execStart = [settings.nodePath, settings.entryPath, 'run', '--config', settings.configPath ?? PATHS.configFile].map(quoteArg).join(' ');
  let seen = 0;
  const out = template.replace(/^(User|Group|ExecStart)=.*$/gm, (_line, key: string) => {
    seen += 1;
    if (key === 'User') return `User=${settings.user}`;
    if (key === 'Group') return `Group=${settings.group}`;
    return `ExecStart=${execStart}`;
  });
  if (seen !== 3) throw new Error('the unit template must hold exactly one User=, Group= and ExecStart= line');
  return out;
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}
