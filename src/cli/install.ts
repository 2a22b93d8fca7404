import { Command, Option } from 'commander';
import type { CommandIo } from '../ops/install/run.js';
import type { Flavor } from '../ops/install/layout.js';

interface InstallFlags {
  freepbx?: boolean;
  asterisk?: boolean;
  root: string;
  dryRun?: boolean;
  force?: boolean;
  user?: string;
  eventFilter: boolean;
  hubsoftUrl?: string;
  hubsoftClientId?: string;
  hubsoftClientSecret?: string;
  hubsoftUsername?: string;
  hubsoftPassword?: string;
}

interface UninstallFlags {
  freepbx?: boolean;
  asterisk?: boolean;
  root: string;
  dryRun?: boolean;
  purge?: boolean;
}

// The installer's modules load when install or uninstall runs, not with every command (--help, lookup).
const installer = () => import('../ops/install/run.js');

async function terminalIo(): Promise<CommandIo> {
  const { askTerminal } = await import('../ops/install/prompt.js');
  const io: CommandIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  };
  if (process.stdin.isTTY) io.ask = askTerminal;
  return io;
}

/**
 * Adds `install` and `uninstall`. Each reports its exit code through setExitCode (pass buildProgram's;
 * the default sets process.exitCode, which a caller that assigns process.exitCode afterwards overwrites).
 */
export function registerInstallCommands(
  program: Command,
  setExitCode: (code: number) => void = (code) => {
    process.exitCode = code;
  },
  makeIo: () => CommandIo | Promise<CommandIo> = terminalIo,
): void {
  program
    .command('install')
    .description('install the bridge beside Asterisk: AMI user, dialplan snippet, config, systemd unit (idempotent)')
    .addOption(new Option('--freepbx', 'FreePBX 16/17: AMI user in /etc/hubsoft-pbx-bridge/asterisk-manager.conf (included from manager_custom.conf), dialplan in extensions_custom.conf').conflicts('asterisk'))
    .addOption(new Option('--asterisk', 'plain Asterisk: manager.d/hubsoft-pbx-bridge.conf and an included dialplan file').conflicts('freepbx'))
    .option('--root <dir>', 'install into this directory tree instead of / (no systemctl, asterisk or useradd then)', '/')
    .option('--dry-run', 'print every file and change, write nothing')
    .option('--force', 'rewrite /etc/hubsoft-pbx-bridge/config.yaml even if it exists')
    .option('--user <name>', 'system user the service runs as (created when missing)', 'hubsoft-pbx-bridge')
    .option('--no-event-filter', 'do not add eventfilter lines to the AMI user (receive every event of its classes)')
    .option('--hubsoft-url <url>', 'HubSoft API URL (env HUBSOFT_URL)')
    .option('--hubsoft-client-id <id>', 'OAuth client_id (env HUBSOFT_CLIENT_ID)')
    .option('--hubsoft-client-secret <secret>', 'OAuth client_secret (env HUBSOFT_CLIENT_SECRET)')
    .option('--hubsoft-username <email>', 'API user e-mail (env HUBSOFT_USERNAME)')
    .option('--hubsoft-password <password>', 'API user password (env HUBSOFT_PASSWORD)')
    .action(async (flags: InstallFlags) => {
      const flavor: Flavor | undefined = flags.freepbx ? 'freepbx' : flags.asterisk ? 'asterisk' : undefined;
      const { runInstall } = await installer();
      const code = await runInstall(
        {
          root: flags.root,
          ...(flavor ? { flavor } : {}),
          dryRun: Boolean(flags.dryRun),
          force: Boolean(flags.force),
          ...(flags.user ? { user: flags.user } : {}),
          eventFilter: flags.eventFilter,
          hubsoft: {
            ...(flags.hubsoftUrl ? { url: flags.hubsoftUrl } : {}),
            ...(flags.hubsoftClientId ? { clientId: flags.hubsoftClientId } : {}),
            ...(flags.hubsoftClientSecret ? { clientSecret: flags.hubsoftClientSecret } : {}),
            ...(flags.hubsoftUsername ? { username: flags.hubsoftUsername } : {}),
            ...(flags.hubsoftPassword ? { password: flags.hubsoftPassword } : {}),
          },
        },
        await makeIo(),
      );
      setExitCode(code);
    });

  program
    .command('uninstall')
    .description('remove what install added (marker blocks, created files, unit); keeps the config unless --purge')
    // The same mode flags as install; what to remove comes from the files themselves (and install's manifest).
    .addOption(new Option('--freepbx', 'FreePBX layout (accepted like install; the blocks are found in either layout)').conflicts('asterisk'))
    .addOption(new Option('--asterisk', 'plain Asterisk layout (accepted like install)').conflicts('freepbx'))
    .option('--root <dir>', 'uninstall from this directory tree instead of /', '/')
    .option('--dry-run', 'print every change, write nothing')
    .option('--purge', 'also remove /etc/hubsoft-pbx-bridge/config.yaml, the state directory and the service user install created')
    .action(async (flags: UninstallFlags) => {
      const { runUninstall } = await installer();
      setExitCode(await runUninstall({ root: flags.root, dryRun: Boolean(flags.dryRun), purge: Boolean(flags.purge) }, await makeIo()));
    });
}
