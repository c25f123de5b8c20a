import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { invalidArgument } from '../errors.js';
import type { WebhookSettings } from './settings.js';

export const MAX_URL_LENGTH = 2048;

/** Addresses a webhook may not reach unless allowed: private, loopback, link-local, shared, reserved, multicast. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: embeds an IPv4 address
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

export const isPrivateAddress = (address: string) => PRIVATE.check(address, familyOf(address));

/** Resolves a host name to every address it has (the system resolver, as connections use). */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

const bad = (message: string) => invalidArgument(`url ${message}`, { parameter: 'url' });

/** A target URL as written: absolute http(s), a host, no credentials, at most 2,048 characters. */
export function parseTargetUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.trim() === '') throw bad('must be an absolute http or https URL');
  if (value.length > MAX_URL_LENGTH) throw bad(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw bad('must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('must use http or https');
  if (!url.hostname) throw bad('must name a host');
  if (url.username || url.password) throw bad('must not contain credentials (user:password@)');
  url.hash = '';
  return url;
}

/**
 * The allow list: a host named in WEBHOOK_ALLOW_HOSTS (by name, address or CIDR range) may be private; with
 * WEBHOOK_ALLOW_PRIVATE any may. Everything else must resolve to public addresses only, every one of them.
 */
export function createTargetGuard(settings: Pick<WebhookSettings, 'allowHosts' | 'allowPrivate'>, resolve: Resolver) {
  const names = new Set<string>();
  const allowed = new BlockList();
  for (const entry of settings.allowHosts) {
    const [address, prefix] = entry.split('/');
    if (address && isIP(address)) {
      const family = familyOf(address);
      allowed.addSubnet(address, prefix ? Number(prefix) : family === 'ipv6' ? 128 : 32, family);
    } else names.add(entry.replace(/\.$/, ''));
  }
  const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

  /**
   * The addresses a request to `url` may connect to (every one checked), else an INVALID_ARGUMENT naming `url`.
   * Run when a webhook is saved and again before every attempt, so a name re-pointed at an internal address
   * (DNS rebinding) is refused at delivery; the attempt connects only to the addresses checked here.
   */
  return async function check(url: URL): Promise<string[]> {
    const host = hostOf(url);
    let addresses: string[];
    if (isIP(host)) addresses = [host];
    else {
      try {
        addresses = await resolve(host);
      } catch {
        throw bad(`host ${host} does not resolve`);
      }
      if (addresses.length === 0) throw bad(`host ${host} does not resolve`);
    }
    if (settings.allowPrivate || names.has(host.replace(/\.$/, ''))) return addresses;
    for (const address of addresses) {
      if (isPrivateAddress(address) && !allowed.check(address, familyOf(address)))
        throw bad(
          `host ${host} resolves to a private, loopback or link-local address (${address}); allow it with WEBHOOK_ALLOW_HOSTS`,
        );
    }
    return addresses;
  };
}

export type TargetGuard = ReturnType<typeof createTargetGuard>;
