import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the live suite gets its Asterisk from, in this order. */
export const DEFAULT_CACHE = '/var/cache/hubsoft-pbx-bridge/asterisk-22.10.1';
export const SHARED_BUILD = fileURLToPath(new URL('../../../../shared/asterisk/build.sh', import.meta.url));

export type AsteriskSource =
  | { readonly kind: 'prefix'; readonly prefix: string; readonly from: string }
  | { readonly kind: 'none'; readonly why: string };

function hasAsterisk(prefix: string): boolean {
  return existsSync(`${prefix}/sbin/asterisk`) && existsSync(`${prefix}/lib/asterisk/modules/chan_pjsip.so`);
}

/**
 * ASTERISK_PREFIX (an existing build or install: never builds), else the shared sources built once into
 * ASTERISK_CACHE (default /var/cache/hubsoft-pbx-bridge/asterisk-22.10.1), else nothing.
 * `onBuildOutput` gets the build script's lines (it takes a few minutes on a fresh machine).
 */
export function findAsterisk(env: NodeJS.ProcessEnv = process.env): AsteriskSource {
  const given = env.ASTERISK_PREFIX;
  if (given) {
    return hasAsterisk(given)
      ? { kind: 'prefix', prefix: given, from: 'ASTERISK_PREFIX' }
      : { kind: 'none', why: `ASTERISK_PREFIX=${given} has no sbin/asterisk with chan_pjsip` };
  }
  if (!existsSync(SHARED_BUILD)) {
    return {
      kind: 'none',
      why: `no Asterisk: set ASTERISK_PREFIX to an Asterisk 18-22 build with chan_pjsip, or provide ${SHARED_BUILD} (Asterisk sources and build script)`,
    };
  }
  const cache = env.ASTERISK_CACHE || DEFAULT_CACHE;
  const build = spawnSync(SHARED_BUILD, [cache], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0 || !hasAsterisk(cache)) {
    throw new Error(`building Asterisk with ${SHARED_BUILD} into ${cache} failed (exit ${build.status ?? build.signal}); see the lines above`);
  }
  return { kind: 'prefix', prefix: cache, from: `built by ${SHARED_BUILD} into ${cache}` };
}

/** SIPp (Debian's sip-tester): the live suite drives every call with it. */
export function sippPath(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v sipp'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}
