import { posix } from 'node:path';

export type Flavor = 'freepbx' | 'asterisk';

export const SERVICE_NAME = 'hubsoft-pbx-bridge';
export const AMI_USERNAME = 'hubsoft-pbx-bridge';
export const DEFAULT_SERVICE_USER = 'hubsoft-pbx-bridge';

/** Absolute paths on the target system (joined with --root before any I/O). */
export const PATHS = {
  managerConf: '/etc/asterisk/manager.conf',
  managerCustom: '/etc/asterisk/manager_custom.conf',
  /** FreePBX's GUI owns this one: read to detect a name clash, never written. */
  managerAdditional: '/etc/asterisk/manager_additional.conf',
  managerDir: '/etc/asterisk/manager.d',
  managerDropIn: '/etc/asterisk/manager.d/hubsoft-pbx-bridge.conf',
  /**
   * FreePBX: the AMI user, outside /etc/asterisk because `fwconsole chown` resets every file there to 0664;
   * manager_custom.conf includes it (relative to the Asterisk config dir, so --root trees work too).
   */
  freepbxAmiUser: '/etc/hubsoft-pbx-bridge/asterisk-manager.conf',
  freepbxAmiUserInclude: '../hubsoft-pbx-bridge/asterisk-manager.conf',
  /** Read only: runuser/rungroup, and the group names, to find which group Asterisk reads its files as. */
  asteriskConf: '/etc/asterisk/asterisk.conf',
  etcGroup: '/etc/group',
  etcPasswd: '/etc/passwd',
  extensionsConf: '/etc/asterisk/extensions.conf',
  extensionsCustom: '/etc/asterisk/extensions_custom.conf',
  dialplanFile: '/etc/asterisk/hubsoft-pbx-bridge-dialplan.conf',
  configDir: '/etc/hubsoft-pbx-bridge',
  configFile: '/etc/hubsoft-pbx-bridge/config.yaml',
  stateDir: '/var/lib/hubsoft-pbx-bridge',
  manifest: '/var/lib/hubsoft-pbx-bridge/install-manifest.json',
  unitFile: '/etc/systemd/system/hubsoft-pbx-bridge.service',
  optDir: '/opt/hubsoft-pbx-bridge',
  bundledNode: '/opt/hubsoft-pbx-bridge/node/bin/node',
  bundledEntry: '/opt/hubsoft-pbx-bridge/app/dist/src/cli/bin.js',
  freepbxMarkers: ['/etc/freepbx.conf', '/etc/amportal.conf'],
} as const;

/** Every file the planners may look at; the reader snapshots exactly these. */
export const WATCHED_FILES: readonly string[] = [
  PATHS.managerConf,
  PATHS.managerCustom,
  PATHS.managerAdditional,
  PATHS.managerDropIn,
  PATHS.freepbxAmiUser,
  PATHS.asteriskConf,
  PATHS.etcGroup,
  PATHS.etcPasswd,
  PATHS.extensionsConf,
  PATHS.extensionsCustom,
  PATHS.dialplanFile,
  PATHS.configFile,
  PATHS.manifest,
  PATHS.unitFile,
  ...PATHS.freepbxMarkers,
];

export const WATCHED_DIRS: readonly string[] = [PATHS.managerDir, PATHS.configDir, PATHS.stateDir, '/etc/systemd/system', '/etc/asterisk'];

/** Maps a target-system path under --root. */
export function underRoot(root: string, absolute: string): string {
  return posix.join(root, absolute);
}

/** Block names used inside marker comments. */
export const BLOCKS = {
  amiUser: 'ami-user',
  managerInclude: 'manager-include',
  dialplan: 'dialplan',
  dialplanInclude: 'dialplan-include',
} as const;
