import net from 'node:net';

/**
 * Where webhooks may point. A webhook makes the server send requests to an address a workspace admin chose, so by
 * default loopback, private, link-local (cloud metadata at 169.254.169.254) and other non-public addresses are
 * refused (SSRF). `allowPrivateTargets` lifts that for development and tests with local receivers.
 */
export interface WebhookTargetPolicy {
  /** Allow loopback, private and link-local targets. @default false */
  allowPrivateTargets: boolean;
}

const blocked = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(prefix, bits, 'ipv6');
}

/** True for an IP address that is not publicly routable (loopback, private, link-local, reserved, multicast). */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = net.isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family !== 6) return false;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1 or ::ffff:7f00:1) reaches the IPv4 address.
  const mapped = /^::ffff:(.+)$/i.exec(bare)?.[1];
  if (mapped) {
    if (net.isIPv4(mapped)) return isNonPublicAddress(mapped);
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(mapped);
    if (hex) {
      const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
      return isNonPublicAddress([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
    }
  }
  return blocked.check(bare, 'ipv6');
}

/** Host names that always mean this machine or the local network, whatever DNS says. */
export function isLocalHostName(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal');
}

/**
 * Why `url` may not be a webhook target under `policy` (null when it may). Checks what the URL itself says (scheme,
 * credentials, literal addresses, local names); the delivery re-checks every address the name resolves to.
 */
export function webhookUrlProblem(url: URL, policy: WebhookTargetPolicy): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https URLs can receive webhooks';
  if (url.username || url.password) return 'Credentials in the URL are not allowed; verify the signature instead';
  if (!url.hostname) return 'The URL has no host';
  if (policy.allowPrivateTargets) return null;
  if (isLocalHostName(url.hostname) || isNonPublicAddress(url.hostname)) {
    return 'Loopback, private and link-local addresses cannot receive webhooks on this server';
  }
  return null;
}
