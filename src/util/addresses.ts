import { BlockList, isIP } from 'node:net';

/** True for a listen address only this host can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = unmapped(host.trim().toLowerCase());
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** An allow-list entry: an IPv4/IPv6 address or a CIDR block (10.0.0.0/24). Null when it is neither. */
export function parseAllowEntry(entry: string): { address: string; prefix: number | null; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  if (extra !== undefined) return null;
  const version = isIP(address);
  if (version === 0) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, prefix: null, family };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= (version === 4 ? 32 : 128))) return null;
  return { address, prefix, family };
}

/** Source-address check for a listener; IPv4-mapped IPv6 peers (::ffff:10.0.0.5) match their IPv4 entry. */
export function createAllowList(entries: readonly string[]): (remote: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseAllowEntry(entry);
    if (!parsed) throw new TypeError(`not an IP address or CIDR block: ${entry}`);
    if (parsed.prefix === null) list.addAddress(parsed.address, parsed.family);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return (remote) => {
    if (!remote) return false;
    const bare = unmapped(remote);
    const version = isIP(bare);
    return version !== 0 && list.check(bare, version === 4 ? 'ipv4' : 'ipv6');
  };
}

function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
