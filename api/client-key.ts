import { isIPv6 } from 'node:net';

/**
 * Who a request is, for per-client limits: `key` for a caller holding the API key, else its
 * address — an IPv4 address (IPv4-mapped IPv6 included), or the /64 prefix of an IPv6 address
 * (one host typically owns a whole /64, so its addresses count as one client). Behind a reverse
 * proxy every caller is the proxy's address.
 */
export function clientKey(remoteAddress: string | undefined, authorized: boolean): string {
  if (authorized) return 'key';
  if (!remoteAddress) return 'ip:unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return `ip:${mapped[1]}`;
  if (!isIPv6(remoteAddress)) return `ip:${remoteAddress}`;
  return `ip:${ipv6Prefix64(remoteAddress)}::/64`;
}

/** The first four groups of an IPv6 address, expanded (`2001:db8::1` → `2001:db8:0:0`). */
function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  // A trailing embedded IPv4 (::ffff:1.2.3.4 style) takes two groups; only the first four matter.
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':');
}
