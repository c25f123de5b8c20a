import { readFileSync } from 'node:fs';

/** Established TCP connections to `port` on this machine, from /proc/net/tcp (IPv4, local side). */
export const openSockets = (port: number) =>
  readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`) && cols[3] === '01')
    .length;
