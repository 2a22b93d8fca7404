import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBridgeError } from '../errors.js';
import type * as ConfigLoad from '../config/load.js';
import type { Config } from '../config/schema.js';
import type * as LogModule from '../log/logger.js';
import type { Logger } from '../log/logger.js';
import { registerInstallCommands } from './install.js';
import { packageRoot } from '../package-info.js';

// Up front only commander and a few small modules: --help prints without loading zod, pino, the HTTP client or
// the daemon. Each command loads what it runs inside its action (lookup: the config, the logger, the HubSoft client).
let configLoad: typeof ConfigLoad;
let logModule: typeof LogModule;

/** The config loader (zod schema) and the logger (pino): every command but --help and --version needs them. */
async function loadCommon(): Promise<void> {
  [configLoad, logModule] = await Promise.all([import('../config/load.js'), import('../log/logger.js')]);
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

interface GlobalOptions {
  config?: string;
  pretty?: boolean;
  logLevel?: string;
}

function secretsOf(config: Config): string[] {
  return [config.hubsoft.clientSecret, config.hubsoft.password, config.ami.secret, ...(config.gsan ? [config.gsan.key] : []), ...(config.health.token ? [config.health.token] : [])];
}

function loggerFor(config: Config | null, options: GlobalOptions, level?: string): Logger {
  return logModule.createLogger({
    level: options.logLevel ?? level ?? config?.log.level ?? process.env.LOG_LEVEL ?? 'info',
    // Pretty on a terminal, JSON elsewhere (journald: with priorities, see log/logger.ts).
    pretty: options.pretty ?? (config?.log.pretty || Boolean(process.stdout.isTTY)),
    secrets: config ? secretsOf(config) : [],
  });
}

/** Builds the CLI. Nothing is parsed at import time; `main()` returns the exit code. */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('hubsoft-pbx-bridge')
    .description('Opens and closes HubSoft call windows as external calls ring Asterisk extensions.')
    .version(packageVersion())
    .addOption(new Option('-c, --config <file>', 'YAML config file (default: $HUBSOFT_BRIDGE_CONFIG or /etc/hubsoft-pbx-bridge/config.yaml)'))
    .option('--pretty', 'human-readable logs instead of JSON')
    .addOption(new Option('--log-level <level>', 'log level, over log.level and $LOG_LEVEL (kept across SIGHUP reloads)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']));

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  // --log-level goes where LOG_LEVEL goes (over the file), so a SIGHUP reload keeps it too.
  const config = (): Config => {
    const { config: path, logLevel } = globals();
    return configLoad.loadConfig({ path, env: logLevel ? { ...process.env, LOG_LEVEL: logLevel } : process.env }).config;
  };

  program
    .command('run', { isDefault: true })
    .description('run the bridge (the default command; what the systemd unit starts)')
    // Words left over reach the default command: a mistyped command name, said as such.
    .allowExcessArguments()
    .action(async (_options: unknown, command: Command) => {
      if (command.args.length > 0) command.error(`error: unknown command '${command.args[0]}' (commands: ${program.commands.map((c) => c.name()).join(', ')}; see --help)`, { exitCode: 64, code: 'commander.unknownCommand' });
      await loadCommon();
      const { runDaemon } = await import('./run-daemon.js');
      const loaded = config();
      setExitCode(await runDaemon({ config: loaded, logger: loggerFor(loaded, globals()), reloadConfig: config }));
    });

  program
    .command('check')
    .description('validate the config, then try HubSoft and the AMI login: OK/FAIL per step')
    .action(async () => {
      await loadCommon();
      const [{ runCheck }, { amiCheckStep }] = await Promise.all([import('./check.js'), import('./ami-check.js')]);
      let loaded: Config | null = null;
      try {
        loaded = config();
      } catch {
        // runCheck reports the config error itself.
      }
      const logger = loggerFor(loaded, globals(), 'silent');
      const configFile = globals().config ?? process.env.HUBSOFT_BRIDGE_CONFIG ?? configLoad.DEFAULT_CONFIG_PATH;
      setExitCode(await runCheck({ config: () => loaded ?? config(), logger, out: process.stdout, extraSteps: [amiCheckStep], configFile }));
    });

  program
    .command('lookup <phone>')
    .description('look a caller ID up in HubSoft as the bridge would (candidates tried, clients, alerts)')
    .option('--json', 'print the result as JSON')
    .action(async (phone: string, options: { json?: boolean }) => {
      await loadCommon();
      const { runLookup } = await import('./lookup.js');
      const loaded = config();
      setExitCode(await runLookup({ config: loaded, logger: loggerFor(loaded, globals(), 'warn'), out: process.stdout, phone, json: options.json }));
    });

  registerInstallCommands(program, setExitCode);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  program.exitOverride();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error && typeof error === 'object' && 'exitCode' in error && typeof error.exitCode === 'number') return error.exitCode;
    const code = isBridgeError(error) ? `${error.code}: ` : '';
    process.stderr.write(`hubsoft-pbx-bridge: ${code}${error instanceof Error ? error.message : String(error)}\n`);
    return isBridgeError(error, 'CONFIG_INVALID') || isBridgeError(error, 'CONFIG_NOT_FOUND') ? 78 : 1;
  }
  return exitCode;
}
