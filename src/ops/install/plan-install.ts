import { BridgeError } from '../../errors.js';
import { declaresSection, findAmiSecret, includesFile, includesManagerDir, readManagerGeneral, renderAmiUser } from './ami-user.js';
import { HUBSOFT_FIELDS, readExistingConfig, renderConfigFile, type HubsoftSettings } from './config-file.js';
import { AMI_USERNAME, BLOCKS, PATHS, SERVICE_NAME, type Flavor } from './layout.js';
import { findBlock, removeBlock, upsertBlock } from './managed-block.js';
import { parseManifest, renderManifest, type Plan, type Snapshot } from './plan.js';
import { likeFile, PlanBuilder } from './plan-builder.js';
import { renderUnit } from './unit-file.js';
import { asteriskOwnership, CONFIG_FILE_MODE, configExposure, SECRET_FILE_MODE, secretKeysIn } from './file-modes.js';
import { parse as parseYaml } from 'yaml';

export const OWNED_FILE_HEADER = "; Managed by 'hubsoft-pbx-bridge install'; 'hubsoft-pbx-bridge uninstall' removes it. Local edits are overwritten.\n";

export interface InstallInput {
  root: string;
  flavor: Flavor;
  snapshot: Snapshot;
  serviceUser: string;
  serviceGroup: string;
  /** Settings for a new config.yaml; only needed when one is written (see needsHubsoftSettings). */
  hubsoft: Partial<HubsoftSettings>;
  force: boolean;
  eventFilter: boolean;
  dialplanSnippet: string;
  unitTemplate: string;
  nodePath: string;
  entryPath: string;
  generateSecret: () => string;
  /** Whether the service user exists on this host (only meaningful when root is /). */
  userExists: boolean;
  /** Whether the asterisk binary is on this host (only meaningful when root is /). */
  asteriskPresent: boolean;
  /** --dry-run: missing HubSoft settings become visible placeholders instead of an error. */
  placeholders?: boolean;
}

/** True when install will write config.yaml, so the HubSoft settings must be gathered first. */
export function needsHubsoftSettings(snapshot: Snapshot, force: boolean): boolean {
  return force || !snapshot.files.has(PATHS.configFile);
}

export function planInstall(input: InstallInput): Plan {
  const b = new PlanBuilder(input.snapshot, input.root);
  requireAsterisk(b);
  const secret = resolveSecret(input, b);
  const amiUser = renderAmiUser({ secret, eventFilter: input.eventFilter });
  const masked = renderAmiUser({ secret: '[redacted]', eventFilter: input.eventFilter });

  const managerChanged = input.flavor === 'freepbx' ? planFreepbxManager(b, amiUser, masked) : planAsteriskManager(b, amiUser, masked);
  const dialplanChanged = input.flavor === 'freepbx' ? planFreepbxDialplan(b, input.dialplanSnippet) : planAsteriskDialplan(b, input.dialplanSnippet);
  const configChanged = planConfig(b, input, secret);
  const unitChanged = b.write(PATHS.unitFile, renderUnit(input.unitTemplate, unitSettings(input)), {
    mode: 0o644,
    owner: { uid: 0, gid: 0 },
    why: 'systemd unit',
  });

  const prior = parseManifest(b.read(PATHS.manifest) ?? undefined);
  const systemUser = input.serviceUser === 'root' || input.serviceUser === 'asterisk';
  const createUser = b.live && !input.userExists && input.serviceUser !== 'root';
  if (createUser || (!b.live && !systemUser && b.changes.length > 0)) {
    b.run(['useradd', '--system', '--user-group', '--home-dir', PATHS.stateDir, '--no-create-home', '--shell', '/usr/sbin/nologin', input.serviceUser], `service user ${input.serviceUser}`, 'before');
  }
  if (b.changes.length > 0 || createUser) {
    b.ensureParents(PATHS.manifest, 0o750);
    b.write(
      PATHS.manifest,
      renderManifest({
        version: 1,
        flavor: input.flavor,
        createdFiles: [...(prior?.createdFiles ?? []), ...b.createdFiles],
        createdDirs: [...(prior?.createdDirs ?? []), ...b.createdDirs],
        createdUser: prior?.createdUser ?? (createUser ? input.serviceUser : null),
      }),
      { mode: 0o644, owner: { uid: 0, gid: 0 }, why: 'what install created, for uninstall' },
    );
  }

  const asterisk = !b.live || input.asteriskPresent;
  if (managerChanged && asterisk) b.run(['asterisk', '-rx', 'manager reload'], 'load the AMI user');
  if (dialplanChanged && asterisk) b.run(['asterisk', '-rx', 'dialplan reload'], 'load the dialplan snippet');
  if (b.live && !input.asteriskPresent && (managerChanged || dialplanChanged)) {
    b.warnings.push("asterisk is not on PATH: reload the manager and the dialplan yourself ('manager reload', 'dialplan reload').");
  }
  if (unitChanged) {
    b.run(['systemctl', 'daemon-reload'], 'read the new unit');
    b.run(['systemctl', 'enable', SERVICE_NAME], 'start on boot');
  }
  if (unitChanged || configChanged) b.run(['systemctl', 'restart', SERVICE_NAME], 'run with the new unit and config');
  if (b.changes.length === 0) b.notes.push('Nothing to change: already installed.');
  return b.build('install');
}

function requireAsterisk(b: PlanBuilder): void {
  for (const path of [PATHS.managerConf, PATHS.extensionsConf]) {
    if (b.read(path) === null) {
      throw new BridgeError('INSTALL_FAILED', `${path} not found under ${b.root}: is Asterisk installed? (give --root for a test tree)`);
    }
  }
  const general = readManagerGeneral(b.read(PATHS.managerConf) ?? '');
  if (!general.enabled) b.warnings.push(`${PATHS.managerConf}: [general] enabled is not "yes"; the AMI is off and the bridge cannot log in.`);
}

/** The same secret on every run: from our block, else from the existing config, else a new one. */
function resolveSecret(input: InstallInput, b: PlanBuilder): string {
  // FreePBX installs before the AMI user moved out of manager_custom.conf kept it inline in the block.
  const sources = input.flavor === 'freepbx' ? [b.read(PATHS.freepbxAmiUser), findBlock(b.read(PATHS.managerCustom) ?? '', BLOCKS.amiUser)?.body] : [b.read(PATHS.managerDropIn)];
  const fromBlock = sources.map((text) => (text ? findAmiSecret(text) : null)).find((found) => found) ?? null;
  if (fromBlock) return fromBlock;
  const existing = readExistingConfig(b.read(PATHS.configFile));
  if (existing.ami.username === AMI_USERNAME && existing.ami.secret) return existing.ami.secret;
  const secret = input.generateSecret();
  if (!/^[A-Za-z0-9_-]{32,}$/.test(secret)) throw new Error('AMI secrets must be 32+ characters of [A-Za-z0-9_-]');
  return secret;
}

function assertNoClash(b: PlanBuilder, path: string, text: string | null): void {
  if (text !== null && declaresSection(text, AMI_USERNAME)) {
    throw new BridgeError('INSTALL_FAILED', `${path} already declares an AMI user [${AMI_USERNAME}] that install did not add: remove it, then run install again.`);
  }
}

function planFreepbxManager(b: PlanBuilder, amiUser: string, masked: string): boolean {
  const custom = b.read(PATHS.managerCustom);
  assertNoClash(b, PATHS.managerConf, b.read(PATHS.managerConf));
  assertNoClash(b, PATHS.managerAdditional, b.read(PATHS.managerAdditional));
  assertNoClash(b, PATHS.managerCustom, removeBlock(custom ?? '', BLOCKS.amiUser));
  if (!includesFile(b.read(PATHS.managerConf) ?? '', 'manager_custom.conf')) {
    b.warnings.push(`${PATHS.managerConf} does not #include manager_custom.conf: the AMI user will not load until it does.`);
  }
  const owned = b.read(PATHS.freepbxAmiUser);
  if (owned !== null && !owned.startsWith(OWNED_FILE_HEADER)) {
    throw new BridgeError('INSTALL_FAILED', `${PATHS.freepbxAmiUser} exists and was not written by install: move it away, then run install again.`);
  }
  // The secret lives in a 0640 file of ours; manager_custom.conf (0664 on FreePBX, reset so by fwconsole chown) only includes it.
  let changed = b.write(PATHS.freepbxAmiUser, OWNED_FILE_HEADER + amiUser, {
    mode: SECRET_FILE_MODE,
    owner: asteriskOwnership(b),
    enforce: true,
    why: `AMI user [${AMI_USERNAME}] (holds its secret)`,
    preview: masked,
  });
  const include = `#include ${PATHS.freepbxAmiUserInclude}\n`;
  changed =
    b.write(PATHS.managerCustom, upsertBlock(custom ?? '', BLOCKS.amiUser, include), {
      ...likeFile(b, PATHS.managerConf, 0o640),
      why: `include the AMI user [${AMI_USERNAME}]`,
      preview: include,
    }) || changed;
  return changed;
}

function planAsteriskManager(b: PlanBuilder, amiUser: string, masked: string): boolean {
  const managerConf = b.read(PATHS.managerConf) ?? '';
  assertNoClash(b, PATHS.managerConf, removeBlock(managerConf, BLOCKS.managerInclude));
  const dropIn = b.read(PATHS.managerDropIn);
  if (dropIn !== null && !dropIn.startsWith(OWNED_FILE_HEADER)) {
    throw new BridgeError('INSTALL_FAILED', `${PATHS.managerDropIn} exists and was not written by install: move it away, then run install again.`);
  }
  const reference = likeFile(b, PATHS.managerConf, 0o640);
  let changed = b.write(PATHS.managerDropIn, OWNED_FILE_HEADER + amiUser, {
    mode: SECRET_FILE_MODE,
    owner: asteriskOwnership(b),
    enforce: true,
    why: `AMI user [${AMI_USERNAME}] (holds its secret)`,
    preview: masked,
  });
  if (!includesManagerDir(removeBlock(managerConf, BLOCKS.managerInclude))) {
    const include = '#include manager.d/*.conf\n';
    changed = b.write(PATHS.managerConf, upsertBlock(managerConf, BLOCKS.managerInclude, include), { ...reference, why: 'include manager.d/*.conf', preview: include }) || changed;
  }
  return changed;
}

function planFreepbxDialplan(b: PlanBuilder, snippet: string): boolean {
  const custom = b.read(PATHS.extensionsCustom) ?? '';
  return b.write(PATHS.extensionsCustom, upsertBlock(custom, BLOCKS.dialplan, snippet), {
    ...likeFile(b, PATHS.extensionsConf, 0o644),
    why: 'HubSoft alerts dialplan',
    preview: snippet,
  });
}

function planAsteriskDialplan(b: PlanBuilder, snippet: string): boolean {
  const file = b.read(PATHS.dialplanFile);
  if (file !== null && !file.startsWith(OWNED_FILE_HEADER)) {
    throw new BridgeError('INSTALL_FAILED', `${PATHS.dialplanFile} exists and was not written by install: move it away, then run install again.`);
  }
  const reference = likeFile(b, PATHS.extensionsConf, 0o644);
  let changed = b.write(PATHS.dialplanFile, OWNED_FILE_HEADER + snippet, { ...reference, why: 'HubSoft alerts dialplan', preview: snippet });
  const extensions = b.read(PATHS.extensionsConf) ?? '';
  if (!includesFile(removeBlock(extensions, BLOCKS.dialplanInclude), 'hubsoft-pbx-bridge-dialplan.conf')) {
    const include = '#include hubsoft-pbx-bridge-dialplan.conf\n';
    changed = b.write(PATHS.extensionsConf, upsertBlock(extensions, BLOCKS.dialplanInclude, include), { ...reference, why: 'include the dialplan snippet', preview: include }) || changed;
  }
  return changed;
}

function planConfig(b: PlanBuilder, input: InstallInput, secret: string): boolean {
  const existingText = b.read(PATHS.configFile);
  if (existingText !== null && !input.force) {
    b.unchanged.push(PATHS.configFile);
    const existing = readExistingConfig(existingText);
    if (existing.ami.username !== AMI_USERNAME || existing.ami.secret !== secret) {
      b.warnings.push(`${PATHS.configFile} kept (no --force), but its ami.username/ami.secret differ from the AMI user install manages; run with --force or fix them by hand.`);
    }
    const exposure = configExposure(b.snapshot.files.get(PATHS.configFile)!.mode);
    const secrets = secretKeysIn(existingText, parseYaml);
    if (exposure && secrets.length > 0) {
      const fix = `chmod 600 ${PATHS.configFile} (or chmod 640 and chown root:${input.serviceGroup}), or run install --force to rewrite it 0600`;
      if (exposure.world) throw new BridgeError('INSTALL_FAILED', `${PATHS.configFile} holds secrets (${secrets.join(', ')}) and its ${exposure.text}: ${fix}.`);
      b.warnings.push(`${PATHS.configFile} holds secrets and its ${exposure.text}: ${fix}.`);
    }
    return false;
  }
  const existing = readExistingConfig(existingText);
  const hubsoft = { ...existing.hubsoft, ...definedOnly(input.hubsoft) };
  const missing = (['url', 'clientId', 'clientSecret', 'username', 'password'] as const).filter((key) => !hubsoft[key]);
  if (missing.length > 0 && input.placeholders) {
    const fields = HUBSOFT_FIELDS.filter((field) => missing.includes(field.key as (typeof missing)[number]));
    // The URL placeholder still starts like a URL: the config renderer checks the settings as the daemon would.
    for (const field of fields) hubsoft[field.key] = `${field.key === 'url' ? 'https://' : ''}<${field.key}: give ${field.flag} or ${field.env}>`;
    b.warnings.push(`dry run without ${missing.join(', ')}: the config is shown with placeholders; the real install needs ${fields.map((f) => f.flag).join(', ')} (or ${fields.map((f) => f.env).join(', ')}).`);
  } else if (missing.length > 0) {
    throw new BridgeError('INSTALL_FAILED', `missing HubSoft settings: ${missing.join(', ')}. Give them as flags (--hubsoft-url, ...) or environment variables (HUBSOFT_URL, ...).`);
  }
  const general = readManagerGeneral(b.read(PATHS.managerConf) ?? '');
  const content = renderConfigFile({
    hubsoft: hubsoft as HubsoftSettings,
    ami: { host: '127.0.0.1', port: general.port, username: AMI_USERNAME, secret },
  });
  b.ensureParents(PATHS.configFile);
  const current = b.snapshot.files.get(PATHS.configFile);
  // A rewritten config is always 0600 and the service user's, whatever the old file was.
  if (current && current.content === content && (current.mode & 0o777) === CONFIG_FILE_MODE) {
    b.unchanged.push(PATHS.configFile);
    return false;
  }
  if (!current) b.createdFiles.push(PATHS.configFile);
  b.changes.push({
    kind: 'write',
    path: PATHS.configFile,
    content,
    mode: CONFIG_FILE_MODE,
    owner: { user: input.serviceUser },
    create: !current,
    why: 'bridge configuration (HubSoft and AMI credentials)',
    preview: missing.length > 0 ? `(HubSoft settings and AMI credentials, secrets not shown; placeholders for ${missing.join(', ')})` : '(HubSoft settings and AMI credentials, secrets not shown)',
  });
  return true;
}

function unitSettings(input: InstallInput) {
  return { user: input.serviceUser, group: input.serviceGroup, nodePath: input.nodePath, entryPath: input.entryPath };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
