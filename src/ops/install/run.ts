import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BridgeError, isBridgeError } from '../../errors.js';
import { applyPlan, type ApplyHooks } from './apply.js';
import { HUBSOFT_FIELDS, readExistingConfig, type HubsoftSettings } from './config-file.js';
import { formatPlan } from './format-plan.js';
import { DEFAULT_SERVICE_USER, PATHS, type Flavor } from './layout.js';
import type { Plan } from './plan.js';
import { needsHubsoftSettings, planInstall } from './plan-install.js';
import { planUninstall } from './plan-uninstall.js';
import { commandExists, defaultUserExists, detectFlavorEvidence, packageRoot, readPackaged, resolveRuntime, snippetPath } from './runtime.js';
import { readSnapshot } from './snapshot.js';

export interface InstallOptions {
  root: string;
  flavor?: Flavor;
  dryRun: boolean;
  force: boolean;
  user?: string;
  eventFilter: boolean;
  /** From flags; env and prompts fill what is missing. */
  hubsoft: Partial<HubsoftSettings>;
  /** Directory holding config/asterisk/ and systemd/ (defaults to this package). */
  packageDir?: string;
  /** Overrides the node binary and CLI entry the unit runs (tests). */
  runtime?: { nodePath: string; entryPath: string };
  generateSecret?: () => string;
}

export interface UninstallOptions {
  root: string;
  dryRun: boolean;
  purge: boolean;
}

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Present only when stdin is a terminal: asks for a missing HubSoft setting. */
  ask?: (question: string, secret: boolean) => Promise<string>;
  hooks?: ApplyHooks;
  /** Whether a user exists (root / only); defaults to `id -u`. */
  userExists?: (user: string) => Promise<boolean>;
  asteriskPresent?: () => Promise<boolean>;
}

/** 43 characters of base64url from 32 random bytes: safe in manager.conf (no ; or =). */
export function generateAmiSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function runInstall(options: InstallOptions, io: CommandIo): Promise<number> {
  try {
    const root = options.root;
    const live = root === '/';
    const flavor = options.flavor ?? detectedFlavor(root, io);
    const pkgDir = options.packageDir ?? packageRoot();
    const snapshot = await readSnapshot(root);
    const hubsoft = needsHubsoftSettings(snapshot, options.force) ? await gatherHubsoft(options, io, snapshot.files.get(PATHS.configFile)?.content ?? null) : {};
    const runtime = options.runtime ? { ...options.runtime, notes: [] } : await resolveRuntime(root, pkgDir);
    const serviceUser = options.user ?? DEFAULT_SERVICE_USER;
    const plan = planInstall({
      root,
      flavor,
      snapshot,
      serviceUser,
      serviceGroup: serviceUser,
      hubsoft,
      force: options.force,
      eventFilter: options.eventFilter,
      dialplanSnippet: await readPackaged(snippetPath(pkgDir, flavor), 'the dialplan snippet'),
      unitTemplate: await readPackaged(join(pkgDir, 'systemd', 'hubsoft-pbx-bridge.service'), 'the systemd unit'),
      nodePath: runtime.nodePath,
      entryPath: runtime.entryPath,
      generateSecret: options.generateSecret ?? generateAmiSecret,
      userExists: live ? await (io.userExists ?? defaultUserExists)(serviceUser) : false,
      asteriskPresent: live ? await (io.asteriskPresent ?? (() => commandExists('asterisk')))() : false,
      placeholders: options.dryRun,
    });
    for (const note of runtime.notes) io.out(`${note}\n`);
    return await execute(plan, options.dryRun, io);
  } catch (error) {
    return fail(error, io);
  }
}

export async function runUninstall(options: UninstallOptions, io: CommandIo): Promise<number> {
  try {
    const live = options.root === '/';
    const snapshot = await readSnapshot(options.root);
    const plan = planUninstall({
      root: options.root,
      snapshot,
      purge: options.purge,
      asteriskPresent: live ? await (io.asteriskPresent ?? (() => commandExists('asterisk')))() : false,
    });
    return await execute(plan, options.dryRun, io);
  } catch (error) {
    return fail(error, io);
  }
}

/** Without --freepbx/--asterisk: the layout the files show, said aloud; refused (a question) when they do not settle it. */
function detectedFlavor(root: string, io: CommandIo): Flavor {
  const { flavor, files } = detectFlavorEvidence(root);
  if (flavor === 'unsure') {
    throw new BridgeError(
      'INSTALL_FAILED',
      `is this FreePBX? Found ${files.join(', ')} (FreePBX keeps hand edits there) but neither /etc/freepbx.conf nor a generated *_additional.conf. ` +
        'Run again with --freepbx (FreePBX or Issabel: the AMI user goes into manager_custom.conf) or --asterisk (plain Asterisk: manager.d/hubsoft-pbx-bridge.conf).',
    );
  }
  const why = files.length > 0 ? ` from ${files.join(', ')}` : ' (no FreePBX file found)';
  io.out(`Detected ${flavor === 'freepbx' ? 'FreePBX' : 'plain Asterisk'}${why}; give --freepbx or --asterisk to choose.\n`);
  return flavor;
}

async function execute(plan: Plan, dryRun: boolean, io: CommandIo): Promise<number> {
  io.out(formatPlan(plan, { dryRun }));
  if (dryRun || (plan.changes.length === 0 && plan.commands.length === 0)) return 0;
  const result = await applyPlan(plan, { ...io.hooks, say: io.hooks?.say ?? (() => undefined) });
  for (const failure of result.failures) io.err(`warning: ${failure}\n`);
  io.out(`Done: ${result.applied} change(s), ${result.commandsRun} command(s) run.\n`);
  return result.failures.length > 0 ? 1 : 0;
}

/** Flags win, then HUBSOFT_* variables, then the config being replaced, then (on a terminal) prompts. */
async function gatherHubsoft(options: InstallOptions, io: CommandIo, existingConfig: string | null): Promise<Partial<HubsoftSettings>> {
  const existing = readExistingConfig(existingConfig).hubsoft;
  const settings: Partial<HubsoftSettings> = {};
  for (const field of HUBSOFT_FIELDS) {
    const value = options.hubsoft[field.key] || io.env[field.env] || existing[field.key];
    if (value) settings[field.key] = value;
    // A dry run writes nothing: it shows placeholders rather than asking for secrets.
    else if (io.ask && !options.dryRun) settings[field.key] = await io.ask(field.prompt, field.secret);
  }
  return settings;
}

function fail(error: unknown, io: CommandIo): number {
  if (isBridgeError(error)) {
    io.err(`error [${error.code}]: ${error.message}\n`);
    return 1;
  }
  io.err(`error: ${(error as Error).message}\n`);
  return 1;
}
